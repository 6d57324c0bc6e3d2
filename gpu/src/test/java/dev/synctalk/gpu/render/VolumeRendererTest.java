package dev.synctalk.gpu.render;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VolumeRendererTest {
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** Rays with 0..maxSamples samples each, packed in ray order. */
    static RaySamples randomRays(SplittableRandom rng, int rayCount, int maxSamples, float maxSigma) {
        int[] rays = new int[2 * rayCount];
        int m = 0;
        for (int r = 0; r < rayCount; r++) {
            int count = rng.nextInt(maxSamples + 1);
            rays[2 * r] = m;
            rays[2 * r + 1] = count;
            m += count;
        }
        Tensor sigma = Tensor.uniform(rng, 0f, maxSigma, m);
        Tensor rgb = Tensor.uniform(rng, 0f, 1f, m, 3);
        Tensor dt = Tensor.uniform(rng, 0.05f, 0.15f, m);
        Tensor t = Tensor.zeros(m);
        for (int r = 0; r < rayCount; r++) {
            float along = 0.5f;
            for (int i = rays[2 * r]; i < rays[2 * r] + rays[2 * r + 1]; i++) {
                t.data()[i] = along;
                along += dt.data()[i];
            }
        }
        return new RaySamples(rays, sigma, rgb, dt, t);
    }

    @Test
    void volumeRendererGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(71);
        int rayCount = 12;
        // sigma <= 4, dt <= 0.15, <= 10 samples: T stays above e^-6, far from the 1e-4 cut-off
        RaySamples samples = randomRays(rng, rayCount, 10, 4f);
        VolumeRenderer renderer = VolumeRenderer.training();
        Tensor background = Tensor.uniform(rng, 0f, 1f, rayCount, 3);
        RenderOutput out = RenderOutput.zeros(rayCount);
        float[] probeImage = GradientCheck.probe(rng, rayCount * 3);
        float[] probeDepth = GradientCheck.probe(rng, rayCount);
        float[] probeWs = GradientCheck.probe(rng, rayCount);
        Tensor gradSigma = Tensor.zeros(samples.sampleCount());
        Tensor gradRgb = Tensor.zeros(samples.sampleCount(), 3);
        backend.volumeRenderBackward(renderer, samples, background, Tensor.wrap(probeImage, rayCount, 3),
                Tensor.wrap(probeDepth, rayCount), Tensor.wrap(probeWs, rayCount), gradSigma, gradRgb);
        DoubleSupplier objective = () -> {
            backend.volumeRenderForward(renderer, samples, background, out);
            return GradientCheck.weightedSum(out.image().data(), probeImage)
                    + GradientCheck.weightedSum(out.depth().data(), probeDepth)
                    + GradientCheck.weightedSum(out.weightsSum().data(), probeWs);
        };
        GradientCheck.assertMatches("sigma", samples.sigma().data(), gradSigma.data(), objective, 1e-3f,
                GradientCheck.indices(rng, samples.sampleCount(), 60), 1e-2);
        GradientCheck.assertMatches("rgb", samples.rgb().data(), gradRgb.data(), objective, 1e-3f,
                GradientCheck.indices(rng, samples.rgb().size(), 60), 1e-2);
    }

    @Test
    void volumeRendererMatchesEquationNineOnAHandComputedRay() {
        // two samples: alpha_0 = 1 - e^-1, alpha_1 = 1 - e^-2
        int[] rays = {0, 2};
        RaySamples s = new RaySamples(rays, Tensor.wrap(new float[]{2f, 4f}, 2),
                Tensor.wrap(new float[]{1f, 0f, 0f, 0f, 1f, 0f}, 2, 3), Tensor.wrap(new float[]{0.5f, 0.5f}, 2),
                Tensor.wrap(new float[]{1f, 1.5f}, 2));
        RenderOutput out = RenderOutput.zeros(1);
        backend.volumeRenderForward(VolumeRenderer.training(), s, Tensor.wrap(new float[]{0f, 0f, 1f}, 1, 3), out);
        double a0 = 1 - Math.exp(-1);
        double a1 = 1 - Math.exp(-2);
        double w0 = a0;
        double w1 = a1 * (1 - a0);
        assertEquals(w0, out.image().data()[0], 1e-6);
        assertEquals(w1, out.image().data()[1], 1e-6);
        assertEquals(1 - w0 - w1, out.image().data()[2], 1e-6, "background fills the remaining transmittance");
        assertEquals(w0 * 1 + w1 * 1.5, out.depth().data()[0], 1e-6);
        assertEquals(w0 + w1, out.weightsSum().data()[0], 1e-6);
    }

    @Test
    void volumeRendererStopsAfterTheSampleThatDropsTransmittanceBelowThreshold() {
        // sample 1 is nearly opaque: T after it = e^-20 < 1e-4, so it still contributes and 2, 3 do not
        int[] rays = {0, 4};
        RaySamples s = new RaySamples(rays, Tensor.wrap(new float[]{0.5f, 200f, 3f, 3f}, 4),
                Tensor.wrap(new float[]{0.2f, 0.2f, 0.2f, 0.9f, 0.9f, 0.9f, 0.5f, 0.5f, 0.5f, 0.1f, 0.1f, 0.1f}, 4, 3),
                Tensor.filled(0.1f, 4), Tensor.wrap(new float[]{1f, 1.1f, 1.2f, 1.3f}, 4));
        VolumeRenderer renderer = VolumeRenderer.training();
        RenderOutput out = RenderOutput.zeros(1);
        backend.volumeRenderForward(renderer, s, null, out);
        double a0 = 1 - Math.exp(-0.05);
        double w1 = (1 - a0) * (1 - Math.exp(-20));
        assertEquals(a0 * 0.2 + w1 * 0.9, out.image().data()[0], 1e-6);
        assertEquals(a0 + w1, out.weightsSum().data()[0], 1e-6);

        Tensor gradSigma = Tensor.filled(7f, 4);
        Tensor gradRgb = Tensor.filled(7f, 4, 3);
        backend.volumeRenderBackward(renderer, s, null, Tensor.filled(1f, 1, 3), null, Tensor.filled(1f, 1),
                gradSigma, gradRgb);
        assertTrue(gradRgb.data()[3] > 0, "the terminating sample is still in the gradient");
        for (int i = 2; i < 4; i++) {
            assertEquals(0f, gradSigma.data()[i], "sample " + i + " after termination");
            for (int c = 0; c < 3; c++) {
                assertEquals(0f, gradRgb.data()[3 * i + c], "sample " + i + " after termination");
            }
        }
    }

    @Test
    void emptyRaysRenderBackgroundOnly() {
        RaySamples s = new RaySamples(new int[]{0, 0}, Tensor.zeros(0), Tensor.zeros(0, 3), Tensor.zeros(0), Tensor.zeros(0));
        RenderOutput out = RenderOutput.zeros(1);
        backend.volumeRenderForward(VolumeRenderer.training(), s, Tensor.wrap(new float[]{0.1f, 0.2f, 0.3f}, 1, 3), out);
        assertEquals(0.2f, out.image().data()[1]);
        assertEquals(0f, out.weightsSum().data()[0]);
    }

    @Test
    void raySamplesRejectRaysOutsideThePackedSamples() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RaySamples(new int[]{0, 2, 2, 3},
                Tensor.zeros(4), Tensor.zeros(4, 3), Tensor.zeros(4), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("ray 1"), e.getMessage());
    }
}
