package dev.synctalk.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RoughPoseFitterTest {

    @Test
    void roughPoseRecoversKnownPosesFromProjectedLandmarks() throws Exception {
        CanonicalFaceModel model = SyntheticHead.model();
        RoughPoseFitter fitter = RoughPoseFitter.forBasis(model, 1.0);
        PinholeCamera cam = PinholeCamera.centred(700, SyntheticHead.WIDTH, SyntheticHead.HEIGHT);
        double[] points = SyntheticHead.pointsOf(model, fitter.landmarkIds());
        List<RigidPose> truth = SyntheticHead.smoothMotion(50, 25);
        Random random = new Random(7);
        List<double[]> observed = new ArrayList<>();
        for (RigidPose pose : truth) {
            observed.add(SyntheticHead.project(points, pose, cam, 1.0, random));
        }
        List<RoughPoseFitter.Fit> fits = fitter.fitSequence(observed, cam);
        double worstDeg = 0;
        double worstTranslationM = 0;
        for (int i = 0; i < truth.size(); i++) {
            worstDeg = Math.max(worstDeg, Rotations.angleBetweenDeg(fits.get(i).pose().rotation(), truth.get(i).rotation()));
            double[] t = fits.get(i).pose().translation();
            double[] g = truth.get(i).translation();
            worstTranslationM = Math.max(worstTranslationM, Math.sqrt(Math.pow(t[0] - g[0], 2) + Math.pow(t[1] - g[1], 2)
                    + Math.pow(t[2] - g[2], 2)));
        }
        // 1 px noise on ~33 landmarks of a face ~170 px wide: a few tenths of a degree, 3 degrees is the bound.
        assertTrue(worstDeg < 3.0, "worst rotation error " + worstDeg + " deg");
        assertTrue(worstTranslationM < 0.03, "worst translation error " + worstTranslationM + " m");
        System.out.printf("rough pose: worst rotation error %.3f deg, worst translation error %.4f m%n", worstDeg,
                worstTranslationM);
    }

    @Test
    void firstFrameConvergesFromAProfileishPoseWithoutAStart() throws Exception {
        CanonicalFaceModel model = SyntheticHead.model();
        RoughPoseFitter fitter = RoughPoseFitter.forBasis(model, 1.0);
        PinholeCamera cam = PinholeCamera.centred(600, 512, 512);
        double[] facing = {1, 0, 0, 0, -1, 0, 0, 0, -1};
        RigidPose truth = new RigidPose(Rotations.multiply(facing, Rotations.exp(0.2, Math.toRadians(50), 0.1)),
                new double[] {0.03, -0.02, 0.7});
        double[] obs = SyntheticHead.project(SyntheticHead.pointsOf(model, fitter.landmarkIds()), truth, cam, 0, new Random(1));
        RoughPoseFitter.Fit fit = fitter.fit(obs, cam, null);
        assertEquals(0, Rotations.angleBetweenDeg(fit.pose().rotation(), truth.rotation()), 1e-4);
        assertTrue(fit.rmsErrorPx() < 1e-6, "rms " + fit.rmsErrorPx());
    }

    @Test
    void focalSearchFindsTheTrueFocalWithinTenPercent() throws Exception {
        CanonicalFaceModel model = SyntheticHead.model();
        RoughPoseFitter fitter = RoughPoseFitter.forBasis(model, 1.0);
        double[] points = SyntheticHead.pointsOf(model, fitter.landmarkIds());
        for (double trueFocal : new double[] {450, 900}) {
            PinholeCamera cam = PinholeCamera.centred(trueFocal, SyntheticHead.WIDTH, SyntheticHead.HEIGHT);
            Random random = new Random(11);
            List<double[]> observed = new ArrayList<>();
            for (RigidPose pose : SyntheticHead.smoothMotion(100, 20)) {
                // Keep the face about the same size in the image whatever the focal length, as in real videos.
                double[] t = pose.translation();
                double[] scaled = {t[0] * trueFocal / 700, t[1] * trueFocal / 700, t[2] * trueFocal / 700};
                observed.add(SyntheticHead.project(points, new RigidPose(pose.rotation(), scaled), cam, 1.0, random));
            }
            FocalSearch.Result result = FocalSearch.search(fitter, observed, SyntheticHead.WIDTH, SyntheticHead.HEIGHT,
                    FocalSearch.Settings.defaults());
            double relative = Math.abs(result.focalPx() - trueFocal) / trueFocal;
            System.out.printf("focal search: true %.0f px, found %.1f px (%.1f %%)%n", trueFocal, result.focalPx(),
                    100 * relative);
            assertTrue(relative < 0.10, "found " + result.focalPx() + " px for a true focal of " + trueFocal + " px");
        }
    }
}
