package dev.synctalk.gpu.loss;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UncertaintyWeightedLossTest {
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
    void uncertaintyLossGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(101);
        UncertaintyWeightedLoss loss = UncertaintyWeightedLoss.syncTalk();
        int r = 16;
        float s = 0.6f;
        Tensor mse = Tensor.uniform(rng, 0f, 0.5f, r);
        Tensor unc = Tensor.uniform(rng, 0.05f, 2f, r);
        Tensor pred = Tensor.uniform(rng, 0f, 1f, r, 3);
        Tensor gt = Tensor.uniform(rng, 0f, 1f, r, 3);
        Tensor face = Tensor.zeros(r);
        for (int i = 0; i < r; i += 2) {
            face.data()[i] = 1f;
        }
        Tensor mult = Tensor.zeros(r);
        Tensor norm = Tensor.zeros(r);
        // detached terms computed once and held fixed, as torch's .detach()
        backend.uncertaintyLossPrepare(loss, s, unc, pred, gt, mult, norm);
        Tensor out = Tensor.zeros(r);
        float[] probe = GradientCheck.probe(rng, r);
        Tensor gMse = Tensor.zeros(r);
        Tensor gUnc = Tensor.zeros(r);
        backend.uncertaintyLossBackward(loss, s, unc, mult, norm, face, Tensor.wrap(probe, r), gMse, gUnc);
        DoubleSupplier objective = () -> {
            backend.uncertaintyLossForward(loss, s, mse, unc, mult, norm, face, out);
            return GradientCheck.weightedSum(out.data(), probe);
        };
        GradientCheck.assertMatches("uncertainty loss mse", mse.data(), gMse.data(), objective, 1e-3f,
                GradientCheck.indices(rng, r, r), 1e-2);
        GradientCheck.assertMatches("uncertainty loss uncertainty", unc.data(), gUnc.data(), objective, 1e-3f,
                GradientCheck.indices(rng, r, r), 1e-2);
    }

    @Test
    void uncertaintyMultiplierMovesFromUniformToSoftmaxWeightsClampedAtTen() {
        UncertaintyWeightedLoss loss = UncertaintyWeightedLoss.syncTalk();
        Tensor unc = Tensor.wrap(new float[]{30f, 0f, 0f, 0f}, 4);
        Tensor pred = Tensor.zeros(4, 3);
        Tensor gt = Tensor.filled(0.5f, 4, 3);
        Tensor mult = Tensor.zeros(4);
        Tensor norm = Tensor.zeros(4);
        backend.uncertaintyLossPrepare(loss, 0f, unc, pred, gt, mult, norm);
        for (int i = 0; i < 4; i++) {
            assertEquals(1f, mult.data()[i], 1e-6f, "step factor 0: every ray weighs 1");
        }
        assertEquals((float) Math.sqrt(0.75), norm.data()[0], 1e-6f);
        backend.uncertaintyLossPrepare(loss, 1f, unc, pred, gt, mult, norm);
        // softmax puts ~all mass on ray 0: 4 * ~1 = ~4 (under the clamp); the others ~0 -> floor 0.2
        assertEquals(0.2f + 0.8f * 4f, mult.data()[0], 1e-4f);
        assertEquals(0.2f, mult.data()[1], 1e-4f);
        Tensor many = Tensor.zeros(64);
        many.data()[0] = 30f;
        Tensor m64 = Tensor.zeros(64);
        backend.uncertaintyLossPrepare(loss, 1f, many, Tensor.zeros(64, 3), Tensor.zeros(64, 3), m64, Tensor.zeros(64));
        assertEquals(0.2f + 0.8f * 10f, m64.data()[0], 1e-5f, "64 x softmax ~ 64 is clamped to 10");
    }
}
