package dev.synctalk.face;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Journal layout: long frameIndex, int width, int height, int faces, then per face float score + float32 tensor [478, 3]. */
public final class FrameFacesCodec implements PayloadCodec<FrameFaces> {
    private static final int[] SHAPE = {FaceLandmarks.COUNT, 3};

    @Override
    public String typeName() {
        return "frame-faces/1";
    }

    @Override
    public Class<FrameFaces> type() {
        return FrameFaces.class;
    }

    @Override
    public byte[] encode(FrameFaces f) {
        ByteBuffer out = TensorPayload.allocate(20 + f.faces().size() * (4 + TensorPayload.floatTensorBytes(SHAPE)));
        out.putLong(f.frameIndex()).putInt(f.imageWidth()).putInt(f.imageHeight()).putInt(f.faces().size());
        for (FrameFaces.Face face : f.faces()) {
            out.putFloat(face.score());
            TensorPayload.putFloats(out, SHAPE, face.points());
        }
        return out.array();
    }

    @Override
    public FrameFaces decode(byte[] bytes) {
        ByteBuffer in = TensorPayload.wrap(bytes);
        long frame = in.getLong();
        int w = in.getInt();
        int h = in.getInt();
        int count = in.getInt();
        if (count < 0 || count > FaceFinder.MAX_FACES) {
            throw new IllegalArgumentException("frame-faces " + frame + ": " + count + " faces");
        }
        List<FrameFaces.Face> faces = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float score = in.getFloat();
            int[] shape = TensorPayload.getShape(in);
            TensorPayload.requireRank(shape, 2, "frame-faces " + frame);
            faces.add(new FrameFaces.Face(TensorPayload.getFloats(in, shape), score));
        }
        TensorPayload.requireFullyRead(in, "frame-faces " + frame);
        return new FrameFaces(frame, w, h, faces);
    }
}
