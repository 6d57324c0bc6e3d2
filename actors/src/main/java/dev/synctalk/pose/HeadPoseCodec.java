package dev.synctalk.pose;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;

/** Journal layout (little-endian): long frameIndex, float focalPx, cx, cy, 9 floats rotation, 3 floats translation. */
public final class HeadPoseCodec implements PayloadCodec<HeadPose> {
    private static final int BYTES = 8 + 4 * (3 + 9 + 3);

    @Override
    public String typeName() {
        return "head-pose/1";
    }

    @Override
    public Class<HeadPose> type() {
        return HeadPose.class;
    }

    @Override
    public byte[] encode(HeadPose p) {
        ByteBuffer out = TensorPayload.allocate(BYTES);
        out.putLong(p.frameIndex()).putFloat(p.focalPx()).putFloat(p.cx()).putFloat(p.cy());
        for (float v : p.rotation()) {
            out.putFloat(v);
        }
        for (float v : p.translation()) {
            out.putFloat(v);
        }
        return out.array();
    }

    @Override
    public HeadPose decode(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("head-pose record has " + bytes.length + " bytes, expected " + BYTES);
        }
        ByteBuffer in = TensorPayload.wrap(bytes);
        long frame = in.getLong();
        float focal = in.getFloat();
        float cx = in.getFloat();
        float cy = in.getFloat();
        float[] r = new float[9];
        for (int i = 0; i < 9; i++) {
            r[i] = in.getFloat();
        }
        float[] t = new float[3];
        for (int i = 0; i < 3; i++) {
            t[i] = in.getFloat();
        }
        return new HeadPose(frame, r, t, focal, cx, cy);
    }
}
