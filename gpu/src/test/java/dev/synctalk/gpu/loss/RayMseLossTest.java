package dev.synctalk.gpu.loss;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RayMseLossTest {
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
    void rayMseGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(81);
        RayMseLoss mse = new RayMseLoss(3);
        int r = 10;
        Tensor pred = Tensor.uniform(rng, 0f, 1f, r, 3);
        Tensor target = Tensor.uniform(rng, 0f, 1f, r, 3);
        Tensor loss = Tensor.zeros(r);
        float[] probe = GradientCheck.probe(rng, r);
        Tensor grad = Tensor.zeros(r, 3);
        backend.rayMseBackward(mse, pred, target, Tensor.wrap(probe, r), grad);
        GradientCheck.assertMatches("MSE prediction", pred.data(), grad.data(), () -> {
            backend.rayMseForward(mse, pred, target, loss);
            return GradientCheck.weightedSum(loss.data(), probe);
        }, 1e-3f, GradientCheck.indices(rng, pred.size(), 30), 1e-2);
    }

    @Test
    void rayMseAveragesOverChannels() {
        RayMseLoss mse = new RayMseLoss(3);
        Tensor loss = Tensor.zeros(1);
        backend.rayMseForward(mse, Tensor.wrap(new float[]{1f, 2f, 3f}, 1, 3), Tensor.wrap(new float[]{0f, 0f, 0f}, 1, 3), loss);
        assertEquals(14f / 3f, loss.data()[0], 1e-6f);
    }
}
