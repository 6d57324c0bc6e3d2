package dev.synctalk.pose;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The two-stage bundle adjustment of the Head-Sync Stabilizer (the paper's Eq. 7 and 8), as the
 * reference runs it: the loss is the mean squared reprojection error of the tracked head points; stage 1
 * optimises only the points' 3D positions (head frame) with the rough poses fixed; stage 2 optimises
 * points, rotations and translations jointly. Both with Adam. Like the reference there is no temporal
 * smoothness term: stability comes from the tracked points being far more precise than landmarks.
 * Unlike the reference (which starts the points at the origin) the points start on the canonical face
 * surface under their first observation, which makes stage 1 converge in fewer steps. Single-threaded
 * and in a fixed order, so results are bit-identical run to run.
 */
public final class BundleAdjuster {

    /**
     * @param pointIterations stage 1 steps (reference 500)
     * @param pointLearningRate stage 1 Adam learning rate for points, metres
     * @param jointIterations stage 2 steps (reference 8000)
     * @param jointPointLearningRate stage 2 learning rate for points, metres
     * @param rotationLearningRate stage 2 learning rate for rotations, radians
     * @param translationLearningRate stage 2 learning rate for translations, metres
     */
    public record Settings(int pointIterations, double pointLearningRate, int jointIterations,
            double jointPointLearningRate, double rotationLearningRate, double translationLearningRate) {
        public Settings {
            if (pointIterations < 0 || jointIterations < 0 || !(pointLearningRate > 0) || !(jointPointLearningRate > 0)
                    || !(rotationLearningRate > 0) || !(translationLearningRate > 0)) {
                throw new IllegalArgumentException("bad bundle adjustment settings " + this);
            }
        }

        /** The reference's iteration counts and its learning rate 1e-4 for stage 2. */
        public static Settings defaults() {
            return new Settings(500, 1e-3, 8000, 1e-4, 1e-4, 1e-4);
        }
    }

    /**
     * @param poses adjusted poses, one per frame
     * @param pointsMetres adjusted 3D points, 3 per track, head frame
     * @param rmsAfterPointsPx reprojection RMS after stage 1 (rough poses)
     * @param rmsAfterJointPx reprojection RMS after stage 2
     */
    public record Result(List<RigidPose> poses, double[] pointsMetres, int observations, double rmsAfterPointsPx,
            double rmsAfterJointPx) {
    }

    private final PinholeCamera camera;
    private final Settings settings;
    private final int frames;
    private final int points;
    private final int[] obsFrame;
    private final int[] obsPoint;
    private final double[] obsU;
    private final double[] obsV;

    /**
     * @param tracks point tracks in full-image pixels; their frame numbers index {@code frameCount} frames
     */
    public BundleAdjuster(PinholeCamera camera, Settings settings, int frameCount, List<PointTrack> tracks) {
        this.camera = camera;
        this.settings = settings;
        this.frames = frameCount;
        this.points = tracks.size();
        int n = 0;
        for (PointTrack t : tracks) {
            if (t.firstFrame() < 0 || t.lastFrame() >= frameCount) {
                throw new IllegalArgumentException("track " + t.id() + " covers frames " + t.firstFrame() + ".."
                        + t.lastFrame() + ", outside the " + frameCount + " frames");
            }
            n += t.length();
        }
        obsFrame = new int[n];
        obsPoint = new int[n];
        obsU = new double[n];
        obsV = new double[n];
        int k = 0;
        for (int j = 0; j < tracks.size(); j++) {
            PointTrack t = tracks.get(j);
            for (int f = t.firstFrame(); f <= t.lastFrame(); f++) {
                obsFrame[k] = f;
                obsPoint[k] = j;
                obsU[k] = t.x(f);
                obsV[k] = t.y(f);
                k++;
            }
        }
    }

    /**
     * Starting 3D points: each track's first observation back-projected to the depth of the nearest (in the
     * image) canonical face vertex under the rough pose of that frame.
     */
    public static double[] initialPoints(List<PointTrack> tracks, List<RigidPose> poses, PinholeCamera camera,
            double[] faceVerticesMetres) {
        double[] out = new double[3 * tracks.size()];
        int vertices = faceVerticesMetres.length / 3;
        for (int j = 0; j < tracks.size(); j++) {
            PointTrack t = tracks.get(j);
            RigidPose pose = poses.get(t.firstFrame());
            double u = t.x(t.firstFrame());
            double v = t.y(t.firstFrame());
            double bestD2 = Double.MAX_VALUE;
            double depth = 0;
            for (int i = 0; i < vertices; i++) {
                double[] p = pose.toCamera(faceVerticesMetres[3 * i], faceVerticesMetres[3 * i + 1],
                        faceVerticesMetres[3 * i + 2]);
                double du = camera.focalPx() * p[0] / p[2] + camera.cx() - u;
                double dv = camera.focalPx() * p[1] / p[2] + camera.cy() - v;
                if (du * du + dv * dv < bestD2) {
                    bestD2 = du * du + dv * dv;
                    depth = p[2];
                }
            }
            double[] c = {(u - camera.cx()) / camera.focalPx() * depth, (v - camera.cy()) / camera.focalPx() * depth, depth};
            double[] r = pose.rotation();
            double[] tr = pose.translation();
            double[] x = Rotations.apply(Rotations.transpose(r), c[0] - tr[0], c[1] - tr[1], c[2] - tr[2]);
            System.arraycopy(x, 0, out, 3 * j, 3);
        }
        return out;
    }

    /**
     * Runs both stages.
     *
     * @param progress called with the number of steps done since the last call (every 100 steps)
     */
    public Result adjust(List<RigidPose> roughPoses, double[] startPoints, IntConsumer progress) {
        if (roughPoses.size() != frames || startPoints.length != 3 * points) {
            throw new IllegalArgumentException("bundle adjustment of " + frames + " frames and " + points + " points got "
                    + roughPoses.size() + " poses and " + startPoints.length / 3 + " points");
        }
        double[][] rot = new double[frames][];
        double[] trans = new double[3 * frames];
        for (int f = 0; f < frames; f++) {
            rot[f] = roughPoses.get(f).rotation();
            System.arraycopy(roughPoses.get(f).translation(), 0, trans, 3 * f, 3);
        }
        double[] x = startPoints.clone();
        double[] gradX = new double[3 * points];
        double[] gradW = new double[3 * frames];
        double[] gradT = new double[3 * frames];
        double[] deltaX = new double[3 * points];
        double[] deltaW = new double[3 * frames];
        double[] deltaT = new double[3 * frames];

        Adam pointsOnly = new Adam(3 * points, settings.pointLearningRate());
        int pending = 0;
        for (int it = 0; it < settings.pointIterations(); it++) {
            gradients(rot, trans, x, gradX, gradW, gradT);
            pointsOnly.step(gradX, deltaX);
            add(x, deltaX);
            if (++pending == 100) {
                progress.accept(pending);
                pending = 0;
            }
        }
        double rmsPoints = rms(rot, trans, x);

        Adam jointPoints = new Adam(3 * points, settings.jointPointLearningRate());
        Adam rotations = new Adam(3 * frames, settings.rotationLearningRate());
        Adam translations = new Adam(3 * frames, settings.translationLearningRate());
        for (int it = 0; it < settings.jointIterations(); it++) {
            gradients(rot, trans, x, gradX, gradW, gradT);
            jointPoints.step(gradX, deltaX);
            rotations.step(gradW, deltaW);
            translations.step(gradT, deltaT);
            add(x, deltaX);
            add(trans, deltaT);
            for (int f = 0; f < frames; f++) {
                // Rotation parameters are increments on the left of the current rotation (gradient taken at 0).
                double[] r = Rotations.multiply(Rotations.exp(deltaW[3 * f], deltaW[3 * f + 1], deltaW[3 * f + 2]), rot[f]);
                rot[f] = (it & 63) == 63 ? Rotations.orthonormalize(r) : r;
            }
            if (++pending == 100) {
                progress.accept(pending);
                pending = 0;
            }
        }
        if (pending > 0) {
            progress.accept(pending);
        }
        List<RigidPose> out = new ArrayList<>(frames);
        for (int f = 0; f < frames; f++) {
            out.add(new RigidPose(Rotations.orthonormalize(rot[f]), Arrays.copyOfRange(trans, 3 * f, 3 * f + 3)));
        }
        return new Result(out, x, obsFrame.length, rmsPoints, rms(rot, trans, x));
    }

    /** Gradients of the mean squared reprojection error (mean over observations and both coordinates). */
    private void gradients(double[][] rot, double[] trans, double[] x, double[] gx, double[] gw, double[] gt) {
        Arrays.fill(gx, 0);
        Arrays.fill(gw, 0);
        Arrays.fill(gt, 0);
        double f = camera.focalPx();
        double scale = 1.0 / Math.max(1, obsFrame.length); // d/de of e^2 / (2M)
        for (int k = 0; k < obsFrame.length; k++) {
            int fr = obsFrame[k];
            int j = obsPoint[k];
            double[] r = rot[fr];
            double x0 = x[3 * j];
            double x1 = x[3 * j + 1];
            double x2 = x[3 * j + 2];
            double q0 = r[0] * x0 + r[1] * x1 + r[2] * x2;
            double q1 = r[3] * x0 + r[4] * x1 + r[5] * x2;
            double q2 = r[6] * x0 + r[7] * x1 + r[8] * x2;
            double p0 = q0 + trans[3 * fr];
            double p1 = q1 + trans[3 * fr + 1];
            double p2 = q2 + trans[3 * fr + 2];
            if (p2 <= 1e-6) {
                continue;
            }
            double eu = (f * p0 / p2 + camera.cx() - obsU[k]) * scale;
            double ev = (f * p1 / p2 + camera.cy() - obsV[k]) * scale;
            double g0 = eu * f / p2;
            double g1 = ev * f / p2;
            double g2 = -(eu * f * p0 + ev * f * p1) / (p2 * p2);
            gt[3 * fr] += g0;
            gt[3 * fr + 1] += g1;
            gt[3 * fr + 2] += g2;
            gw[3 * fr] += q1 * g2 - q2 * g1;
            gw[3 * fr + 1] += q2 * g0 - q0 * g2;
            gw[3 * fr + 2] += q0 * g1 - q1 * g0;
            gx[3 * j] += r[0] * g0 + r[3] * g1 + r[6] * g2;
            gx[3 * j + 1] += r[1] * g0 + r[4] * g1 + r[7] * g2;
            gx[3 * j + 2] += r[2] * g0 + r[5] * g1 + r[8] * g2;
        }
    }

    private double rms(double[][] rot, double[] trans, double[] x) {
        double sum = 0;
        for (int k = 0; k < obsFrame.length; k++) {
            int fr = obsFrame[k];
            int j = obsPoint[k];
            double[] q = Rotations.apply(rot[fr], x[3 * j], x[3 * j + 1], x[3 * j + 2]);
            double p2 = q[2] + trans[3 * fr + 2];
            double du = camera.focalPx() * (q[0] + trans[3 * fr]) / p2 + camera.cx() - obsU[k];
            double dv = camera.focalPx() * (q[1] + trans[3 * fr + 1]) / p2 + camera.cy() - obsV[k];
            sum += du * du + dv * dv;
        }
        return obsFrame.length == 0 ? 0 : Math.sqrt(sum / obsFrame.length);
    }

    private static void add(double[] target, double[] delta) {
        for (int i = 0; i < target.length; i++) {
            target[i] += delta[i];
        }
    }
}
