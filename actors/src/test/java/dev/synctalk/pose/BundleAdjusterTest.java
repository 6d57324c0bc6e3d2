package dev.synctalk.pose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BundleAdjusterTest {
    private static final PinholeCamera CAMERA = PinholeCamera.centred(700, SyntheticHead.WIDTH, SyntheticHead.HEIGHT);

    /** Noisy landmarks (as a landmark network gives) and precise tracks of points on the same rigid head. */
    private record Scene(List<RigidPose> truth, List<RigidPose> rough, List<PointTrack> tracks, double[] faceVertices) {
    }

    private static Scene scene(int frames) throws Exception {
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
        for (int v = 0, id = 0; v < model.vertexCount() && tracks.size() < 80; v += 5) {
            if (model.vertexCm(v, 1) < -1.5 || model.vertexCm(v, 2) < 1) {
                continue;
            }
            int first = id % 4 == 1 ? frames / 3 : 0;
            int last = id % 4 == 3 ? 2 * frames / 3 : frames - 1;
            float[] xy = new float[2 * (last - first + 1)];
            for (int f = first; f <= last; f++) {
                double[] p = truth.get(f).toCamera(vertices[3 * v], vertices[3 * v + 1], vertices[3 * v + 2]);
                xy[2 * (f - first)] = (float) (CAMERA.focalPx() * p[0] / p[2] + CAMERA.cx() + 0.15 * random.nextGaussian());
                xy[2 * (f - first) + 1] = (float) (CAMERA.focalPx() * p[1] / p[2] + CAMERA.cy() + 0.15 * random.nextGaussian());
            }
            tracks.add(new PointTrack(id++, first, xy));
        }
        return new Scene(truth, rough, tracks, vertices);
    }

    private static double meanErrorDeg(List<RigidPose> poses, List<RigidPose> truth) {
        double sum = 0;
        for (int i = 0; i < truth.size(); i++) {
            sum += Rotations.angleBetweenDeg(poses.get(i).rotation(), truth.get(i).rotation());
        }
        return sum / truth.size();
    }

    private static BundleAdjuster.Result adjust(Scene s) {
        BundleAdjuster.Settings settings = new BundleAdjuster.Settings(300, 1e-3, 1500, 1e-4, 1e-4, 1e-4);
        BundleAdjuster ba = new BundleAdjuster(CAMERA, settings, s.truth().size(), s.tracks());
        return ba.adjust(s.rough(), BundleAdjuster.initialPoints(s.tracks(), s.rough(), CAMERA, s.faceVertices()), n -> {
        });
    }

    @Test
    void bundleAdjustmentReducesJitterOnNoisySyntheticSequence() throws Exception {
        Scene s = scene(60);
        BundleAdjuster.Result result = adjust(s);
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
        assertTrue(errorAfter < errorBefore, "rotation error " + errorBefore + " -> " + errorAfter + " deg");
        assertTrue(errorAfter < 1.0, "mean rotation error after bundle adjustment " + errorAfter + " deg");
        assertTrue(result.rmsAfterJointPx() < 0.5, "reprojection rms " + result.rmsAfterJointPx() + " px");
    }

    @Test
    void bundleAdjustmentIsDeterministic() throws Exception {
        Scene s = scene(20);
        BundleAdjuster.Result a = adjust(s);
        BundleAdjuster.Result b = adjust(s);
        assertArrayEquals(a.pointsMetres(), b.pointsMetres());
        for (int f = 0; f < s.truth().size(); f++) {
            assertArrayEquals(a.poses().get(f).rotation(), b.poses().get(f).rotation());
            assertArrayEquals(a.poses().get(f).translation(), b.poses().get(f).translation());
        }
    }
}
