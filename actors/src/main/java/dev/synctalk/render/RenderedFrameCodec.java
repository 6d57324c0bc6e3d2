package dev.synctalk.render;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;

/** Journal layout: long frameIndex, then the image as a float32 tensor [height, width, 3]. */
public final class RenderedFrameCodec implements PayloadCodec<RenderedFrame> {
    @Override
    public String typeName() {
        return "rendered-frame";
    }

    @Override
    public Class<RenderedFrame> type() {
        return RenderedFrame.class;
    }

    @Override
    public byte[] encode(RenderedFrame frame) {
        int[] shape = {frame.height(), frame.width(), 3};
        ByteBuffer out = TensorPayload.allocate(8 + TensorPayload.floatTensorBytes(shape));
        out.putLong(frame.frameIndex());
        TensorPayload.putFloats(out, shape, frame.rgb());
        return out.array();
    }

    @Override
    public RenderedFrame decode(byte[] bytes) {
        ByteBuffer in = TensorPayload.wrap(bytes);
        long frameIndex = in.getLong();
        int[] shape = TensorPayload.getShape(in);
        TensorPayload.requireRank(shape, 3, "rendered-frame " + frameIndex);
        float[] rgb = TensorPayload.getFloats(in, shape);
        TensorPayload.requireFullyRead(in, "rendered-frame " + frameIndex);
        return new RenderedFrame(frameIndex, shape[1], shape[0], rgb);
    }
}
