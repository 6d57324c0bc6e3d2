package dev.synctalk.gpu.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ErrorStatsTest {

    @Test
    void identicalResultsHaveNoErrorAndPass() {
        ErrorStats stats = ErrorStats.compare(new float[] {1f, -2f, 0f}, new float[] {1f, -2f, 0f});
        assertEquals(0, stats.maxRelError());
        assertEquals(0, stats.bitMismatches());
        assertTrue(stats.within(1e-6));
    }

    @Test
    void anUnwrittenNanOutputFailsWhateverTheBound() {
        ErrorStats stats = ErrorStats.compare(new float[] {1f, 2f}, new float[] {1f, Float.NaN});
        assertEquals(1, stats.nonFinite());
        assertFalse(stats.within(Double.MAX_VALUE));
    }

    @Test
    void relativeErrorsAreMeasuredPerElementAndNormWise() {
        ErrorStats stats = ErrorStats.compare(new float[] {1f, 100f}, new float[] {1.5f, 100f});
        assertEquals(0.5, stats.maxAbsError(), 1e-12);
        assertEquals(0.5, stats.maxRelError(), 1e-12);
        assertEquals(0.5 / Math.sqrt(10001), stats.normRelError(), 1e-12);
        assertEquals(1, stats.bitMismatches());
        assertFalse(stats.within(0.1));
        assertTrue(stats.within(0.5));
    }

    @Test
    void aNanTheReferenceAlsoHasMatchesAndOneItLacksDoesNot() {
        ErrorStats kept = ErrorStats.compare(new float[] {1f, Float.NaN}, new float[] {1f, Float.NaN});
        assertEquals(0, kept.nonFinite());
        assertEquals(0.0, kept.maxAbsError());
        assertTrue(kept.within(1e-6));
        ErrorStats lost = ErrorStats.compare(new float[] {1f, Float.NaN}, new float[] {1f, 2f});
        assertEquals(1, lost.nonFinite());
        assertFalse(lost.within(1e-6));
    }
}
