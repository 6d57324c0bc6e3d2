package dev.synctalk.facesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

    @Test
    void aLinearSignalIsRecoveredOnHeldOutRowsAndNoiseIsNot() {
        SplittableRandom rng = new SplittableRandom(1);
        int fit = 200;
        int test = 100;
        float[][] x = new float[fit + test][6];
        double[] signal = new double[fit + test];
        double[] noise = new double[fit + test];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 6; j++) {
                x[i][j] = (float) rng.nextGaussian();
            }
            x[i][5] = 3f; // a constant column is ignored
            signal[i] = 2 * x[i][0] - x[i][3] + 0.1 * rng.nextGaussian();
            noise[i] = rng.nextGaussian();
        }
        float[][] fitX = java.util.Arrays.copyOf(x, fit);
        float[][] testX = java.util.Arrays.copyOfRange(x, fit, fit + test);
        double r = LinearProbe.heldOutCorrelation(fitX, java.util.Arrays.copyOf(signal, fit), testX,
                java.util.Arrays.copyOfRange(signal, fit, fit + test), 1e-3);
        assertTrue(r > 0.99, "r = " + r);
        double chance = LinearProbe.heldOutCorrelation(fitX, java.util.Arrays.copyOf(noise, fit), testX,
                java.util.Arrays.copyOfRange(noise, fit, fit + test), 1e-3);
        assertTrue(Math.abs(chance) < 0.3, "r = " + chance);
        assertEquals(1.0, LinearProbe.pearson(new double[] {1, 2, 3}, new double[] {2, 4, 6}), 1e-12);
    }
}
