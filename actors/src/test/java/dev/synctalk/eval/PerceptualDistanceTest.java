package dev.synctalk.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.image.FloatImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LPIPS as a report column: present with a weights file, absent (with the reason) without one. */
class PerceptualDistanceTest {
    @TempDir
    Path dir;

    @Test
    void withoutWeightsTheColumnIsAbsentAndSaysWhy() throws Exception {
        Path missing = dir.resolve("lpips_alex.stnt");
        PerceptualDistance absent = PerceptualDistance.load(missing);
        assertFalse(absent.available());
        assertTrue(absent.absentReason().orElseThrow().contains(missing.toAbsolutePath().toString()));
        assertTrue(PerceptualDistance.load(null).absentReason().orElseThrow().contains("no LPIPS weights given"));
    }

    @Test
    void distanceIsLpipsOfTheImagesMappedToMinusOneToOne() throws Exception {
        LpipsAlex net = LpipsAlex.random(new int[] {8, 12, 16, 12, 12}, 3);
        Path file = dir.resolve("random.stnt");
        net.write(file);
        PerceptualDistance lpips = PerceptualDistance.load(file);
        FloatImage a = ImageMetricsTest.pattern(40, 36);
        FloatImage b = ImageMetricsTest.perturbed(40, 36);
        assertEquals(0.0, lpips.distance(a, a.copy()).orElseThrow(), 0.0, "an exact render");
        double expected = net.distance(planar(a), planar(b))[0];
        assertTrue(expected > 0);
        assertEquals(expected, lpips.distance(a, b).orElseThrow(), 1e-12);
        assertTrue(lpips.distance(ImageMetricsTest.pattern(30, 40), ImageMetricsTest.perturbed(30, 40)).isEmpty(),
                "smaller than AlexNet's 31 px: no value");
    }

    private static Tensor planar(FloatImage image) {
        int n = image.pixelCount();
        float[] out = new float[3 * n];
        for (int p = 0; p < n; p++) {
            for (int c = 0; c < 3; c++) {
                out[c * n + p] = image.data()[3 * p + c] * 2 - 1;
            }
        }
        return Tensor.wrap(out, 1, 3, image.height(), image.width());
    }
}
