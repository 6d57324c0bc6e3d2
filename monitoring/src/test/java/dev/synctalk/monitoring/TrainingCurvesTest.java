package dev.synctalk.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingCurvesTest {

    @Test
    void curvesAreDownsampledWithinBound() {
        TrainingCurves curves = new MetricsRegistry("r", "train").curves();
        int steps = 100_000;
        for (int step = 0; step < steps; step++) {
            curves.record("loss", step, 2.0 * step + 1);
        }
        List<double[]> loss = curves.series().get("loss");
        assertTrue(loss.size() <= TrainingCurves.DEFAULT_MAX_POINTS_PER_SERIES, "points kept: " + loss.size());
        assertTrue(loss.size() >= TrainingCurves.DEFAULT_MAX_POINTS_PER_SERIES / 2, "points kept: " + loss.size());
        double previousStep = -1;
        for (double[] p : loss) {
            // Merged points are means of step and value, so a linear curve stays exactly on its line.
            assertEquals(2.0 * p[0] + 1, p[1], 1e-6, "point at step " + p[0]);
            assertTrue(p[0] > previousStep, "steps increase");
            previousStep = p[0];
        }
        assertTrue(loss.get(0)[0] < 32, "coverage starts near step 0: " + loss.get(0)[0]);
        assertTrue(loss.get(loss.size() - 1)[0] > steps - 64, "coverage reaches the last steps: " + previousStep);
    }

    @Test
    void everySizeStaysWithinBoundIncludingThePartialGroup() {
        TrainingCurves curves = new TrainingCurves(8);
        for (int step = 0; step < 200; step++) {
            curves.record("psnr", step, step);
            assertTrue(curves.series().get("psnr").size() <= 8, "after step " + step);
        }
    }

    @Test
    void seriesAreIndependentAndRecordedInOrder() {
        TrainingCurves curves = new TrainingCurves();
        curves.record("loss", 1, 0.9);
        curves.record("psnr", 1, 20);
        curves.record("loss", 2, 0.8);
        Map<String, List<double[]>> series = curves.series();
        assertEquals(List.of("loss", "psnr"), List.copyOf(series.keySet()));
        assertEquals(2, series.get("loss").size());
        assertEquals(0.8, series.get("loss").get(1)[1]);
    }

    @Test
    void oddOrTinyBoundsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TrainingCurves(7));
        assertThrows(IllegalArgumentException.class, () -> new TrainingCurves(2));
    }
}
