package dev.synctalk.service.stream;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;

/**
 * Journal layout: long frameIndex, byte kind (0 idle, 1 speech), int sampleRateHz, long arrivedMicros,
 * long emittedMicros, then the samples as a float32 tensor [n].
 */
public final class SessionTickCodec implements PayloadCodec<SessionTick> {
    @Override
    public String typeName() {
        return "session-tick";
    }

    @Override
    public Class<SessionTick> type() {
        return SessionTick.class;
    }

    @Override
    public byte[] encode(SessionTick tick) {
        int[] shape = {tick.samples().length};
        ByteBuffer out = TensorPayload.allocate(29 + TensorPayload.floatTensorBytes(shape));
        out.putLong(tick.frameIndex());
        out.put((byte) tick.kind().ordinal());
        out.putInt(tick.sampleRateHz());
        out.putLong(tick.arrivedMicros());
        out.putLong(tick.emittedMicros());
        TensorPayload.putFloats(out, shape, tick.samples());
        return out.array();
    }

    @Override
    public SessionTick decode(byte[] bytes) {
        ByteBuffer in = TensorPayload.wrap(bytes);
        long frameIndex = in.getLong();
        int kind = in.get();
        if (kind < 0 || kind >= SessionTick.Kind.values().length) {
            throw new IllegalArgumentException("session-tick " + frameIndex + ": unknown kind " + kind);
        }
        int sampleRateHz = in.getInt();
        long arrived = in.getLong();
        long emitted = in.getLong();
        int[] shape = TensorPayload.getShape(in);
        TensorPayload.requireRank(shape, 1, "session-tick " + frameIndex);
        float[] samples = TensorPayload.getFloats(in, shape);
        TensorPayload.requireFullyRead(in, "session-tick " + frameIndex);
        return new SessionTick(frameIndex, SessionTick.Kind.values()[kind], sampleRateHz, samples, arrived, emitted);
    }
}
