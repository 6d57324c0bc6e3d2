package dev.synctalk.gpu.encoding;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SphericalHarmonicsTest {
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    static Tensor unitDirections(SplittableRandom rng, int n) {
        float[] d = new float[n * 3];
        for (int i = 0; i < n; i++) {
            double x = rng.nextGaussian();
            double y = rng.nextGaussian();
            double z = rng.nextGaussian();
            double len = Math.sqrt(x * x + y * y + z * z);
            d[3 * i] = (float) (x / len);
            d[3 * i + 1] = (float) (y / len);
            d[3 * i + 2] = (float) (z / len);
        }
        return Tensor.wrap(d, n, 3);
    }

    @Test
    void sphericalHarmonicsGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(8);
        int n = 25;
        Tensor dirs = unitDirections(rng, n);
        Tensor out = Tensor.zeros(n, 16);
        float[] probe = GradientCheck.probe(rng, out.size());
        Tensor grad = Tensor.zeros(n, 3);
        backend.sphericalHarmonicsBackward(dirs, Tensor.wrap(probe, n, 16), grad);
        GradientCheck.assertMatches("SH directions", dirs.data(), grad.data(), () -> {
            backend.sphericalHarmonicsForward(dirs, out);
            return GradientCheck.weightedSum(out.data(), probe);
        }, 1e-3f, GradientCheck.indices(rng, dirs.size(), 75), 1e-2);
    }

    @Test
    void sphericalHarmonicsAreOrthonormalOverTheSphere() {
        // Monte Carlo estimate of the integral of SH_i SH_j over the sphere: 4 pi * mean -> identity
        SplittableRandom rng = new SplittableRandom(99);
        int n = 40000;
        Tensor dirs = unitDirections(rng, n);
        Tensor out = Tensor.zeros(n, 16);
        backend.sphericalHarmonicsForward(dirs, out);
        for (int i = 0; i < 16; i++) {
            for (int j = i; j < 16; j++) {
                double sum = 0;
                for (int s = 0; s < n; s++) {
                    sum += (double) out.data()[s * 16 + i] * out.data()[s * 16 + j];
                }
                double integral = 4 * Math.PI * sum / n;
                assertEquals(i == j ? 1.0 : 0.0, integral, 0.06, "<SH_" + i + ", SH_" + j + ">");
            }
        }
    }

    @Test
    void sphericalHarmonicsMatchTheReferenceBasisAlongZ() {
        Tensor dirs = Tensor.wrap(new float[]{0f, 0f, 1f}, 1, 3);
        Tensor out = Tensor.zeros(1, 16);
        backend.sphericalHarmonicsForward(dirs, out);
        float[] expected = new float[16];
        expected[0] = 0.28209479177387814f;
        expected[2] = 0.48860251190291987f;
        expected[6] = 0.94617469575755997f - 0.31539156525251999f;
        expected[12] = 0.3731763325901154f * 2f;
        for (int k = 0; k < 16; k++) {
            assertEquals(expected[k], out.data()[k], 1e-6f, "coefficient " + k);
        }
    }
}
