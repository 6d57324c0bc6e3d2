package dev.synctalk.nerf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.gpu.render.RayMarcher;
import org.junit.jupiter.api.Test;

/**
 * The counter-based sampler is the CPU twin of headtrain.cu: the numbers are pinned here (a change to the
 * formulas breaks the twin contract and every stored run's resume), and GpuSelfTest checks the kernel against
 * this class on the GPU machine.
 */
class TrainingSamplerTest {
    private final TrainingSampler sampler = new TrainingSampler(7);

    @Test
    void streamsArePinnedNumbers() {
        long key = sampler.key(TrainingSampler.PIXEL_STREAM, 5);
        assertEquals(-4920957192412356634L, key);
        assertEquals(7252548308872106906L, TrainingSampler.value(key, 0));
        assertEquals(5836464703642060860L, TrainingSampler.value(key, 1));
        assertEquals(103064, TrainingSampler.uniformInt(TrainingSampler.value(key, 0), 262144));
        assertEquals(0.31639534f, TrainingSampler.uniformFloat(TrainingSampler.value(key, 1)));
        assertEquals(34, sampler.frameOfStep(5, 100));
        assertEquals(70, sampler.frameOfStep(6, 100));
        assertEquals(0.72860646f, TrainingSampler.gridNoise(sampler.gridKey(16), 1000, 2));
    }

    @Test
    void pixelsOfAStepArePinnedAndAPureFunctionOfTheStep() {
        assertArrayEquals(new int[] {1207, 971, 2998, 1584}, sampler.pixels(5, StepLayout.rays(4), 64, 48));
        assertArrayEquals(sampler.pixels(9, StepLayout.rays(100), 64, 48), sampler.pixels(9, StepLayout.rays(100), 64, 48));
        assertNotEquals(sampler.pixels(9, StepLayout.rays(4), 64, 48)[0], sampler.pixels(10, StepLayout.rays(4), 64, 48)[0]);
    }

    @Test
    void patchesAreWholeRowMajorSquaresInsideTheImage() {
        int[] q = sampler.pixels(5, StepLayout.patches(18, 3), 64, 48);
        assertArrayEquals(new int[] {920, 921, 922, 984, 985, 986, 1048, 1049, 1050,
                1532, 1533, 1534, 1596, 1597, 1598, 1660, 1661, 1662}, q);
        StepLayout layout = StepLayout.patches(4096, 32);
        assertEquals(4, layout.patchCount());
        int[] pixels = sampler.pixels(3, layout, 40, 33);
        for (int k = 0; k < layout.patchCount(); k++) {
            int corner = pixels[k * 1024];
            for (int dy = 0; dy < 32; dy++) {
                for (int dx = 0; dx < 32; dx++) {
                    int p = pixels[k * 1024 + dy * 32 + dx];
                    assertEquals(corner + dy * 40 + dx, p);
                    assertTrue(p % 40 <= 39 && p / 40 <= 32);
                }
            }
        }
    }

    @Test
    void lipsLayoutCoversTheRectangleRowByRow() {
        int[] pixels = sampler.pixels(0, StepLayout.lips(new int[] {5, 7, 32}), 64, 64);
        assertEquals(1024, pixels.length);
        assertEquals(7 * 64 + 5, pixels[0]);
        assertEquals((7 + 31) * 64 + 5 + 31, pixels[1023]);
    }

    @Test
    void marchJitterIsTheSameStreamFamily() {
        long seed = sampler.marchNoiseSeed(12);
        for (int ray = 0; ray < 50; ray++) {
            assertEquals(TrainingSampler.uniformFloat(TrainingSampler.value(seed, ray)), RayMarcher.rayNoise(seed, ray));
        }
    }

    @Test
    void framesAreDrawnUniformly() {
        int[] hits = new int[10];
        for (long step = 0; step < 10_000; step++) {
            hits[sampler.frameOfStep(step, 10)]++;
        }
        for (int h : hits) {
            assertTrue(h > 900 && h < 1100, java.util.Arrays.toString(hits));
        }
    }
}
