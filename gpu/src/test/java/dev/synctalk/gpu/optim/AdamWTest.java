package dev.synctalk.gpu.optim;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AdamWTest {
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static float[] runSteps(AdamWConfig config, float start, float[] gradients) {
        Tensor p = Tensor.wrap(new float[]{start}, 1);
        Tensor g = Tensor.zeros(1);
        AdamW opt = new AdamW(backend, List.of(new ParamGroup("p", List.of(p), List.of(g), config)));
        float[] trajectory = new float[gradients.length];
        for (int k = 0; k < gradients.length; k++) {
            g.data()[0] = gradients[k];
            opt.step();
            trajectory[k] = p.data()[0];
        }
        return trajectory;
    }

    @Test
    void adamWMatchesPyTorchUpdateRule() {
        // torch.optim.AdamW(lr 0.1, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01), p0 = 1, grads 0.5, -0.25, 0.125.
        // Step 1 by hand: p = 1 * (1 - 0.1 * 0.01) = 0.999; m = 0.05; v = 0.00025; m_hat = 0.5, sqrt(v_hat) = 0.5;
        // p = 0.999 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.899000002. Steps 2-3 by the same rule in double.
        float[] p = runSteps(new AdamWConfig(0.1, 0.9, 0.999, 1e-8, 0.01), 1f, new float[]{0.5f, -0.25f, 0.125f});
        assertEquals(0.899000002, p[0], 1e-6);
        assertEquals(0.8714672987058463, p[1], 1e-6);
        assertEquals(0.8365529176159483, p[2], 1e-6);
    }

    @Test
    void syncTalkBetasWithZeroMomentumFollowTheRule() {
        // betas (0, 0.99): m = g exactly, bias correction 1 has no effect; step 1 moves by lr * sign(g)
        float[] p = runSteps(AdamWConfig.syncTalk(1e-2), -2f, new float[]{0.3f, 0.3f, -1.2f});
        assertEquals(-2.009999999666667, p[0], 1e-6);
        assertEquals(-2.0199999993333337, p[1], 1e-6);
        assertEquals(-2.0037381372164202, p[2], 1e-6);
    }

    @Test
    void resumedOptimizerMatchesUninterruptedRun() {
        SplittableRandom rng = new SplittableRandom(91);
        Tensor init = Tensor.uniform(rng, -1f, 1f, 50);
        float[][] grads = new float[6][];
        for (int k = 0; k < grads.length; k++) {
            grads[k] = Tensor.uniform(rng, -1f, 1f, 50).data();
        }
        AdamWConfig config = new AdamWConfig(1e-2, 0.9, 0.99, 1e-8, 1e-2);

        Tensor straight = init.copy();
        Tensor g1 = Tensor.zeros(50);
        AdamW a = new AdamW(backend, List.of(new ParamGroup("net", List.of(straight), List.of(g1), config)));
        for (float[] grad : grads) {
            System.arraycopy(grad, 0, g1.data(), 0, 50);
            a.step();
        }

        Tensor first = init.copy();
        Tensor g2 = Tensor.zeros(50);
        AdamW b = new AdamW(backend, List.of(new ParamGroup("net", List.of(first), List.of(g2), config)));
        for (int k = 0; k < 3; k++) {
            System.arraycopy(grads[k], 0, g2.data(), 0, 50);
            b.step();
        }
        List<AdamWState> checkpoint = b.exportState();
        assertEquals(3, checkpoint.get(0).step());

        Tensor resumed = first.copy();
        Tensor g3 = Tensor.zeros(50);
        AdamW c = new AdamW(backend, List.of(new ParamGroup("net", List.of(resumed), List.of(g3), config)));
        c.importState(checkpoint);
        for (int k = 3; k < grads.length; k++) {
            System.arraycopy(grads[k], 0, g3.data(), 0, 50);
            c.step();
        }
        assertArrayEquals(straight.data(), resumed.data());
    }

    @Test
    void importRejectsStateOfAnotherGroup() {
        Tensor p = Tensor.zeros(3);
        AdamW opt = new AdamW(backend, List.of(new ParamGroup("grid", List.of(p), List.of(Tensor.zeros(3)),
                AdamWConfig.syncTalk(1e-2))));
        AdamWState wrong = new AdamWState("net", 1, List.of(new float[3]), List.of(new float[3]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.importState(List.of(wrong)));
        assertEquals(true, e.getMessage().contains("'net'"), e.getMessage());
    }

    @Test
    void learningRateSchedulesFollowSyncTalkLambdas() {
        LearningRateSchedule decay = LearningRateSchedule.exponentialDecay(0.5, 60000);
        assertEquals(1.0, decay.factor(0));
        assertEquals(0.5, decay.factor(60000), 1e-12);
        assertEquals(Math.sqrt(0.5), decay.factor(30000), 1e-12);
        assertEquals(0.05, LearningRateSchedule.exponentialDecay(0.05, 100).factor(100), 1e-12);
        LearningRateSchedule warm = LearningRateSchedule.linearWarmup(10).times(decay);
        assertEquals(0.1, warm.factor(0), 1e-12);
        assertEquals(decay.factor(20), warm.factor(20), 1e-15);
    }

    @Test
    void groupsUseTheirOwnLearningRates() {
        Tensor grid = Tensor.zeros(1);
        Tensor net = Tensor.zeros(1);
        Tensor gg = Tensor.wrap(new float[]{1f}, 1);
        Tensor gn = Tensor.wrap(new float[]{1f}, 1);
        AdamW opt = new AdamW(backend, List.of(
                new ParamGroup("grid", List.of(grid), List.of(gg), AdamWConfig.syncTalk(1e-2)),
                new ParamGroup("net", List.of(net), List.of(gn), AdamWConfig.syncTalk(1e-3))));
        opt.setLearningRateFactor(0.5);
        opt.step();
        // first step moves by lr * factor * sign(g) (up to eps)
        assertEquals(-5e-3, grid.data()[0], 1e-8);
        assertEquals(-5e-4, net.data()[0], 1e-8);
    }
}
