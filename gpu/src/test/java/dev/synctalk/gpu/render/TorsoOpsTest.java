package dev.synctalk.gpu.render;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ops of the torso model and the compositing: alpha-over, offset-clamp and anchor projection. */
class TorsoOpsTest {
    /** Relative error bound of the finite-difference checks (float32 forward, central differences). */
    private static final double TOLERANCE = 1e-2;
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @Test
    void alphaOverGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 600; // more than one row chunk
        Tensor alpha = Tensor.uniform(rng, 0f, 1f, n);
        Tensor fg = Tensor.uniform(rng, 0f, 1f, n, 3);
        Tensor bg = Tensor.uniform(rng, 0f, 1f, n, 3);
        float[] probe = GradientCheck.probe(rng, n * 3);
        Tensor gradAlpha = Tensor.zeros(n);
        Tensor gradFg = Tensor.zeros(n, 3);
        backend.alphaOverBackward(alpha, fg, bg, Tensor.wrap(probe, n, 3), gradAlpha, gradFg);
        DoubleSupplier objective = () -> {
            Tensor out = Tensor.zeros(n, 3);
            backend.alphaOverForward(alpha, fg, bg, out);
            return GradientCheck.weightedSum(out.data(), probe);
        };
        GradientCheck.assertMatches("alpha", alpha.data(), gradAlpha.data(), objective, 1e-3f,
                GradientCheck.indices(rng, n, 40), TOLERANCE);
        GradientCheck.assertMatches("foreground", fg.data(), gradFg.data(), objective, 1e-3f,
                GradientCheck.indices(rng, 3 * n, 40), TOLERANCE);
    }

    @Test
    void alphaOverBlendsStraightAlpha() {
        Tensor out = Tensor.zeros(2, 3);
        backend.alphaOverForward(Tensor.wrap(new float[] {1f, 0.25f}, 2), Tensor.wrap(new float[] {1, 0, 0, 1, 0, 0}, 2, 3),
                Tensor.wrap(new float[] {0, 0, 1, 0, 0, 1}, 2, 3), out);
        assertArrayEquals(new float[] {1, 0, 0, 0.25f, 0, 0.75f}, out.data());
    }

    @Test
    void offsetClampPassesGradientOnlyInsideTheLimits() {
        Tensor base = Tensor.wrap(new float[] {0.5f, -0.9f, 0.2f, 0.95f}, 2, 2);
        Tensor offset = Tensor.wrap(new float[] {0.1f, -0.3f, 0.3f, 0.1f}, 2, 2);
        Tensor out = Tensor.zeros(2, 2);
        backend.offsetClampForward(base, offset, 1f, out);
        assertArrayEquals(new float[] {0.6f, -1f, 0.5f, 1f}, out.data(), 1e-6f);
        Tensor grad = Tensor.zeros(2, 2);
        backend.offsetClampBackward(base, offset, 1f, Tensor.filled(2f, 2, 2), grad);
        assertArrayEquals(new float[] {2f, 0f, 2f, 0f}, grad.data());
    }

    @Test
    void anchorProjectionGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(8);
        Tensor anchors = Tensor.wrap(new float[] {0.01f, 0.01f, 0.1f, 1f, -0.1f, -0.1f, 0.1f, 1.1f, 0.1f, -0.1f, 0.1f, 0.9f},
                3, 4);
        Tensor pose = lookingAtOriginFrom(0.3, -0.2, 2.2);
        float[] probe = GradientCheck.probe(rng, 6);
        Tensor grad = Tensor.zeros(3, 4);
        backend.projectAnchorsBackward(anchors, pose, Tensor.wrap(probe, 6), grad);
        DoubleSupplier objective = () -> {
            Tensor out = Tensor.zeros(6);
            backend.projectAnchorsForward(anchors, pose, out);
            return GradientCheck.weightedSum(out.data(), probe);
        };
        GradientCheck.assertMatches("anchors", anchors.data(), grad.data(), objective, 1e-3f,
                GradientCheck.indices(rng, 12, 12), TOLERANCE);
    }

    @Test
    void anchorAtTheOriginProjectsToTheCentreOfACameraLookingAtIt() {
        Tensor pose = lookingAtOriginFrom(0.4, 0.1, 2.0);
        Tensor out = Tensor.zeros(2);
        backend.projectAnchorsForward(Tensor.wrap(new float[] {0, 0, 0, 1}, 1, 4), pose, out);
        assertEquals(0f, out.data()[0], 1e-6f);
        assertEquals(0f, out.data()[1], 1e-6f);
        // a point 0.1 to the camera's right at depth 2 lands at x / z = 0.05
        Tensor right = Tensor.zeros(1, 4);
        float[] p = pose.data();
        for (int a = 0; a < 3; a++) {
            right.data()[a] = 0.1f * p[4 * a];
        }
        right.data()[3] = 1f;
        backend.projectAnchorsForward(right, pose, out);
        assertEquals(0.05f, out.data()[0], 1e-5f);
        assertEquals(0f, out.data()[1], 1e-6f);
    }

    /** OpenCV camera-to-world [4, 4] at the given yaw, pitch and distance, looking at the origin. */
    private static Tensor lookingAtOriginFrom(double yaw, double pitch, double distance) {
        double[] eye = {distance * Math.sin(yaw) * Math.cos(pitch), distance * Math.sin(pitch),
            distance * Math.cos(yaw) * Math.cos(pitch)};
        double[] f = normalize(new double[] {-eye[0], -eye[1], -eye[2]});
        double[] r = normalize(cross(f, new double[] {0, 1, 0}));
        double[] d = cross(f, r);
        float[] m = new float[16];
        for (int a = 0; a < 3; a++) {
            m[4 * a] = (float) r[a];
            m[4 * a + 1] = (float) d[a];
            m[4 * a + 2] = (float) f[a];
            m[4 * a + 3] = (float) eye[a];
        }
        m[15] = 1;
        return Tensor.wrap(m, 4, 4);
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static double[] normalize(double[] v) {
        double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        return new double[] {v[0] / n, v[1] / n, v[2] / n};
    }
}
