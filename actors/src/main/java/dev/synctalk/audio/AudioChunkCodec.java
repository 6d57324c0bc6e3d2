package dev.synctalk.audio;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;

/** Journal layout: long frameIndex, int sampleRateHz, then the samples as a float32 tensor [n]. */
public final class AudioChunkCodec implements PayloadCodec<AudioChunk> {
    @Override
    public String typeName() {
        return "audio-chunk";
    }

    @Override
    public Class<AudioChunk> type() {
        return AudioChunk.class;
    }

    @Override
    public byte[] encode(AudioChunk chunk) {
        int[] shape = {chunk.samples().length};
        ByteBuffer out = TensorPayload.allocate(12 + TensorPayload.floatTensorBytes(shape));
        out.putLong(chunk.frameIndex());
        out.putInt(chunk.sampleRateHz());
        TensorPayload.putFloats(out, shape, chunk.samples());
        return out.array();
    }

    @Override
    public AudioChunk decode(byte[] bytes) {
        ByteBuffer in = TensorPayload.wrap(bytes);
        long frameIndex = in.getLong();
        int sampleRateHz = in.getInt();
        int[] shape = TensorPayload.getShape(in);
        TensorPayload.requireRank(shape, 1, "audio-chunk " + frameIndex);
        float[] samples = TensorPayload.getFloats(in, shape);
        TensorPayload.requireFullyRead(in, "audio-chunk " + frameIndex);
        return new AudioChunk(frameIndex, sampleRateHz, samples);
    }
}
