package dev.synctalk.render;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;

/**
 * Journal layout ("rendered-frame/2"): long frameIndex, then the image as a uint8 tensor [height, width, 3]. Raw
 * bytes, no compression: the render edge carries a frame every few milliseconds and deflate would cost more than
 * the frame. (Version 1 held float32 samples, four times the bytes.)
 */
public final class RenderedFrameCodec implements PayloadCodec<RenderedFrame> {
    @Override
    public String typeName() {
        return "rendered-frame/2";
    }

    @Override
    public Class<RenderedFrame> type() {
        return RenderedFrame.class;
    }

    @Override
    public byte[] encode(RenderedFrame frame) {
        int[] shape = {frame.height(), frame.width(), 3};
        ByteBuffer out = TensorPayload.allocate(8 + TensorPayload.byteTensorBytes(shape));
        out.putLong(frame.frameIndex());
        TensorPayload.putBytes(out, shape, frame.rgb8());
        return out.array();
    }

    @Override
    public RenderedFrame decode(byte[] bytes) {
        ByteBuffer in = TensorPayload.wrap(bytes);
        long frameIndex = in.getLong();
        int[] shape = TensorPayload.getShape(in);
        TensorPayload.requireRank(shape, 3, "rendered-frame " + frameIndex);
        byte[] rgb = TensorPayload.getBytes(in, shape);
        TensorPayload.requireFullyRead(in, "rendered-frame " + frameIndex);
        return new RenderedFrame(frameIndex, shape[1], shape[0], rgb);
    }
}
