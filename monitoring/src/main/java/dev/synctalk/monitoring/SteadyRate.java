package dev.synctalk.monitoring;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A stage's own throughput in steady state: units (frames, steps) per second counted from the moment the first
 * {@code startupUnits} were done, so start-up (JIT compilation, loading kernels, first allocations, filling a
 * pipeline) is left out; and how much of that time the stage was busy, which says whether the rate is the stage's
 * own limit (busy ~100%) or its neighbours' (it waited for inputs or for downstream to take its outputs).
 * One thread records; any thread may read.
 */
public final class SteadyRate {
    private final long startupUnits;
    private final LongSupplier nanoClock;
    private long completed;
    private long steadyStartNanos;
    private long lastNanos;
    private long busyNanos;

    /** @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}) */
    public SteadyRate(long startupUnits, LongSupplier nanoClock) {
        if (startupUnits < 1) {
            throw new IllegalArgumentException("at least one unit marks the end of start-up, got " + startupUnits);
        }
        this.startupUnits = startupUnits;
        this.nanoClock = nanoClock;
    }

    public long startupUnits() {
        return startupUnits;
    }

    /** {@code units} more are done now. */
    public synchronized void completed(long units) {
        long now = nanoClock.getAsLong();
        long before = completed;
        completed += units;
        if (before < startupUnits && completed >= startupUnits) {
            steadyStartNanos = now;
        }
        lastNanos = now;
    }

    /** The stage spent {@code nanos} working (a process call); counted once start-up is over. */
    public synchronized void busy(long nanos) {
        if (completed >= startupUnits) {
            busyNanos += nanos;
        }
    }

    public synchronized long completed() {
        return completed;
    }

    /** Units done after start-up. */
    public synchronized long steadyUnits() {
        return Math.max(0, completed - startupUnits);
    }

    /** Steady-state units per second; NaN until a unit after start-up is done. */
    public synchronized double perSecond() {
        long units = completed - startupUnits;
        long elapsed = lastNanos - steadyStartNanos;
        return units <= 0 || elapsed <= 0 ? Double.NaN : units / (elapsed / 1e9);
    }

    /** Share of the steady-state time the stage was busy, in [0, 1]; NaN while unknown. */
    public synchronized double busyShare() {
        long elapsed = lastNanos - steadyStartNanos;
        return completed <= startupUnits || elapsed <= 0 ? Double.NaN : Math.min(1.0, busyNanos / (double) elapsed);
    }

    /** E.g. "250.0 frames/s in steady state (frames 3..102; the first 3, start-up, left out), busy 75% of that time". */
    public synchronized String summary(String unitName) {
        if (completed <= startupUnits) {
            return String.format(Locale.ROOT, "no steady-state rate: %d %s, start-up is the first %d", completed,
                    unitName, startupUnits);
        }
        return String.format(Locale.ROOT, "%.1f %s/s in steady state (%s %d..%d; the first %d, start-up, left out),"
                        + " busy %.0f%% of that time", perSecond(), unitName, unitName, startupUnits, completed - 1,
                startupUnits, 100 * busyShare());
    }
}
