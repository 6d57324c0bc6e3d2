package dev.synctalk.pose;

import java.util.List;

/**
 * A guard on the Head-Sync Stabilizer's poses that flattening real head motion cannot pass: the rigid
 * landmarks of the 68-point layout (nose 27-35, eye corners 36, 39, 42, 45) are triangulated across all
 * frames with the dataset's poses, each to the one head-frame point that best explains its observations,
 * and the reprojection RMS (px) of those points is reported next to a control: the same triangulation with
 * every frame's head rotation replaced by the first frame's (head positions kept). Jitter-free poses that
 * lost the head's real rotation reproject rigid points badly, so the control is much worse than good
 * poses on a video where the head turns; pose jitter, in turn, raises the guard's own RMS.
 *
 * <p>Poses are camera-to-world 4x4 matrices in the dataset's convention (row-major; NeRF/OpenGL camera
 * axes: x right, y up, looking down -z; the head model frame as world), as transforms_*.json stores
 * them and {@link HeadPose#toTransformMatrix()} writes them. A point p in camera axes projects to
 * {@code u = cx + fx p.x / -p.z, v = cy - fy p.y / -p.z}, landmarks being continuous pixel coordinates
 * (pixel i covers [i, i + 1)).
 */
public final class PoseGuard {
    /** 68-point ids of the landmarks that do not move with speech or expressions: nose, eye corners. */
    public static final int[] RIGID_LANDMARKS = {27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 39, 42, 45};
    private static final int REFINE_ITERATIONS = 10;
    /** The poses give the rigid landmarks no parallax, so no point can be triangulated from them. */
    public static final class UntriangulableException extends RuntimeException {
        UntriangulableException(String message) {
            super(message);
        }
    }

    /** Pinhole intrinsics in pixels. */
    public record Intrinsics(double focalX, double focalY, double cx, double cy) {
        public Intrinsics {
            if (!(focalX > 0) || !(focalY > 0) || !Double.isFinite(cx) || !Double.isFinite(cy)) {
                throw new IllegalArgumentException("bad intrinsics: focal " + focalX + " x " + focalY + " px, centre ("
                        + cx + ", " + cy + ")");
            }
        }
    }

    /**
     * @param reprojectionRmsPx RMS over all observations of the distance between each rigid landmark and
     *                          its triangulated point reprojected with the frame's pose
     * @param controlRmsPx      the same with every rotation replaced by the first frame's
     */
    public record Result(int frames, int landmarks, double reprojectionRmsPx, double controlRmsPx) {
        /** How many times worse the control is (larger is a stronger guard). */
        public double controlRatio() {
            return controlRmsPx / reprojectionRmsPx;
        }
    }

    private PoseGuard() {
    }

    /**
     * @param cameraToWorld per frame, 16 values (see the class comment)
     * @param landmarks68   per frame, the 68 (x, y) pairs in pixels ({@code float[136]})
     */
    public static Result measure(List<double[]> cameraToWorld, Intrinsics camera, List<float[]> landmarks68) {
        int n = cameraToWorld.size();
        if (n != landmarks68.size()) {
            throw new IllegalArgumentException("pose guard: " + n + " poses but " + landmarks68.size()
                    + " landmark sets; it needs one of each per frame");
        }
        if (n < 2) {
            throw new IllegalArgumentException("pose guard: triangulation needs at least 2 frames, got " + n);
        }
        double[][] worldToCamera = new double[n][];
        double[][] control = new double[n][];
        for (int k = 0; k < n; k++) {
            double[] m = cameraToWorld.get(k);
            float[] marks = landmarks68.get(k);
            if (m.length != 16) {
                throw new IllegalArgumentException("pose guard: pose of frame " + k + " has " + m.length
                        + " values, a 4x4 matrix needs 16");
            }
            if (marks.length != 68 * 2) {
                throw new IllegalArgumentException("pose guard: landmarks of frame " + k + " have " + marks.length
                        + " values, 68 (x, y) pairs need 136");
            }
            worldToCamera[k] = invertRigid(m);
        }
        for (int k = 0; k < n; k++) {
            double[] w = worldToCamera[k].clone();
            for (int r = 0; r < 3; r++) {
                System.arraycopy(worldToCamera[0], 4 * r, w, 4 * r, 3); // rotation of frame 0, translation kept
            }
            control[k] = w;
        }
        return new Result(n, RIGID_LANDMARKS.length, rms(worldToCamera, camera, landmarks68),
                rms(control, camera, landmarks68));
    }

    /** RMS reprojection error of all rigid landmarks, each triangulated with the given poses. */
    static double rms(double[][] worldToCamera, Intrinsics camera, List<float[]> landmarks68) {
        double squared = 0;
        long count = 0;
        for (int id : RIGID_LANDMARKS) {
            double[] uv = new double[2 * worldToCamera.length];
            for (int k = 0; k < worldToCamera.length; k++) {
                uv[2 * k] = landmarks68.get(k)[2 * id];
                uv[2 * k + 1] = landmarks68.get(k)[2 * id + 1];
            }
            double[] point = triangulate(worldToCamera, camera, uv);
            for (int k = 0; k < worldToCamera.length; k++) {
                double[] e = residual(worldToCamera[k], camera, point, uv[2 * k], uv[2 * k + 1]);
                squared += e[0] * e[0] + e[1] * e[1];
                count++;
            }
        }
        double rms = Math.sqrt(squared / count);
        if (!Double.isFinite(rms)) {
            throw new UntriangulableException("pose guard: the reprojection error of the rigid landmarks is " + rms);
        }
        return rms;
    }

