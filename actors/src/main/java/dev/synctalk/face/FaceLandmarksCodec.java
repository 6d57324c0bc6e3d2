package dev.synctalk.face;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;

/** Journal layout: long frameIndex, int width, int height, float score, byte interpolated, float32 tensor [478, 3]. */
public final class FaceLandmarksCodec implements PayloadCodec<FaceLandmarks> {
    private static final int[] SHAPE = {FaceLandmarks.COUNT, 3};

    @Override
    public String typeName() {
        return "face-landmarks/1";
    }

    @Override
    public Class<FaceLandmarks> type() {
        return FaceLandmarks.class;
    }

    @Override
    public byte[] encode(FaceLandmarks f) {
        ByteBuffer out = TensorPayload.allocate(21 + TensorPayload.floatTensorBytes(SHAPE));
        out.putLong(f.frameIndex()).putInt(f.imageWidth()).putInt(f.imageHeight()).putFloat(f.score())
                .put((byte) (f.interpolated() ? 1 : 0));
        TensorPayload.putFloats(out, SHAPE, f.points());
        return out.array();
    }

    @Override
    public FaceLandmarks decode(byte[] bytes) {
        ByteBuffer in = TensorPayload.wrap(bytes);
        long frame = in.getLong();
        int w = in.getInt();
        int h = in.getInt();
        float score = in.getFloat();
        boolean interpolated = in.get() != 0;
        int[] shape = TensorPayload.getShape(in);
        TensorPayload.requireRank(shape, 2, "face-landmarks " + frame);
        float[] points = TensorPayload.getFloats(in, shape);
        TensorPayload.requireFullyRead(in, "face-landmarks " + frame);
        return new FaceLandmarks(frame, w, h, points, score, interpolated);
    }
}
