package dev.synctalk.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** LMD and mouth opening on hand-made 68-point landmark sets. */
class LandmarkMetricsTest {

    /** A face-like set: points on a grid, eyes' outer corners 50 px apart, inner lips 10 px apart. */
    static float[] face() {
        float[] p = new float[136];
        for (int i = 0; i < 68; i++) {
            p[2 * i] = 100 + (i % 10) * 3;
            p[2 * i + 1] = 100 + (i / 10) * 5;
        }
        set(p, 36, 75, 100);
        set(p, 45, 125, 100);
        for (int[] pair : MouthOpening.INNER_LIP_PAIRS) {
            set(p, pair[0], 90 + pair[0] % 10, 150);
            set(p, pair[1], 90 + pair[0] % 10, 160);
        }
        return p;
    }

    static void set(float[] p, int i, float x, float y) {
        p[2 * i] = x;
        p[2 * i + 1] = y;
    }

    @Test
    void aShiftedRenderHasTheShiftAsItsLmd() {
        float[] truth = face();
        float[] shifted = truth.clone();
        for (int i = 0; i < 68; i++) {
            shifted[2 * i] += 3;
            shifted[2 * i + 1] += 4;
        }
        assertEquals(5.0, LandmarkDistance.mouth(shifted, truth), 1e-6);
        assertEquals(5.0, LandmarkDistance.all(shifted, truth), 1e-6);
        assertEquals(0.0, LandmarkDistance.all(truth, truth.clone()), 0.0);
    }

    @Test
    void onlyTheMouthMovedCountsFullyInTheMouthAndDilutedInAll68() {
        float[] truth = face();
        float[] moved = truth.clone();
        for (int i = 48; i < 68; i++) {
            moved[2 * i + 1] += 2;
        }
        assertEquals(2.0, LandmarkDistance.mouth(moved, truth), 1e-6);
        assertEquals(2.0 * 20 / 68, LandmarkDistance.all(moved, truth), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> LandmarkDistance.all(new float[10], truth));
    }

    @Test
    void mouthOpeningIsTheInnerLipGapOverTheEyeCornerDistance() {
        assertEquals(10.0 / 50.0, MouthOpening.of(face()), 1e-6);
        float[] closed = face();
        for (int[] pair : MouthOpening.INNER_LIP_PAIRS) {
            closed[2 * pair[1] + 1] = closed[2 * pair[0] + 1];
        }
        assertEquals(0.0, MouthOpening.of(closed), 1e-9);
        float[] degenerate = new float[136];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MouthOpening.of(degenerate));
        assertTrue(e.getMessage().contains("eye corners"), e.getMessage());
    }
}
