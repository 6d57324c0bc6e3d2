package dev.synctalk.gpu.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class OccupancyMarchTest {

    private final OccupancyMarch march = new OccupancyMarch(32, 24, 40f, 2.5f, 1f, 16, 8);

    @Test
    void emptyGridKeepsNoSamples() {
        int[] bits = new int[march.bitfieldWords()];
        assertEquals(0, Arrays.stream(march.counts(bits)).sum());
        assertEquals(0, march.samples(bits).dt().length);
    }

    @Test
    void fullGridKeepsEveryCandidateOfEveryRayThatHitsTheCube() {
        int[] bits = new int[march.bitfieldWords()];
        Arrays.fill(bits, -1);
        int[] counts = march.counts(bits);
        for (int ray = 0; ray < counts.length; ray++) {
            boolean hit = march.ray(ray % march.width(), ray / march.width()).hit();
            assertEquals(hit ? march.samplesPerRay() : 0, counts[ray], "ray " + ray);
        }
    }

    @Test
    void centralRayCrossesTheCubeBetweenItsFrontAndBackFaces() {
        OccupancyMarch.Ray r = march.ray(16, 12);
        assertTrue(r.hit());
        assertEquals(1.5, r.near(), 1e-3);
        assertEquals(3.5, r.far(), 1e-3);
        assertEquals(1.0, Math.sqrt(r.dx() * r.dx() + r.dy() * r.dy() + r.dz() * r.dz()), 1e-6);
    }

    @Test
    void raysOutsideTheCubesSilhouetteMissIt() {
        OccupancyMarch wide = new OccupancyMarch(64, 64, 8f, 2.5f, 1f, 16, 8);
        assertFalse(wide.ray(0, 0).hit());
    }

    @Test
    void samplesLieInOccupiedCellsOnly() {
        float[] density = new float[march.cells()];
        for (int c = 0; c < density.length; c++) {
            density[c] = (c * 2654435761L % 1000) / 1000f;
        }
        int[] bits = OccupancyMarch.buildBits(density, 0.5f);
        OccupancyMarch.LiveSamples s = march.samples(bits);
        assertTrue(s.dt().length > 0);
        for (int k = 0; k < s.dt().length; k++) {
            assertTrue(march.occupied(bits, s.points()[3 * k], s.points()[3 * k + 1], s.points()[3 * k + 2]));
            int cell = (march.cellOf(s.points()[3 * k + 2]) * 16 + march.cellOf(s.points()[3 * k + 1])) * 16
                    + march.cellOf(s.points()[3 * k]);
            assertTrue(density[cell] > 0.5f);
        }
        assertEquals(Arrays.stream(s.counts()).sum(), s.dt().length);
    }

    @Test
    void rayRangesAreExclusivePrefixSumsOfTheCounts() {
        assertArrayEquals(new int[] {0, 2, 2, 0, 2, 3, 5, 1}, OccupancyMarch.rayRanges(new int[] {2, 0, 3, 1}));
    }

    @Test
    void bitfieldSetsExactlyTheCellsAboveThreshold() {
        float[] density = new float[70];
        density[0] = 1f;
        density[33] = 0.02f;
        density[69] = 0.01f; // not above 0.01
        int[] bits = OccupancyMarch.buildBits(density, 0.01f);
        assertArrayEquals(new int[] {1, 2, 0}, bits);
    }

    @Test
    void nonPositiveGeometryIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new OccupancyMarch(0, 1, 1f, 2f, 1f, 8, 8));
    }
}
