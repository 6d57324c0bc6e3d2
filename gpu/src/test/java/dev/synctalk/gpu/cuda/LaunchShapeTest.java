package dev.synctalk.gpu.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LaunchShapeTest {

    @Test
    void gridStrideCoversSmallInputsWithOneThreadEachAndCapsLargeOnes() {
        assertEquals(new LaunchShape(4, 1, 1, 256, 1, 1, 0), LaunchShape.gridStride(1000, 256, 4224));
        assertEquals(new LaunchShape(1, 1, 1, 256, 1, 1, 0), LaunchShape.gridStride(0, 256, 4224));
        assertEquals(4224, LaunchShape.gridStride(1L << 30, 256, 4224).gridX());
    }

    @Test
    void perPixelRoundsTheGridUp() {
        LaunchShape s = LaunchShape.perPixel(257, 131, 32, 8);
        assertEquals(9, s.gridX());
        assertEquals(17, s.gridY());
        assertEquals(9L * 17 * 256, s.threadCount());
    }

    @Test
    void invalidShapesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new LaunchShape(1, 1, 1, 64, 32, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchShape(0, 1, 1, 32, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchShape(1, 1, 1, 32, 1, 1, -1));
    }
}
