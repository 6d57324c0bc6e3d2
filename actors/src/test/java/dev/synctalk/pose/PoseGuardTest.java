package dev.synctalk.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The pose guard on a known head: rigid points seen through {@link HeadPose}'s projection
 * ({@code u = cx - f x / z, v = cy + f y / z} in OpenGL camera axes) and stored as dataset matrices.
 */
class PoseGuardTest {
    static final double FOCAL = 600;
    static final double CENTRE = 256;
    static final PoseGuard.Intrinsics CAMERA = new PoseGuard.Intrinsics(FOCAL, FOCAL, CENTRE, CENTRE);

    /**
     * Head-frame points (metres) for the 68 landmarks: the face's front, 7-10 cm ahead of the head's centre
     * (the centre of rotation), within 10 cm across.
     */
    static double[][] rigidPoints() {
        double[][] p = new double[68][];
        Random random = new Random(5);
        for (int i = 0; i < 68; i++) {
            p[i] = new double[] {0.1 * (random.nextDouble() - 0.5), 0.1 * (random.nextDouble() - 0.5),
                0.07 + 0.03 * random.nextDouble()};
        }
        return p;
    }

    /** Head swinging by up to amplitudeDeg in yaw and half that in pitch, 60 cm in front of the camera. */
    static List<RigidPose> motion(int frames, double amplitudeDeg) {
        List<RigidPose> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            double yaw = Math.toRadians(amplitudeDeg * Math.sin(i / 9.0));
            double pitch = Math.toRadians(0.5 * amplitudeDeg * Math.sin(i / 13.0 + 1));
            double[] r = Rotations.multiply(new double[] {1, 0, 0, 0, -1, 0, 0, 0, -1},
                    Rotations.multiply(Rotations.exp(pitch, 0, 0), Rotations.exp(0, yaw, 0)));
            out.add(new RigidPose(r, new double[] {0.01 * Math.sin(i / 7.0), 0.005, 0.6}));
        }
        return out;
    }

    /** Dataset matrices of the poses and the rigid points' projections (+ Gaussian noise) as 68-point sets. */
    static void observe(List<RigidPose> poses, double[][] points, double noisePx, Random random, List<double[]> matrices,
            List<float[]> landmarks) {
        PinholeCamera camera = new PinholeCamera(FOCAL, CENTRE, CENTRE);
        for (int k = 0; k < poses.size(); k++) {
            HeadPose pose = HeadPose.of(k, poses.get(k), camera);
            matrices.add(pose.toTransformMatrix());
            float[] r = pose.rotation();
            float[] t = pose.translation();
            float[] marks = new float[136];
            for (int i = 0; i < 68; i++) {
                double[] x = points[i];
                double[] p = new double[3];
                for (int a = 0; a < 3; a++) {
                    p[a] = r[3 * a] * x[0] + r[3 * a + 1] * x[1] + r[3 * a + 2] * x[2] + t[a];
                }
                marks[2 * i] = (float) (CENTRE - FOCAL * p[0] / p[2] + noisePx * random.nextGaussian());
                marks[2 * i + 1] = (float) (CENTRE + FOCAL * p[1] / p[2] + noisePx * random.nextGaussian());
            }
            landmarks.add(marks);
        }
    }

    @Test
    void exactPosesReprojectTheRigidLandmarksAndTheFrozenRotationControlDoesNot() {
        List<double[]> matrices = new ArrayList<>();
        List<float[]> landmarks = new ArrayList<>();
        observe(motion(120, 12), rigidPoints(), 0, new Random(1), matrices, landmarks);
        PoseGuard.Result r = PoseGuard.measure(matrices, CAMERA, landmarks);
        assertEquals(120, r.frames());
        assertEquals(13, r.landmarks());
        assertTrue(r.reprojectionRmsPx() < 1e-3, "exact poses: " + r.reprojectionRmsPx() + " px");
        assertTrue(r.controlRmsPx() > 5, "a head turning by 12 degrees, rotation frozen: " + r.controlRmsPx() + " px");
    }

    @Test
    void landmarkNoiseSetsTheFloor() {
        List<double[]> matrices = new ArrayList<>();
        List<float[]> landmarks = new ArrayList<>();
        observe(motion(120, 12), rigidPoints(), 0.5, new Random(2), matrices, landmarks);
        double noisy = PoseGuard.measure(matrices, CAMERA, landmarks).reprojectionRmsPx();
        // 0.5 px of noise per axis is 0.71 px per point; the fitted points absorb a little of it
        assertEquals(0.5 * Math.sqrt(2), noisy, 0.1);
    }

    @Test
    void poseJitterRaisesTheGuard() {
        double[][] points = rigidPoints();
        List<double[]> exact = new ArrayList<>();
        List<float[]> landmarks = new ArrayList<>();
        observe(motion(120, 12), points, 0, new Random(1), exact, landmarks);
        List<RigidPose> jittered = new ArrayList<>();
        Random random = new Random(3);
        for (RigidPose p : motion(120, 12)) {
            double[] r = Rotations.multiply(Rotations.exp(0.01 * random.nextGaussian(), 0.01 * random.nextGaussian(), 0),
                    p.rotation());
            jittered.add(new RigidPose(r, p.translation()));
        }
        List<double[]> jitteredMatrices = new ArrayList<>();
        observe(jittered, points, 0, new Random(4), jitteredMatrices, new ArrayList<>());
        double steady = PoseGuard.measure(exact, CAMERA, landmarks).reprojectionRmsPx();
        double withJitter = PoseGuard.measure(jitteredMatrices, CAMERA, landmarks).reprojectionRmsPx();
        assertTrue(withJitter > 0.2 && withJitter > 100 * steady,
                "poses jittering by 0.6 degrees: " + withJitter + " px, exact poses " + steady + " px");
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        List<double[]> matrices = new ArrayList<>();
        List<float[]> landmarks = new ArrayList<>();
        observe(motion(3, 5), rigidPoints(), 0, new Random(1), matrices, landmarks);
        IllegalArgumentException counts = assertThrows(IllegalArgumentException.class,
                () -> PoseGuard.measure(matrices, CAMERA, landmarks.subList(0, 2)));
        assertTrue(counts.getMessage().contains("3 poses but 2"), counts.getMessage());
        IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
                () -> PoseGuard.measure(matrices.subList(0, 1), CAMERA, landmarks.subList(0, 1)));
        assertTrue(single.getMessage().contains("at least 2 frames"), single.getMessage());
    }

    @Test
    void posesWithoutParallaxCannotBeTriangulated() {
        List<double[]> matrices = new ArrayList<>();
        List<float[]> landmarks = new ArrayList<>();
        observe(motion(10, 0), rigidPoints(), 0, new Random(1), matrices, landmarks);
        List<double[]> still = new ArrayList<>();
        for (int k = 0; k < matrices.size(); k++) {
            still.add(matrices.get(0));
        }
        PoseGuard.UntriangulableException e = assertThrows(PoseGuard.UntriangulableException.class,
                () -> PoseGuard.measure(still, CAMERA, landmarks));
        assertTrue(e.getMessage().contains("parallax"), e.getMessage());
    }
}
