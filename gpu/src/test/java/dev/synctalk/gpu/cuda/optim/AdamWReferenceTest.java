package dev.synctalk.gpu.cuda.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AdamWReferenceTest {

    @Test
    void firstStepMatchesHandComputedTorchAdamW() {
        // p=1, g=0.5, lr=0.1, betas (0.9, 0.999), eps 1e-8, wd 0.01, step 1:
        // p <- 1 * (1 - 0.001) = 0.999; m = 0.05; v = 0.001 * 0.25 = 2.5e-4
        // denom = sqrt(2.5e-4) / sqrt(0.001) + 1e-8 = 0.5; p <- 0.999 - (0.1 / 0.1) * (0.05 / 0.5) = 0.899
        float[] p = {1f};
        float[] m = {0f};
        float[] v = {0f};
        AdamWReference.step(p, new float[] {0.5f}, m, v, AdamWScalars.of(0.1, 0.9, 0.999, 1e-8, 0.01, 1));
        assertEquals(0.899f, p[0], 1e-6f);
        assertEquals(0.05f, m[0], 1e-8f);
        assertEquals(2.5e-4f, v[0], 1e-10f);
    }

    @Test
    void syncTalkBetasKeepNoMomentum() {
        // beta1 = 0: m is the gradient itself (torch's lerp with weight 1 takes the g - (g - m) * 0 branch)
        float[] p = {0.3f, -0.2f};
        float[] m = {7f, -7f};
        float[] v = {0f, 0f};
        AdamWReference.step(p, new float[] {0.25f, -1f}, m, v, AdamWScalars.of(1e-3, 0.0, 0.99, 1e-8, 0.0, 1));
        assertEquals(0.25f, m[0]);
        assertEquals(-1f, m[1]);
        // first step with beta1 = 0: update = lr * g / (|g| + eps') = lr * sign(g)
        assertEquals(0.3f - 1e-3f, p[0], 1e-6f);
        assertEquals(-0.2f + 1e-3f, p[1], 1e-6f);
    }

    @Test
    void stepCountIsOneBased() {
        assertThrows(IllegalArgumentException.class, () -> AdamWScalars.of(1e-3, 0.9, 0.99, 1e-8, 0, 0));
    }
}
