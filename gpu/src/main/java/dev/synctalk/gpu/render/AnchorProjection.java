package dev.synctalk.gpu.render;

/**
 * Projects homogeneous anchor points into a camera, SyncTalk's torso conditioning
 * ({@code anchor_points @ poses.permute(0, 2, 1).inverse()}, then {@code xy / w / z}): for each anchor
 * a = (x, y, z, w) and camera-to-world pose P,
 * <pre>
 *   c  = P^-1 a                   (P rigid: P^-1 = [R^T, -R^T t; 0 0 0 1], so c_w = a_w)
 *   uv = (c_x / (c_w c_z), c_y / (c_w c_z))
 * </pre>
 * The w component is a trained parameter in the reference (it drifts, and a regulariser pulls it back
 * to 1), which is why it stays in the formula instead of being fixed to 1.
 *
 * <h2>Layouts</h2>
 * anchors [K, 4] row-major; pose [16] row-major camera-to-world (rigid); projected [2K] as
 * (u_0, v_0, u_1, v_1, ...). Backward accumulates into gradAnchors [K, 4].
 */
public final class AnchorProjection {

    private AnchorProjection() {
    }

    /** World-to-camera of a rigid camera-to-world pose [16], as a row-major [16]. */
    static double[] inverseRigid(float[] pose) {
        double[] inv = new double[16];
        for (int r = 0; r < 3; r++) {
            double t = 0;
            for (int c = 0; c < 3; c++) {
                inv[4 * r + c] = pose[4 * c + r];
                t -= (double) pose[4 * c + r] * pose[4 * c + 3];
            }
            inv[4 * r + 3] = t;
        }
        inv[15] = 1;
        return inv;
    }

    private static double[] cameraPoint(double[] inv, float[] anchors, int k) {
        double[] c = new double[4];
        for (int r = 0; r < 4; r++) {
            double acc = 0;
            for (int j = 0; j < 4; j++) {
                acc += inv[4 * r + j] * anchors[4 * k + j];
            }
            c[r] = acc;
        }
        return c;
    }

    public static void forward(float[] anchors, float[] pose, float[] projected, int anchorCount) {
        double[] inv = inverseRigid(pose);
        for (int k = 0; k < anchorCount; k++) {
            double[] c = cameraPoint(inv, anchors, k);
            double d = c[3] * c[2];
            projected[2 * k] = (float) (c[0] / d);
            projected[2 * k + 1] = (float) (c[1] / d);
        }
    }

    public static void backward(float[] anchors, float[] pose, float[] gradProjected, float[] gradAnchors,
                                int anchorCount) {
        double[] inv = inverseRigid(pose);
        for (int k = 0; k < anchorCount; k++) {
            double[] c = cameraPoint(inv, anchors, k);
            double d = c[3] * c[2];
            double gu = gradProjected[2 * k];
            double gv = gradProjected[2 * k + 1];
            double[] gc = new double[4];
            gc[0] = gu / d;
            gc[1] = gv / d;
            // d(c_x / (c_w c_z)) / dc_z = -c_x / (c_w c_z^2), and likewise for c_w
            double common = -(gu * c[0] + gv * c[1]) / (d * d);
            gc[2] = common * c[3];
            gc[3] = common * c[2];
            for (int j = 0; j < 4; j++) {
                double acc = 0;
                for (int r = 0; r < 4; r++) {
                    acc += inv[4 * r + j] * gc[r];
                }
                gradAnchors[4 * k + j] += (float) acc;
            }
        }
    }
}
