package dev.synctalk.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SteadyRateTest {
    private long now;

    @Test
    void startUpIsLeftOutOfTheRate() {
        SteadyRate rate = new SteadyRate(3, () -> now);
        // three slow start-up frames (1 s each), then frames every 4 ms
        for (int i = 0; i < 3; i++) {
            now += 1_000_000_000L;
            rate.completed(1);
        }
        assertTrue(Double.isNaN(rate.perSecond()), "no rate before a frame after start-up");
        for (int i = 0; i < 100; i++) {
            now += 4_000_000L;
            rate.busy(3_000_000L);
            rate.completed(1);
        }
        assertEquals(250.0, rate.perSecond(), 1e-9);
        assertEquals(0.75, rate.busyShare(), 1e-9);
        assertEquals(100, rate.steadyUnits());
        assertEquals("250.0 frames/s in steady state (frames 3..102; the first 3, start-up, left out), busy 75% of that"
                + " time", rate.summary("frames"));
    }

    @Test
    void busyTimeDuringStartUpDoesNotCount() {
        SteadyRate rate = new SteadyRate(1, () -> now);
        rate.busy(5_000_000_000L);
        now += 10;
        rate.completed(1);
        now += 1_000_000_000L;
        rate.busy(500_000_000L);
        rate.completed(1);
        assertEquals(0.5, rate.busyShare(), 1e-9);
        assertEquals(1.0, rate.perSecond(), 1e-9);
    }

    @Test
    void aRunShorterThanStartUpSaysSo() {
        SteadyRate rate = new SteadyRate(25, () -> now);
        rate.completed(10);
        assertTrue(Double.isNaN(rate.perSecond()));
        assertEquals("no steady-state rate: 10 frames, start-up is the first 25", rate.summary("frames"));
        assertThrows(IllegalArgumentException.class, () -> new SteadyRate(0, () -> now));
    }
}
