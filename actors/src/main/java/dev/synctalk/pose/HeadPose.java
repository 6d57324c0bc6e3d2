package dev.synctalk.pose;

import dev.synctalk.engine.stage.Indexed;
import java.util.Arrays;

/**
 * The stabilised head pose of one frame, in the convention of SyncTalk's face tracker: a head-model
 * point X (metres, x to the subject's left, y up, z out of the face) is at {@code R X + t} in an OpenGL
 * camera frame (x right, y up, looking down -z), and projects to
 * {@code u = cx - f x / z, v = cy + f y / z}. The dataset stores the inverse, {@link #toTransformMatrix()}.
 *
 * @param rotation R, row-major 3x3
 * @param translation t, metres
 */
public record HeadPose(long frameIndex, float[] rotation, float[] translation, float focalPx, float cx, float cy)
        implements Indexed {
    public HeadPose {
        if (rotation.length != 9 || translation.length != 3) {
            throw new IllegalArgumentException("frame " + frameIndex + ": rotation needs 9 values and translation 3, got "
                    + rotation.length + " and " + translation.length);
        }
        rotation = rotation.clone();
        translation = translation.clone();
    }

    /** From a pose in OpenCV's camera convention (what the fitting works in). */
    public static HeadPose of(long frameIndex, RigidPose openCvPose, PinholeCamera camera) {
        RigidPose gl = openCvPose.toOpenGl();
        double[] r = gl.rotation();
        double[] t = gl.translation();
        float[] rf = new float[9];
        for (int i = 0; i < 9; i++) {
            rf[i] = (float) r[i];
        }
        return new HeadPose(frameIndex, rf, new float[] {(float) t[0], (float) t[1], (float) t[2]},
                (float) camera.focalPx(), (float) camera.cx(), (float) camera.cy());
    }

    @Override
    public float[] rotation() {
        return rotation.clone();
    }

    @Override
    public float[] translation() {
        return translation.clone();
    }

    /**
     * The camera-to-world 4x4 of transforms_train.json (row-major, NeRF/OpenGL camera axes, the head
     * model frame as world): {@code [R^T, -R^T t; 0 0 0 1]}, as the reference's save_transforms writes it.
     */
    public double[] toTransformMatrix() {
        double[] m = new double[16];
        for (int i = 0; i < 3; i++) {
            double ti = 0;
            for (int j = 0; j < 3; j++) {
                m[4 * i + j] = rotation[3 * j + i];
                ti -= rotation[3 * j + i] * translation[j];
            }
            m[4 * i + 3] = ti;
        }
        m[15] = 1;
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeadPose p && p.frameIndex == frameIndex && Arrays.equals(p.rotation, rotation)
                && Arrays.equals(p.translation, translation) && Float.compare(p.focalPx, focalPx) == 0
                && Float.compare(p.cx, cx) == 0 && Float.compare(p.cy, cy) == 0;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(frameIndex) * 31 + Arrays.hashCode(rotation) * 17 + Arrays.hashCode(translation);
    }

    @Override
    public String toString() {
        return "HeadPose[frame " + frameIndex + ", t " + Arrays.toString(translation) + " m, f " + focalPx + " px]";
    }
}