    /**
     * The head-frame point whose projections best match {@code uv} (x, y per frame): the linear
     * least-squares solution of the projection equations, then Gauss-Newton on the pixel error.
     */
    static double[] triangulate(double[][] worldToCamera, Intrinsics camera, double[] uv) {
        double[] normal = new double[9];
        double[] rhs = new double[3];
        for (int k = 0; k < worldToCamera.length; k++) {
            double[] m = worldToCamera[k];
            double du = uv[2 * k] - camera.cx();
            double dv = uv[2 * k + 1] - camera.cy();
            // u: fx p.x + du p.z = 0; v: fy p.y - dv p.z = 0, with p = R X + t
            for (int eq = 0; eq < 2; eq++) {
                double[] row = new double[3];
                for (int j = 0; j < 3; j++) {
                    row[j] = eq == 0 ? camera.focalX() * m[j] + du * m[8 + j] : camera.focalY() * m[4 + j] - dv * m[8 + j];
                }
                double b = eq == 0 ? -(camera.focalX() * m[3] + du * m[11]) : -(camera.focalY() * m[7] - dv * m[11]);
                accumulate(normal, rhs, row, b);
            }
        }
        double[] point = solve3(normal, rhs);
        if (point == null || !inFrontOfEveryCamera(worldToCamera, point)) {
            throw new UntriangulableException("pose guard: the rigid landmarks cannot be triangulated from these poses:"
                    + " their rays meet at or behind the camera (no parallax: the camera does not move relative to the head)");
        }
        for (int it = 0; it < REFINE_ITERATIONS; it++) {
            double[] jtj = new double[9];
            double[] jte = new double[3];
            for (int k = 0; k < worldToCamera.length; k++) {
                double[] m = worldToCamera[k];
                double[] p = toCamera(m, point);
                double depth = -p[2];
                double[] e = residual(m, camera, point, uv[2 * k], uv[2 * k + 1]);
                // d(u)/dp = fx (1/d, 0, p.x/d^2); d(v)/dp = -fy (0, 1/d, p.y/d^2); dp/dX = R
                double[] gu = {camera.focalX() / depth, 0, camera.focalX() * p[0] / (depth * depth)};
                double[] gv = {0, -camera.focalY() / depth, -camera.focalY() * p[1] / (depth * depth)};
                accumulate(jtj, jte, chain(gu, m), -e[0]);
                accumulate(jtj, jte, chain(gv, m), -e[1]);
            }
            double[] step = solve3(jtj, jte);
            if (step == null) {
                break;
            }
            double[] next = {point[0] + step[0], point[1] + step[1], point[2] + step[2]};
            if (!inFrontOfEveryCamera(worldToCamera, next)) {
                break; // a Gauss-Newton step may not cross a camera plane: keep the last point
            }
            point = next;
        }
        return point;
    }

    private static boolean inFrontOfEveryCamera(double[][] worldToCamera, double[] point) {
        for (double[] m : worldToCamera) {
            if (!(-toCamera(m, point)[2] > 1e-9)) {
                return false;
            }
        }
        return true;
    }

    /** Projection minus observation, px. */
    static double[] residual(double[] worldToCamera, Intrinsics camera, double[] point, double u, double v) {
        double[] p = toCamera(worldToCamera, point);
        double depth = -p[2];
        return new double[] {camera.cx() + camera.focalX() * p[0] / depth - u, camera.cy() - camera.focalY() * p[1] / depth - v};
    }

    private static double[] toCamera(double[] m, double[] x) {
        return new double[] {
            m[0] * x[0] + m[1] * x[1] + m[2] * x[2] + m[3],
            m[4] * x[0] + m[5] * x[1] + m[6] * x[2] + m[7],
            m[8] * x[0] + m[9] * x[1] + m[10] * x[2] + m[11]};
    }

    /** Row vector g (d residual / d p) times the rotation part of m: d residual / d X. */
    private static double[] chain(double[] g, double[] m) {
        double[] out = new double[3];
        for (int j = 0; j < 3; j++) {
            out[j] = g[0] * m[j] + g[1] * m[4 + j] + g[2] * m[8 + j];
        }
        return out;
    }

    /** Adds one equation row . X = b to the normal equations. */
    private static void accumulate(double[] normal, double[] rhs, double[] row, double b) {
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                normal[3 * i + j] += row[i] * row[j];
            }
            rhs[i] += row[i] * b;
        }
    }

    /** Solves the 3x3 system by Cramer's rule; null when it is singular. */
    static double[] solve3(double[] a, double[] b) {
        double det = det3(a);
        double scale = 0;
        for (double v : a) {
            scale = Math.max(scale, Math.abs(v));
        }
        if (!(Math.abs(det) > 1e-12 * scale * scale * scale)) {
            return null;
        }
        double[] out = new double[3];
        for (int c = 0; c < 3; c++) {
            double[] m = a.clone();
            for (int r = 0; r < 3; r++) {
                m[3 * r + c] = b[r];
            }
            out[c] = det3(m) / det;
        }
        return out;
    }

    private static double det3(double[] m) {
        return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
    }

    /** The world-to-camera 4x4 [R^T, -R^T c] of a rigid camera-to-world [R, c]. */
    static double[] invertRigid(double[] c2w) {
        double[] out = new double[16];
        for (int i = 0; i < 3; i++) {
            double t = 0;
            for (int j = 0; j < 3; j++) {
                out[4 * i + j] = c2w[4 * j + i];
                t -= c2w[4 * j + i] * c2w[4 * j + 3];
            }
            out[4 * i + 3] = t;
        }
        out[15] = 1;
        return out;
    }
}
