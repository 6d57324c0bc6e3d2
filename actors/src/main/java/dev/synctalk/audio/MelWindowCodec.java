package dev.synctalk.audio;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;

/** Journal layout: long frameIndex, then the window as a float32 tensor [melBands, windowFrames]. */
public final class MelWindowCodec implements PayloadCodec<MelWindow> {
    @Override
    public String typeName() {
        return "mel-window";
    }

    @Override
    public Class<MelWindow> type() {
        return MelWindow.class;
    }

    @Override
    public byte[] encode(MelWindow window) {
        int[] shape = window.shape();
        ByteBuffer out = TensorPayload.allocate(8 + TensorPayload.floatTensorBytes(shape));
        out.putLong(window.frameIndex());
        TensorPayload.putFloats(out, shape, window.data());
        return out.array();
    }

    @Override
    public MelWindow decode(byte[] bytes) {
        ByteBuffer in = TensorPayload.wrap(bytes);
        long frameIndex = in.getLong();
        int[] shape = TensorPayload.getShape(in);
        TensorPayload.requireRank(shape, 2, "mel-window " + frameIndex);
        float[] data = TensorPayload.getFloats(in, shape);
        TensorPayload.requireFullyRead(in, "mel-window " + frameIndex);
        return new MelWindow(frameIndex, shape[0], shape[1], data);
    }
}
