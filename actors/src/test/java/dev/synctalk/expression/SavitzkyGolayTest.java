package dev.synctalk.expression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SavitzkyGolayTest {
    private final SavitzkyGolay filter = new SavitzkyGolay(5, 3);

    @Test
    void interiorSamplesUseTheClassicFiveTapCubicKernel() {
        // Window 5, order 2 or 3: (-3, 12, 17, 12, -3) / 35 at the centre.
        double[] x = {0, 0, 0, 0, 0, 0, 35, 0, 0, 0, 0, 0};
        double[] y = filter.smooth(x);
        assertArrayEquals(new double[] {0, 0, 0, 0, -3, 12, 17, 12, -3, 0, 0, 0}, y, 1e-9);
    }

    @Test
    void cubicTracksPassThroughUnchangedIncludingTheEdges() {
        double[] x = new double[9];
        for (int t = 0; t < x.length; t++) {
            x[t] = 0.5 - 0.3 * t + 0.2 * t * t - 0.01 * t * t * t;
        }
        assertArrayEquals(x, filter.smooth(x), 1e-9);
    }

    @Test
    void edgesTakeTheCubicFittedToTheFirstAndLastWindow() {
        // A spike in sample 0 is not fitted exactly by a cubic through 5 points: the edge fit spreads it.
        double[] x = {1, 0, 0, 0, 0, 0};
        double[] y = filter.smooth(x);
        // Least-squares cubic over u = -2..2 of (1, 0, 0, 0, 0): value at u = -2 is 69/70, at u = -1 is 4/70.
        assertEquals(69.0 / 70, y[0], 1e-9);
        assertEquals(4.0 / 70, y[1], 1e-9);
        assertEquals(-6.0 / 70, y[2], 1e-9);
    }

    @Test
    void savitzkyGolayMatchesScipyDefault() throws Exception {
        Random random = new Random(11);
        double[] x = new double[23];
        for (int t = 0; t < x.length; t++) {
            x[t] = Math.sin(t * 0.4) + 0.3 * random.nextGaussian();
        }
        double[] expected = scipySavgol(x);
        assertArrayEquals(expected, filter.smooth(x), 1e-12);
    }

    @Test
    void seriesShorterThanTheWindowIsRefusedAsScipyDoes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> filter.smooth(new double[4]));
        assertEquals("Savitzky-Golay window 5 needs at least 5 samples, the series has 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SavitzkyGolay(4, 2));
        assertThrows(IllegalArgumentException.class, () -> new SavitzkyGolay(5, 5));
    }

    /** scipy.signal.savgol_filter(x, 5, 3) in float64, or a skipped test without python3 + scipy. */
    private static double[] scipySavgol(double[] x) throws IOException, InterruptedException {
        String values = String.join(",", Arrays.stream(x).mapToObj(v -> Double.toString(v)).toList());
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c",
                    "import numpy as np\nfrom scipy.signal import savgol_filter\n"
                            + "y = savgol_filter(np.array([" + values + "], dtype=np.float64), 5, 3)\n"
                            + "print(','.join(repr(float(v)) for v in y))").redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("python3 not available: " + e.getMessage());
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        Assumptions.assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "python3 with scipy not available: " + out);
        return Arrays.stream(out.split(",")).mapToDouble(Double::parseDouble).toArray();
    }
}
