package dev.synctalk.pose;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The two-stage bundle adjustment of the Head-Sync Stabilizer (the paper's Eq. 7 and 8): stage 1
 * optimises only the tracked head points' 3D positions (head frame) with the rough poses fixed; stage 2
 * optimises points, rotations and translations jointly. Both with Adam, as the reference. The reference's
 * loss is the plain mean squared reprojection error of the tracked points with no other term. On real
 * video that lets points that are not quite rigid (skin moved by speech, a point sliding along an edge)
 * and the weakly observed pitch/depth directions amplify swings instead of removing jitter, so the loss
 * here has four parts, each a mean per observation or per frame so their weights read the same for any
 * video length:
 * <ul>
 * <li>tracked points: robust (Huber, scale {@code robustScalePx}) reprojection error; halfway through
 * stage 2 whole tracks whose RMS error is an outlier of the tracks' distribution are dropped;</li>
 * <li>landmarks (weight {@code landmarkWeight}): the rigid landmarks of the canonical face model, fixed in
 * the head frame, against the detected landmarks, with their basis weights, same robust loss. It ties
 * the poses to the landmark evidence the rough poses came from and fixes the gauge (a rotation of all
 * head points against all poses leaves the track term unchanged);</li>
 * <li>temporal smoothness (weight {@code smoothnessWeight}): the second difference of rotations and of
 * translations over consecutive frames, converted into the image motion it causes (pixels: rotation times
 * focal length times the face's radius over its distance, translation times focal length over distance),
 * against the frame's squared reprojection error. The reference has no such term; real head motion has
 * second differences of hundredths of a pixel at 25 fps while landmark and tracking jitter is of the order
 * of a pixel, so a small weight removes jitter without flattening motion.</li>
 * </ul>
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
     * @param robustScalePx Huber scale: residuals longer than this count linearly, px; infinite for plain squares
     * @param landmarkWeight weight of the landmark term against the track term (0: tracks only, as the reference)
     * @param smoothnessWeight weight of the second-difference term against the reprojection error (0: none, as
     *                         the reference)
     * @param outlierTrackMads a track is dropped when its RMS error exceeds the median over tracks by this many
     *                         (normal-scaled) median absolute deviations; infinite keeps every track
     * @param outlierTrackMinPx tracks with an RMS error below this are never dropped, px
     */
    public record Settings(int pointIterations, double pointLearningRate, int jointIterations,
            double jointPointLearningRate, double rotationLearningRate, double translationLearningRate,
            double robustScalePx, double landmarkWeight, double smoothnessWeight, double outlierTrackMads,
            double outlierTrackMinPx) {
        public Settings {
            if (pointIterations < 0 || jointIterations < 0 || !(pointLearningRate > 0) || !(jointPointLearningRate > 0)
                    || !(rotationLearningRate > 0) || !(translationLearningRate > 0) || !(robustScalePx > 0)
                    || !(landmarkWeight >= 0) || !(smoothnessWeight >= 0) || !(outlierTrackMads > 0)
                    || !(outlierTrackMinPx >= 0)) {
                throw new IllegalArgumentException("bad bundle adjustment settings " + this);
            }
        }

        /** The reference's loss and iteration counts: plain squares, tracks only, no smoothness, no rejection. */
        public static Settings reference() {
            return new Settings(500, 1e-3, 8000, 1e-4, 1e-4, 1e-4, Double.POSITIVE_INFINITY, 0, 0,
                    Double.POSITIVE_INFINITY, 0);
        }

        /** The reference's iteration counts and learning rates with this stabilizer's loss (the stage defaults). */
        public static Settings defaults() {
            return new Settings(500, 1e-3, 8000, 1e-4, 1e-4, 1e-4, 1.0, 0.01, 0.3, 3.0, 1.0);
        }

        /** The same settings with other iteration counts. */
        public Settings withIterations(int points, int joint) {
            return new Settings(points, pointLearningRate, joint, jointPointLearningRate, rotationLearningRate,
                    translationLearningRate, robustScalePx, landmarkWeight, smoothnessWeight, outlierTrackMads,
                    outlierTrackMinPx);
        }
    }

    /**
     * Detected landmarks that a rigid model explains: the landmark term.
     *
     * @param modelPointsMetres 3 per landmark, head frame (fixed)
     * @param weights one per landmark, positive
     * @param observedPx per frame, x, y per landmark, full-image pixels
     */
    public record Landmarks(double[] modelPointsMetres, double[] weights, List<double[]> observedPx) {
        public Landmarks {
            int count = weights.length;
            if (modelPointsMetres.length != 3 * count) {
                throw new IllegalArgumentException(count + " landmark weights but " + modelPointsMetres.length
                        + " model coordinates");
            }
            for (int f = 0; f < observedPx.size(); f++) {
                if (observedPx.get(f).length != 2 * count) {
                    throw new IllegalArgumentException("landmarks of frame " + f + " have " + observedPx.get(f).length
                            + " coordinates, expected " + 2 * count);
                }
            }
            modelPointsMetres = modelPointsMetres.clone();
            weights = weights.clone();
            observedPx = List.copyOf(observedPx);
        }

        static Landmarks none(int frames) {
            List<double[]> empty = new ArrayList<>(frames);
            for (int f = 0; f < frames; f++) {
                empty.add(new double[0]);
            }
            return new Landmarks(new double[0], new double[0], empty);
        }
    }

    /**
     * @param poses adjusted poses, one per frame
     * @param pointsMetres adjusted 3D points, 3 per track, head frame
     * @param observations track observations used (those of dropped tracks not counted)
     * @param rejectedTracks tracks dropped as outliers
     * @param rmsAfterPointsPx reprojection RMS of the tracks after stage 1 (rough poses)
     * @param rmsAfterJointPx reprojection RMS of the kept tracks after stage 2
     */
    public record Result(List<RigidPose> poses, double[] pointsMetres, int observations, int rejectedTracks,
            double rmsAfterPointsPx, double rmsAfterJointPx) {
    }

    private final PinholeCamera camera;
    private final Settings settings;
    private final int frames;
    private final int points;
    private final int[] obsFrame;
    private final int[] obsPoint;
    private final double[] obsU;
    private final double[] obsV;
    private final boolean[] trackKept;
    private final Landmarks landmarks;
    private final double landmarkWeightSum;

    /**
     * Tracks only (no landmark term).
     *
     * @param tracks point tracks in full-image pixels; their frame numbers index {@code frameCount} frames
     */
    public BundleAdjuster(PinholeCamera camera, Settings settings, int frameCount, List<PointTrack> tracks) {
        this(camera, settings, frameCount, tracks, Landmarks.none(frameCount));
    }

    /**
     * @param tracks point tracks in full-image pixels; their frame numbers index {@code frameCount} frames
     * @param landmarks detected landmarks of each of the {@code frameCount} frames and their rigid model
     */
    public BundleAdjuster(PinholeCamera camera, Settings settings, int frameCount, List<PointTrack> tracks,
            Landmarks landmarks) {
        if (landmarks.observedPx().size() != frameCount) {
            throw new IllegalArgumentException("landmarks of " + landmarks.observedPx().size() + " frames for "
                    + frameCount + " frames");
        }
        this.camera = camera;
        this.settings = settings;
        this.frames = frameCount;
        this.points = tracks.size();
        this.landmarks = landmarks;
        double wSum = 0;
        for (double w : landmarks.weights()) {
            wSum += w;
        }
        this.landmarkWeightSum = wSum;
        this.trackKept = new boolean[points];
        Arrays.fill(trackKept, true);
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
        Smoothness smooth = smoothness(trans);
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
            trackGradients(rot, trans, x, gradX, gradW, gradT);
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
        int rejectAt = settings.jointIterations() / 2;
        int rejected = 0;
        for (int it = 0; it < settings.jointIterations(); it++) {
            if (it == rejectAt) {
                rejected = rejectOutlierTracks(rot, trans, x);
            }
            trackGradients(rot, trans, x, gradX, gradW, gradT);
            landmarkGradients(rot, trans, gradW, gradT);
            smoothnessGradients(rot, trans, smooth, gradW, gradT);
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
        fixGauge(roughPoses, rot, trans, x);
        List<RigidPose> out = new ArrayList<>(frames);
        for (int f = 0; f < frames; f++) {
            out.add(new RigidPose(Rotations.orthonormalize(rot[f]), Arrays.copyOfRange(trans, 3 * f, 3 * f + 3)));
        }
        int kept = 0;
        for (int k = 0; k < obsFrame.length; k++) {
            kept += trackKept[obsPoint[k]] ? 1 : 0;
        }
        return new Result(out, x, kept, rejected, rmsPoints, rms(rot, trans, x));
    }

    /**
     * The track term cannot see a rotation Q of the head frame (points X to Q X, rotations R to R Q^T) nor a
     * common scale of points and translations; only the (weak) landmark term holds them, and Adam moves
     * slowly along such collective directions. Both are set here so that the adjusted poses agree with the
     * rough ones on average: Q from the mean of R^T R_rough over frames, the scale from the mean depths.
     * Reprojections of the tracks, and so every frame-to-frame change of rotation, do not change.
     */
    private void fixGauge(List<RigidPose> roughPoses, double[][] rot, double[] trans, double[] x) {
        double[] mean = new double[9];
        double roughDepth = 0;
        double depth = 0;
        for (int f = 0; f < frames; f++) {
            double[] m = Rotations.multiply(Rotations.transpose(rot[f]), roughPoses.get(f).rotation());
            for (int e = 0; e < 9; e++) {
                mean[e] += m[e];
            }
            roughDepth += roughPoses.get(f).translation()[2];
            depth += trans[3 * f + 2];
        }
        double[] qT = Rotations.orthonormalize(mean);
        double[] q = Rotations.transpose(qT);
        for (int f = 0; f < frames; f++) {
            rot[f] = Rotations.multiply(rot[f], qT);
        }
        double scale = depth > 0 && roughDepth > 0 ? roughDepth / depth : 1.0;
        for (int j = 0; j < points; j++) {
            double[] p = Rotations.apply(q, x[3 * j], x[3 * j + 1], x[3 * j + 2]);
            for (int a = 0; a < 3; a++) {
                x[3 * j + a] = scale * p[a];
            }
        }
        for (int i = 0; i < trans.length; i++) {
            trans[i] *= scale;
        }
    }

    /**
     * Pixel scales of the smoothness term: image motion per radian of head rotation (focal length times the
     * landmark model's RMS radius over the mean distance) and per metre of translation (focal over distance).
     */
    private record Smoothness(double rotationPxPerRad, double translationPxPerMetre) {
    }

    private Smoothness smoothness(double[] trans) {
        double depth = 0;
        for (int f = 0; f < frames; f++) {
            depth += trans[3 * f + 2];
        }
        depth = Math.max(1e-6, depth / frames);
        double[] model = landmarks.modelPointsMetres();
        int count = model.length / 3;
        double radius = 0.08; // about a head's, for the tracks-only form without a landmark model
        if (count > 1) {
            double[] c = new double[3];
            for (int i = 0; i < count; i++) {
                for (int a = 0; a < 3; a++) {
                    c[a] += model[3 * i + a] / count;
                }
            }
            double s = 0;
            for (int i = 0; i < count; i++) {
                for (int a = 0; a < 3; a++) {
                    s += (model[3 * i + a] - c[a]) * (model[3 * i + a] - c[a]);
                }
            }
            radius = Math.sqrt(s / count);
        }
        return new Smoothness(camera.focalPx() * radius / depth, camera.focalPx() / depth);
    }

    /** Huber weight of a residual of length {@code norm}: 1 inside the scale, falling off as scale/norm outside. */
    private double robustWeight(double norm) {
        return norm <= settings.robustScalePx() ? 1.0 : settings.robustScalePx() / norm;
    }

    /**
     * Drops whole tracks whose RMS error stands out of the tracks' distribution (median plus a number of
     * median absolute deviations): a point on skin that moves with speech, or one that slid along an edge,
     * keeps a large error under any rigid pose. Returns how many were dropped.
     */
    private int rejectOutlierTracks(double[][] rot, double[] trans, double[] x) {
        if (!Double.isFinite(settings.outlierTrackMads()) || points == 0) {
            return 0;
        }
        double[] sum = new double[points];
        int[] count = new int[points];
        for (int k = 0; k < obsFrame.length; k++) {
            double[] e = residual(rot, trans, x, k);
            sum[obsPoint[k]] += e[0] * e[0] + e[1] * e[1];
            count[obsPoint[k]]++;
        }
        double[] trackRms = new double[points];
        for (int j = 0; j < points; j++) {
            trackRms[j] = count[j] == 0 ? 0 : Math.sqrt(sum[j] / count[j]);
        }
        double median = median(trackRms);
        double[] deviation = new double[points];
        for (int j = 0; j < points; j++) {
            deviation[j] = Math.abs(trackRms[j] - median);
        }
        double limit = Math.max(settings.outlierTrackMinPx(),
                median + settings.outlierTrackMads() * 1.4826 * median(deviation));
        int dropped = 0;
        for (int j = 0; j < points; j++) {
            if (trackRms[j] > limit) {
                trackKept[j] = false;
                dropped++;
            }
        }
        return dropped;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    /** Reprojection residual (projection minus observation) of track observation {@code k}, px. */
    private double[] residual(double[][] rot, double[] trans, double[] x, int k) {
        int fr = obsFrame[k];
        int j = obsPoint[k];
        double[] q = Rotations.apply(rot[fr], x[3 * j], x[3 * j + 1], x[3 * j + 2]);
        double p2 = q[2] + trans[3 * fr + 2];
        return new double[] {camera.focalPx() * (q[0] + trans[3 * fr]) / p2 + camera.cx() - obsU[k],
            camera.focalPx() * (q[1] + trans[3 * fr + 1]) / p2 + camera.cy() - obsV[k]};
    }

    /**
     * Gradients of the track term: the mean over kept observations of the Huber loss of the reprojection
     * residual (half its square inside the scale).
     */
    private void trackGradients(double[][] rot, double[] trans, double[] x, double[] gx, double[] gw, double[] gt) {
        Arrays.fill(gx, 0);
        Arrays.fill(gw, 0);
        Arrays.fill(gt, 0);
        double f = camera.focalPx();
        double scale = 1.0 / Math.max(1, obsFrame.length);
        for (int k = 0; k < obsFrame.length; k++) {
            int fr = obsFrame[k];
            int j = obsPoint[k];
            if (!trackKept[j]) {
                continue;
            }
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
            double du = f * p0 / p2 + camera.cx() - obsU[k];
            double dv = f * p1 / p2 + camera.cy() - obsV[k];
            double w = robustWeight(Math.sqrt(du * du + dv * dv)) * scale;
            double eu = du * w;
            double ev = dv * w;
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

    /**
     * Adds the gradients of the landmark term: {@code landmarkWeight} times the mean over frames of the
     * basis-weighted mean Huber loss of the landmark residuals.
     */
    private void landmarkGradients(double[][] rot, double[] trans, double[] gw, double[] gt) {
        if (settings.landmarkWeight() == 0 || landmarkWeightSum == 0) {
            return;
        }
        double f = camera.focalPx();
        double[] model = landmarks.modelPointsMetres();
        double[] weights = landmarks.weights();
        for (int fr = 0; fr < frames; fr++) {
            double[] r = rot[fr];
            double[] obs = landmarks.observedPx().get(fr);
            for (int i = 0; i < weights.length; i++) {
                double q0 = r[0] * model[3 * i] + r[1] * model[3 * i + 1] + r[2] * model[3 * i + 2];
                double q1 = r[3] * model[3 * i] + r[4] * model[3 * i + 1] + r[5] * model[3 * i + 2];
                double q2 = r[6] * model[3 * i] + r[7] * model[3 * i + 1] + r[8] * model[3 * i + 2];
                double p0 = q0 + trans[3 * fr];
                double p1 = q1 + trans[3 * fr + 1];
                double p2 = q2 + trans[3 * fr + 2];
                if (p2 <= 1e-6) {
                    continue;
                }
                double du = f * p0 / p2 + camera.cx() - obs[2 * i];
                double dv = f * p1 / p2 + camera.cy() - obs[2 * i + 1];
                double w = robustWeight(Math.sqrt(du * du + dv * dv)) * settings.landmarkWeight() * weights[i]
                        / (landmarkWeightSum * frames);
                double eu = du * w;
                double ev = dv * w;
                double g0 = eu * f / p2;
                double g1 = ev * f / p2;
                double g2 = -(eu * f * p0 + ev * f * p1) / (p2 * p2);
                gt[3 * fr] += g0;
                gt[3 * fr + 1] += g1;
                gt[3 * fr + 2] += g2;
                gw[3 * fr] += q1 * g2 - q2 * g1;
                gw[3 * fr + 1] += q2 * g0 - q0 * g2;
                gw[3 * fr + 2] += q0 * g1 - q1 * g0;
            }
        }
    }

    /**
     * Adds the gradients of the smoothness term: {@code smoothnessWeight} times the mean over frames of half
     * the squared image motion (px) that the second differences of rotation (half the squared Frobenius norm
     * of R(k+1) - 2 R(k) + R(k-1), the squared angle for small angles) and of translation cause.
     */
    private void smoothnessGradients(double[][] rot, double[] trans, Smoothness smooth, double[] gw, double[] gt) {
        if (settings.smoothnessWeight() == 0 || frames < 3) {
            return;
        }
        double rotScale = settings.smoothnessWeight() * smooth.rotationPxPerRad() * smooth.rotationPxPerRad() / frames;
        double transScale = settings.smoothnessWeight() * smooth.translationPxPerMetre()
                * smooth.translationPxPerMetre() / frames;
        double[][] d = new double[frames][];
        double[] dt = new double[3 * frames];
        for (int k = 1; k + 1 < frames; k++) {
            double[] dk = new double[9];
            for (int e = 0; e < 9; e++) {
                dk[e] = rot[k + 1][e] - 2 * rot[k][e] + rot[k - 1][e];
            }
            d[k] = dk;
            for (int a = 0; a < 3; a++) {
                dt[3 * k + a] = trans[3 * (k + 1) + a] - 2 * trans[3 * k + a] + trans[3 * (k - 1) + a];
            }
        }
        double[] g = new double[9];
        for (int j = 0; j < frames; j++) {
            // dLoss/dR(j) = rotScale / 2 * (D(j-1) - 2 D(j) + D(j+1)), D outside 1..frames-2 being zero.
            Arrays.fill(g, 0);
            accumulate(g, j - 1 >= 1 ? d[j - 1] : null, 0.5 * rotScale);
            accumulate(g, j >= 1 && j + 1 < frames ? d[j] : null, -rotScale);
            accumulate(g, j + 1 < frames - 1 ? d[j + 1] : null, 0.5 * rotScale);
            // Left increment: d/dw <G, [w]x R> = <G R^T, [w]x>.
            double[] m = Rotations.multiply(g, Rotations.transpose(rot[j]));
            gw[3 * j] += m[7] - m[5];
            gw[3 * j + 1] += m[2] - m[6];
            gw[3 * j + 2] += m[3] - m[1];
            for (int a = 0; a < 3; a++) {
                double s = 0;
                if (j - 1 >= 1) {
                    s += dt[3 * (j - 1) + a];
                }
                if (j >= 1 && j + 1 < frames) {
                    s -= 2 * dt[3 * j + a];
                }
                if (j + 1 < frames - 1) {
                    s += dt[3 * (j + 1) + a];
                }
                gt[3 * j + a] += transScale * s;
            }
        }
    }

    private static void accumulate(double[] target, double[] values, double factor) {
        if (values == null) {
            return;
        }
        for (int i = 0; i < target.length; i++) {
            target[i] += factor * values[i];
        }
    }

    /** Reprojection RMS of the kept track observations, px. */
    private double rms(double[][] rot, double[] trans, double[] x) {
        double sum = 0;
        int n = 0;
        for (int k = 0; k < obsFrame.length; k++) {
            if (!trackKept[obsPoint[k]]) {
                continue;
            }
            double[] e = residual(rot, trans, x, k);
            sum += e[0] * e[0] + e[1] * e[1];
            n++;
        }
        return n == 0 ? 0 : Math.sqrt(sum / n);
    }

    private static void add(double[] target, double[] delta) {
        for (int i = 0; i < target.length; i++) {
            target[i] += delta[i];
        }
    }
}
