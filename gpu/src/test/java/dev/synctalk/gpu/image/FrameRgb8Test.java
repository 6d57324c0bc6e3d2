package dev.synctalk.gpu.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrameRgb8Test {

    @Test
    void everyByteOverTwoFiftyFiveComesBackAsItself() {
        for (int b = 0; b < 256; b++) {
            assertEquals(b, FrameRgb8.quantize(b / 255f));
        }
    }

    @Test
    void roundsToNearestWithTiesUpClampsAndMapsNanToZero() {
        assertEquals(1, FrameRgb8.quantize(0.5f / 255f));
        assertEquals(0, FrameRgb8.quantize(Math.nextDown(0.5f / 255f)));
        assertEquals(0, FrameRgb8.quantize(-0.3f));
        assertEquals(0, FrameRgb8.quantize(-0f));
        assertEquals(255, FrameRgb8.quantize(1.7f));
        assertEquals(255, FrameRgb8.quantize(Float.POSITIVE_INFINITY));
        assertEquals(0, FrameRgb8.quantize(Float.NEGATIVE_INFINITY));
        assertEquals(0, FrameRgb8.quantize(Float.NaN));
    }

    @Test
    void portraitIsTheRenderInsideTheFaceAndTheOriginalOutside() {
        SplittableRandom rng = new SplittableRandom(3);
        int pixels = 50;
        float[] head = new float[3 * pixels];
        for (int i = 0; i < head.length; i++) {
            head[i] = (float) rng.nextDouble(-0.2, 1.2);
        }
        byte[] original = new byte[3 * pixels];
        rng.nextBytes(original);
        byte[] face = new byte[pixels];
        byte[] outside = new byte[pixels];
        java.util.Arrays.fill(outside, (byte) 255);
        assertArrayEquals(FrameRgb8.quantize(head), FrameRgb8.portrait(head, original, face));
        assertArrayEquals(original, FrameRgb8.portrait(head, original, outside));
    }

    @Test
    void portraitRefusesMismatchedSizes() {
        assertThrows(IllegalArgumentException.class, () -> FrameRgb8.portrait(new float[6], new byte[6], new byte[3]));
    }
}
