package dev.synctalk.gpu.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GaussianTapsTest {

    @Test
    void smallOpenCvKernelsAreItsBinomialTables() {
        assertArrayEquals(new float[] {0.0625f, 0.25f, 0.375f, 0.25f, 0.0625f}, GaussianTaps.openCvDefault(5).weights());
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.25f}, GaussianTaps.openCvDefault(3).weights());
    }

    @Test
    void largerOpenCvKernelsUseItsDefaultSigma() {
        // k = 9: sigma = 0.3 * (4 - 1) + 0.8 = 1.7; w(t) = exp(-t^2 / 5.78) / sum
        GaussianTaps taps = GaussianTaps.openCvDefault(9);
        assertEquals(4, taps.radius());
        double sum = 0;
        for (int t = -4; t <= 4; t++) {
            sum += Math.exp(-t * t / 5.78);
        }
        assertEquals(1 / sum, taps.weight(0), 1e-7);
        assertEquals(Math.exp(-16 / 5.78) / sum, taps.weight(4), 1e-7);
        assertEquals(taps.weight(-3), taps.weight(3));
    }

    @Test
    void weightsSumToOne() {
        GaussianTaps taps = GaussianTaps.of(12, 4.0);
        double sum = 0;
        for (float w : taps.weights()) {
            sum += w;
        }
        assertEquals(1.0, sum, 1e-6);
    }

    @Test
    void radiusBeyondTheKernelsSharedTableIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> GaussianTaps.of(33, 10));
        assertThrows(IllegalArgumentException.class, () -> GaussianTaps.openCvDefault(4));
    }
}
