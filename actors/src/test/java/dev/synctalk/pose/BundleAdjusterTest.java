package dev.synctalk.pose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BundleAdjusterTest {
    private static final PinholeCamera CAMERA = PinholeCamera.centred(700, SyntheticHead.WIDTH, SyntheticHead.HEIGHT);

    /**
     * Noisy landmarks (as a landmark network gives) and precise tracks of points on the same rigid head;
     * optionally also tracks on the lips and chin that move with "speech" on top of the head motion.
     */
    private record Scene(List<RigidPose> truth, List<RigidPose> rough, List<PointTrack> tracks, double[] faceVertices,
            BundleAdjuster.Landmarks landmarks, int speechTracks) {
    }

    private static Scene scene(int frames, boolean withSpeechTracks) throws Exception {
        CanonicalFaceModel model = SyntheticHead.model();
        RoughPoseFitter fitter = RoughPoseFitter.forBasis(model, 1.0);
        double[] basis = SyntheticHead.pointsOf(model, fitter.landmarkIds());
        List<RigidPose> truth = SyntheticHead.smoothMotion(frames, 15);
        Random random = new Random(21);
        List<double[]> landmarks = new ArrayList<>();
        for (RigidPose pose : truth) {
            landmarks.add(SyntheticHead.project(basis, pose, CAMERA, 1.5, random));
        }
        List<RigidPose> rough = new ArrayList<>();
        for (RoughPoseFitter.Fit fit : fitter.fitSequence(landmarks, CAMERA)) {
            rough.add(fit.pose());
        }
        // Head points: upper-face mesh vertices (above the mouth), tracked with 0.15 px noise; every
        // fourth track starts late or ends early, as tracks do.
        double[] vertices = model.verticesMetres(1.0);
        List<PointTrack> tracks = new ArrayList<>();
        int id = 0;
        for (int v = 0; v < model.vertexCount() && tracks.size() < 80; v += 5) {
            if (model.vertexCm(v, 1) < -1.5 || model.vertexCm(v, 2) < 1) {
                continue;
            }
            int first = id % 4 == 1 ? frames / 3 : 0;
            int last = id % 4 == 3 ? 2 * frames / 3 : frames - 1;
            tracks.add(track(id++, v, first, last, truth, vertices, random, 0));
        }
        int speech = 0;
        if (withSpeechTracks) {
            // Lower face: the jaw drops up to 1 cm in head coordinates at syllable rate (about 4 Hz).
            for (int v = 2; v < model.vertexCount() && speech < 12; v += 7) {
                if (model.vertexCm(v, 1) > -4 || model.vertexCm(v, 2) < 1) {
                    continue;
                }
                tracks.add(track(id++, v, 0, frames - 1, truth, vertices, random, 0.01));
                speech++;
            }
        }
        return new Scene(truth, rough, tracks, vertices,
                new BundleAdjuster.Landmarks(basis, fitter.weights(), landmarks), speech);
    }

    private static PointTrack track(int id, int vertex, int first, int last, List<RigidPose> truth, double[] vertices,
            Random random, double jawDropMetres) {
        float[] xy = new float[2 * (last - first + 1)];
        for (int f = first; f <= last; f++) {
            double drop = jawDropMetres * 0.5 * (1 - Math.cos(2 * Math.PI * 4.0 * f / 25.0 + 0.3 * Math.sin(f)));
            double[] p = truth.get(f).toCamera(vertices[3 * vertex], vertices[3 * vertex + 1] - drop,
                    vertices[3 * vertex + 2]);
            xy[2 * (f - first)] = (float) (CAMERA.focalPx() * p[0] / p[2] + CAMERA.cx() + 0.15 * random.nextGaussian());
            xy[2 * (f - first) + 1] = (float) (CAMERA.focalPx() * p[1] / p[2] + CAMERA.cy() + 0.15 * random.nextGaussian());
        }
        return new PointTrack(id, first, xy);
    }

    private static double meanErrorDeg(List<RigidPose> poses, List<RigidPose> truth) {
        double sum = 0;
        for (int i = 0; i < truth.size(); i++) {
            sum += Rotations.angleBetweenDeg(poses.get(i).rotation(), truth.get(i).rotation());
        }
        return sum / truth.size();
    }

    private static BundleAdjuster.Result adjust(Scene s, BundleAdjuster.Settings settings) {
        BundleAdjuster ba = new BundleAdjuster(CAMERA, settings.withIterations(300, 1500), s.truth().size(), s.tracks(),
                s.landmarks());
        return ba.adjust(s.rough(), BundleAdjuster.initialPoints(s.tracks(), s.rough(), CAMERA, s.faceVertices()), n -> {
        });
    }

    @Test
    void bundleAdjustmentReducesJitterOnNoisySyntheticSequence() throws Exception {
        Scene s = scene(60, false);
        BundleAdjuster.Result result = adjust(s, BundleAdjuster.Settings.defaults());
        PoseStability before = PoseStability.of(s.rough());
        PoseStability after = PoseStability.of(result.poses());
        PoseStability truth = PoseStability.of(s.truth());
        double errorBefore = meanErrorDeg(s.rough(), s.truth());
        double errorAfter = meanErrorDeg(result.poses(), s.truth());
        System.out.printf("BA synthetic: rotation step %.3f -> %.3f deg (truth %.3f), jitter %.3f -> %.3f deg (truth %.3f);"
                + " translation step %.2f -> %.2f mm (truth %.2f); mean rotation error %.3f -> %.3f deg; rms %.3f -> %.3f px%n",
                before.meanRotationStepDeg(), after.meanRotationStepDeg(), truth.meanRotationStepDeg(),
                before.meanRotationJitterDeg(), after.meanRotationJitterDeg(), truth.meanRotationJitterDeg(),
                before.meanTranslationStepMm(), after.meanTranslationStepMm(), truth.meanTranslationStepMm(),
                errorBefore, errorAfter, result.rmsAfterPointsPx(), result.rmsAfterJointPx());
        assertTrue(after.meanRotationStepDeg() < before.meanRotationStepDeg());
        assertTrue(after.meanTranslationStepMm() < before.meanTranslationStepMm());
        assertTrue(after.meanRotationJitterDeg() < 0.5 * before.meanRotationJitterDeg());
        assertTrue(after.meanTranslationJitterMm() < before.meanTranslationJitterMm());
        assertTrue(errorAfter < errorBefore, "rotation error " + errorBefore + " -> " + errorAfter + " deg");
        assertTrue(errorAfter < 1.0, "mean rotation error after bundle adjustment " + errorAfter + " deg");
        assertTrue(result.rmsAfterJointPx() < 0.5, "reprojection rms " + result.rmsAfterJointPx() + " px");
        assertEquals(0, result.rejectedTracks(), "no track of a rigid head is an outlier");
    }

    @Test
    void smoothnessKeepsRealMotion() throws Exception {
        // Real motion: the adjusted poses must still move as much as the true head does (within 10 %), not be
        // flattened towards a constant pose by the second-difference term.
        Scene s = scene(60, false);
        PoseStability truth = PoseStability.of(s.truth());
        PoseStability after = PoseStability.of(adjust(s, BundleAdjuster.Settings.defaults()).poses());
        assertEquals(truth.meanRotationStepDeg(), after.meanRotationStepDeg(), 0.1 * truth.meanRotationStepDeg());
        assertEquals(truth.meanTranslationStepMm(), after.meanTranslationStepMm(), 0.1 * truth.meanTranslationStepMm());
    }

    @Test
    void tracksMovingWithTheJawAreDroppedAndDoNotBendThePose() throws Exception {
        Scene s = scene(60, true);
        BundleAdjuster.Result plain = adjust(s, BundleAdjuster.Settings.reference());
        BundleAdjuster.Result robust = adjust(s, BundleAdjuster.Settings.defaults());
        double plainError = meanErrorDeg(plain.poses(), s.truth());
        double robustError = meanErrorDeg(robust.poses(), s.truth());
        System.out.printf("BA with %d jaw tracks: rotation error %.3f deg (reference loss) vs %.3f deg (robust), "
                + "%d tracks dropped%n", s.speechTracks(), plainError, robustError, robust.rejectedTracks());
        assertTrue(robust.rejectedTracks() >= s.speechTracks() / 2, robust.rejectedTracks() + " tracks dropped");
        assertTrue(robustError < plainError, "rotation error " + plainError + " (reference) vs " + robustError);
        assertTrue(robustError < 1.0, "mean rotation error " + robustError + " deg");
    }

    @Test
    void bundleAdjustmentIsDeterministic() throws Exception {
        Scene s = scene(20, true);
        BundleAdjuster.Result a = adjust(s, BundleAdjuster.Settings.defaults());
        BundleAdjuster.Result b = adjust(s, BundleAdjuster.Settings.defaults());
        assertArrayEquals(a.pointsMetres(), b.pointsMetres());
        for (int f = 0; f < s.truth().size(); f++) {
            assertArrayEquals(a.poses().get(f).rotation(), b.poses().get(f).rotation());
            assertArrayEquals(a.poses().get(f).translation(), b.poses().get(f).translation());
        }
    }
}
