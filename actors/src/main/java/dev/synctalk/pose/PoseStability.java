package dev.synctalk.pose;

import java.util.List;

/**
 * How steady a pose sequence is. Steps are frame-to-frame changes (real motion plus jitter); the
 * second differences (change of the step from one frame to the next) are what jitter adds on top of
 * smooth motion.
 *
 * @param meanRotationStepDeg mean angle between consecutive rotations
 * @param meanTranslationStepMm mean distance between consecutive translations
 * @param meanRotationJitterDeg mean angle between consecutive frame-to-frame rotations
 * @param meanTranslationJitterMm mean |t(k+1) - 2 t(k) + t(k-1)|
 */
public record PoseStability(double meanRotationStepDeg, double meanTranslationStepMm, double meanRotationJitterDeg,
        double meanTranslationJitterMm) {

    public static PoseStability of(List<RigidPose> poses) {
        int n = poses.size();
        double rotStep = 0;
        double transStep = 0;
        for (int k = 1; k < n; k++) {
            rotStep += Rotations.angleBetweenDeg(poses.get(k).rotation(), poses.get(k - 1).rotation());
            transStep += distance(poses.get(k).translation(), poses.get(k - 1).translation());
        }
        double rotJitter = 0;
        double transJitter = 0;
        for (int k = 1; k + 1 < n; k++) {
            double[] before = relative(poses.get(k - 1), poses.get(k));
            double[] after = relative(poses.get(k), poses.get(k + 1));
            rotJitter += Rotations.angleBetweenDeg(after, before);
            double[] a = poses.get(k - 1).translation();
            double[] b = poses.get(k).translation();
            double[] c = poses.get(k + 1).translation();
            double s = 0;
            for (int i = 0; i < 3; i++) {
                double d = c[i] - 2 * b[i] + a[i];
                s += d * d;
            }
            transJitter += Math.sqrt(s);
        }
        return new PoseStability(n > 1 ? rotStep / (n - 1) : 0, n > 1 ? 1000 * transStep / (n - 1) : 0,
                n > 2 ? rotJitter / (n - 2) : 0, n > 2 ? 1000 * transJitter / (n - 2) : 0);
    }

    private static double[] relative(RigidPose from, RigidPose to) {
        return Rotations.multiply(to.rotation(), Rotations.transpose(from.rotation()));
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < 3; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }
}
