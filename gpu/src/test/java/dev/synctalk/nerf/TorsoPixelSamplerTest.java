package dev.synctalk.nerf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.gpu.sampling.Philox4x32;
import org.junit.jupiter.api.Test;

/**
 * The CPU twin of the device's torso sampler: a pure function of (key, step, index), so any step can be drawn
 * on its own (what resume and the GPU rely on). Its identity with torso_sample_pixels is checked on the GPU
 * (TorsoParityCheck); here its definition and its statistics.
 */
class TorsoPixelSamplerTest {

    @Test
    void pixelIsPhiloxWordZeroOfIndexStepAndStreamScaledToTheImage() {
        TorsoPixelSampler sampler = new TorsoPixelSampler(0x0123456789ABCDEFL);
        long step = (5L << 32) + 17;
        int word = Philox4x32.first(42, 17, 5, TorsoPixelSampler.PIXEL_STREAM, 0x89ABCDEF, 0x01234567);
        assertEquals(Philox4x32.below(word, 512 * 512), sampler.pixel(step, 42, 512 * 512));
        int frameWord = Philox4x32.first(0, 17, 5, TorsoPixelSampler.FRAME_STREAM, 0x89ABCDEF, 0x01234567);
        assertEquals(Philox4x32.below(frameWord, 7500), sampler.frame(step, 7500));
    }

    @Test
    void anyStepIsDrawnWithoutTheStepsBeforeIt() {
        TorsoPixelSampler a = TorsoPixelSampler.seeded(3);
        TorsoPixelSampler b = new TorsoPixelSampler(a.key());
        for (int s = 0; s < 20; s++) {
            a.pixels(s, 100, 4096);
        }
        assertArrayEquals(a.pixels(20, 1000, 4096), b.pixels(20, 1000, 4096));
        assertEquals(a.frame(123_456_789_012L, 33), b.frame(123_456_789_012L, 33));
        assertFalse(java.util.Arrays.equals(a.pixels(20, 1000, 4096), a.pixels(21, 1000, 4096)));
        assertFalse(java.util.Arrays.equals(a.pixels(20, 1000, 4096), TorsoPixelSampler.seeded(4).pixels(20, 1000, 4096)));
    }

    @Test
    void pixelsAndFramesAreUniform() {
        TorsoPixelSampler sampler = TorsoPixelSampler.seeded(11);
        int bins = 64;
        int samples = 64 * 4096;
        int[] counts = new int[bins];
        for (int p : sampler.pixels(9, samples, bins)) {
            counts[p]++;
        }
        double chi2 = 0;
        double expected = (double) samples / bins;
        for (int c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // 63 degrees of freedom: the 99.99th percentile is about 116
        assertTrue(chi2 < 116, "pixel counts are not uniform: chi2 = " + chi2);
        int frames = 10;
        int[] frameCounts = new int[frames];
        for (long s = 0; s < 20_000; s++) {
            frameCounts[sampler.frame(s, frames)]++;
        }
        double frameChi2 = 0;
        for (int c : frameCounts) {
            frameChi2 += (c - 2000.0) * (c - 2000.0) / 2000.0;
        }
        // 9 degrees of freedom: the 99.99th percentile is about 33.7
        assertTrue(frameChi2 < 33.7, "frame counts are not uniform: chi2 = " + frameChi2);
    }
}
