package dev.synctalk.pose;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-frame rigid head pose from 2D landmarks (the paper's Eq. 6): minimises the weighted squared
 * reprojection error of a rigid 3D landmark model with Levenberg-Marquardt over a rotation increment
 * (axis-angle, applied on the left) and the translation. The reference fits BFM identity and expression
 * too; with a rigid canonical model we fit only landmarks that move little with expressions.
 */
public final class RoughPoseFitter {
    private static final int MAX_ITERATIONS = 100;
    /** Yaw angles tried when no previous pose is known, so profile-ish first frames still converge. */
    private static final double[] START_YAWS_DEG = {0, -35, 35};

    private final double[] model;
    private final double[] weights;
    private final int[] landmarkIds;

    /**
     * @param landmarkIds which landmark of the observations each model point is (for callers that pick
     *                    them out of a 478-point set)
     * @param modelPointsMetres 3 per point
     * @param weights one per point, positive
     */
    public RoughPoseFitter(int[] landmarkIds, double[] modelPointsMetres, double[] weights) {
        if (modelPointsMetres.length != 3 * landmarkIds.length || weights.length != landmarkIds.length
                || landmarkIds.length < 4) {
            throw new IllegalArgumentException("need at least 4 points with 3 coordinates and one weight each, got "
                    + landmarkIds.length + " ids, " + modelPointsMetres.length + " coordinates, " + weights.length
                    + " weights");
        }
        this.landmarkIds = landmarkIds.clone();
        this.model = modelPointsMetres.clone();
        this.weights = weights.clone();
    }

    /**
     * The model's rigid basis (MediaPipe's own choice of expression-stable landmarks, with its weights),
     * scaled by {@code scale} from the average face. Absolute scale is not observable from landmarks (a
     * face twice as large twice as far projects the same): it only sets the metric unit of translations.
     */
    public static RoughPoseFitter forBasis(CanonicalFaceModel face, double scale) {
        int[] ids = face.basisIds();
        double[] all = face.verticesMetres(scale);
        double[] pts = new double[3 * ids.length];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(all, 3 * ids[i], pts, 3 * i, 3);
        }
        return new RoughPoseFitter(ids, pts, face.basisWeights());
    }

    public int[] landmarkIds() {
        return landmarkIds.clone();
    }

    /** The model points, 3 per landmark, metres, head frame. */
    public double[] modelPointsMetres() {
        return model.clone();
    }

    /** The landmarks' weights, parallel to {@link #landmarkIds()}. */
    public double[] weights() {
        return weights.clone();
    }

    public int pointCount() {
        return landmarkIds.length;
    }

    /** Weighted squared error sum (px^2) and weighted RMS error (px) of one frame's fit. */
    public record Fit(RigidPose pose, double cost, double rmsErrorPx) {
    }

    /** Fits one frame; {@code start} null means "no idea": a few frontal-ish starts are tried. */
    public Fit fit(double[] observedPx, PinholeCamera camera, RigidPose start) {
        if (observedPx.length != 2 * landmarkIds.length) {
            throw new IllegalArgumentException("expected " + 2 * landmarkIds.length + " coordinates, got " + observedPx.length);
        }
        Fit best = null;
        if (start != null) {
            best = refine(observedPx, camera, start);
        }
        if (start == null || best.rmsErrorPx() > 2.0) {
            for (double yaw : START_YAWS_DEG) {
                Fit f = refine(observedPx, camera, frontalStart(observedPx, camera, yaw));
                if (best == null || f.cost() < best.cost()) {
                    best = f;
                }
            }
        }
        return best;
    }

    /** Fits frames in order, each starting from the previous frame's pose. */
    public List<Fit> fitSequence(List<double[]> observedPx, PinholeCamera camera) {
        List<Fit> out = new ArrayList<>(observedPx.size());
        RigidPose previous = null;
        for (double[] obs : observedPx) {
            Fit f = fit(obs, camera, previous);
            out.add(f);
            previous = f.pose();
        }
        return out;
    }

    /** Weighted squared reprojection error of a pose, px^2. */
    public double cost(double[] observedPx, PinholeCamera camera, RigidPose pose) {
        return cost(observedPx, camera, pose.rotation(), pose.translation());
    }

    private RigidPose frontalStart(double[] obs, PinholeCamera cam, double yawDeg) {
        // Facing the camera: model y up -> camera y down, model +z (out of the face) -> camera -z.
        double[] facing = {1, 0, 0, 0, -1, 0, 0, 0, -1};
        double[] r = Rotations.multiply(facing, Rotations.exp(0, Math.toRadians(yawDeg), 0));
        int n = landmarkIds.length;
        double wSum = 0;
        double[] mc = new double[3];
        double uc = 0;
        double vc = 0;
        for (int i = 0; i < n; i++) {
            double w = weights[i];
            wSum += w;
            for (int a = 0; a < 3; a++) {
                mc[a] += w * model[3 * i + a];
            }
            uc += w * obs[2 * i];
            vc += w * obs[2 * i + 1];
        }
        for (int a = 0; a < 3; a++) {
            mc[a] /= wSum;
        }
        uc /= wSum;
        vc /= wSum;
        double modelSpread = 0;
        double imageSpread = 0;
        for (int i = 0; i < n; i++) {
            double[] q = Rotations.apply(r, model[3 * i] - mc[0], model[3 * i + 1] - mc[1], model[3 * i + 2] - mc[2]);
            modelSpread += weights[i] * (q[0] * q[0] + q[1] * q[1]);
            double du = obs[2 * i] - uc;
            double dv = obs[2 * i + 1] - vc;
            imageSpread += weights[i] * (du * du + dv * dv);
        }
        double depth = cam.focalPx() * Math.sqrt(modelSpread / Math.max(imageSpread, 1e-12));
        double[] rc = Rotations.apply(r, mc[0], mc[1], mc[2]);
        double[] t = {(uc - cam.cx()) * depth / cam.focalPx() - rc[0], (vc - cam.cy()) * depth / cam.focalPx() - rc[1],
            depth - rc[2]};
        return new RigidPose(r, t);
    }

    private Fit refine(double[] obs, PinholeCamera cam, RigidPose start) {
        double[] r = start.rotation();
        double[] t = start.translation();
        double current = cost(obs, cam, r, t);
        double lambda = 1e-3;
        double[] a = new double[36];
        double[] b = new double[6];
        for (int iter = 0; iter < MAX_ITERATIONS && Double.isFinite(current); iter++) {
            normalEquations(obs, cam, r, t, a, b);
            boolean improved = false;
            for (int attempt = 0; attempt < 12 && !improved; attempt++) {
                double[] damped = a.clone();
                for (int k = 0; k < 6; k++) {
                    damped[7 * k] += lambda * Math.max(a[7 * k], 1e-12);
                }
                double[] step = solve6(damped, b);
                if (step == null) {
                    lambda *= 10;
                    continue;
                }
                double[] r2 = Rotations.multiply(Rotations.exp(step[0], step[1], step[2]), r);
                double[] t2 = {t[0] + step[3], t[1] + step[4], t[2] + step[5]};
                double c2 = cost(obs, cam, r2, t2);
                if (c2 < current) {
                    double decrease = current - c2;
                    r = Rotations.orthonormalize(r2);
                    t = t2;
                    current = c2;
                    lambda = Math.max(lambda / 3, 1e-9);
                    improved = true;
                    if (decrease <= 1e-12 * (1 + current)) {
                        iter = MAX_ITERATIONS;
                    }
                } else {
                    lambda *= 4;
                }
            }
            if (!improved) {
                break;
            }
        }
        double wSum = 0;
        for (double w : weights) {
            wSum += w;
        }
        return new Fit(new RigidPose(r, t), current, Math.sqrt(current / wSum));
    }

    private double cost(double[] obs, PinholeCamera cam, double[] r, double[] t) {
        double sum = 0;
        for (int i = 0; i < landmarkIds.length; i++) {
            double x = r[0] * model[3 * i] + r[1] * model[3 * i + 1] + r[2] * model[3 * i + 2] + t[0];
            double y = r[3] * model[3 * i] + r[4] * model[3 * i + 1] + r[5] * model[3 * i + 2] + t[1];
            double z = r[6] * model[3 * i] + r[7] * model[3 * i + 1] + r[8] * model[3 * i + 2] + t[2];
            if (z <= 1e-6) {
                return Double.POSITIVE_INFINITY; // behind the camera: not a valid pose
            }
            double du = cam.focalPx() * x / z + cam.cx() - obs[2 * i];
            double dv = cam.focalPx() * y / z + cam.cy() - obs[2 * i + 1];
            sum += weights[i] * (du * du + dv * dv);
        }
        return sum;
    }

    private void normalEquations(double[] obs, PinholeCamera cam, double[] r, double[] t, double[] a, double[] b) {
        java.util.Arrays.fill(a, 0);
        java.util.Arrays.fill(b, 0);
        double f = cam.focalPx();
        double[] row = new double[6];
        for (int i = 0; i < landmarkIds.length; i++) {
            double[] q = Rotations.apply(r, model[3 * i], model[3 * i + 1], model[3 * i + 2]);
            double x = q[0] + t[0];
            double y = q[1] + t[1];
            double z = q[2] + t[2];
            double w = weights[i];
            double[] res = {f * x / z + cam.cx() - obs[2 * i], f * y / z + cam.cy() - obs[2 * i + 1]};
            for (int c = 0; c < 2; c++) {
                // g = d(projection c)/d(camera point)
                double g0 = c == 0 ? f / z : 0;
                double g1 = c == 0 ? 0 : f / z;
                double g2 = -f * (c == 0 ? x : y) / (z * z);
                // d/d(omega) of g . (omega x q) = q x g
                row[0] = q[1] * g2 - q[2] * g1;
                row[1] = q[2] * g0 - q[0] * g2;
                row[2] = q[0] * g1 - q[1] * g0;
                row[3] = g0;
                row[4] = g1;
                row[5] = g2;
                for (int j = 0; j < 6; j++) {
                    b[j] += w * row[j] * res[c];
                    for (int k = 0; k < 6; k++) {
                        a[6 * j + k] += w * row[j] * row[k];
                    }
                }
            }
        }
    }

    /** Solves a x = -b for 6 unknowns by Gaussian elimination with partial pivoting; null if singular. */
    private static double[] solve6(double[] a, double[] b) {
        double[][] m = new double[6][7];
        for (int i = 0; i < 6; i++) {
            System.arraycopy(a, 6 * i, m[i], 0, 6);
            m[i][6] = -b[i];
        }
        for (int col = 0; col < 6; col++) {
            int pivot = col;
            for (int i = col + 1; i < 6; i++) {
                if (Math.abs(m[i][col]) > Math.abs(m[pivot][col])) {
                    pivot = i;
                }
            }
            if (Math.abs(m[pivot][col]) < 1e-300) {
                return null;
            }
            double[] tmp = m[col];
            m[col] = m[pivot];
            m[pivot] = tmp;
            for (int i = col + 1; i < 6; i++) {
                double factor = m[i][col] / m[col][col];
                for (int k = col; k < 7; k++) {
                    m[i][k] -= factor * m[col][k];
                }
            }
        }
        double[] x = new double[6];
        for (int i = 5; i >= 0; i--) {
            double s = m[i][6];
            for (int k = i + 1; k < 6; k++) {
                s -= m[i][k] * x[k];
            }
            x[i] = s / m[i][i];
        }
        return x;
    }
}
