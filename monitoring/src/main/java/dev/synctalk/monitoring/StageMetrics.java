package dev.synctalk.monitoring;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counters, timings, progress and state of one stage. Every method is thread-safe; the recording
 * methods are lock-free (adders and atomics), so stages can call them on every message.
 *
 * <p>States: PENDING until the first activity (message in or out, processing time, advance), then
 * RUNNING, then FINISHED or FAILED. A failure wins over a finish; nothing leaves FAILED.
 */
public final class StageMetrics {

    public static final String PENDING = "PENDING";
    public static final String RUNNING = "RUNNING";
    public static final String FINISHED = "FINISHED";
    public static final String FAILED = "FAILED";

    static final String DEFAULT_UNIT = "items";
    private static final long UNSET = Long.MIN_VALUE;

    /** Total and unit change together, so they live in one immutable value. */
    private record Expected(long units, String unitName) {}

    private final String name;
    private final LongSupplier nanoClock;
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LatencyHistogram processing = new LatencyHistogram();
    private final LongAdder blockedNanos = new LongAdder();
    private final LongAdder blockedCount = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private volatile Expected expected = new Expected(0, DEFAULT_UNIT);
    private final AtomicReference<String> state = new AtomicReference<>(PENDING);
    private final AtomicLong startNanos = new AtomicLong(UNSET);
    private final AtomicLong endNanos = new AtomicLong(UNSET);
    private volatile String failureReason;
    private final RecentRate recentRate = new RecentRate();

    StageMetrics(String name, LongSupplier nanoClock) {
        this.name = name;
        this.nanoClock = nanoClock;
    }

    public String name() {
        return name;
    }

    /** One input message (or joined tuple) accepted. */
    public void messageIn() {
        markActive();
        messagesIn.increment();
    }

    public void messagesOut(long n) {
        requireNonNegative(n, "output message count");
        markActive();
        messagesOut.add(n);
    }

    /** Time the stage spent in one call. */
    public void processingNanos(long nanos) {
        requireNonNegative(nanos, "processing time (ns)");
        markActive();
        processing.record(nanos);
    }

    /** Time the stage's output waited for downstream demand (backpressure). */
    public void blockedNanos(long nanos) {
        requireNonNegative(nanos, "blocked time (ns)");
        blockedNanos.add(nanos);
        blockedCount.increment();
    }

    /** Expected units of work; 0 or less means unknown. A null or blank unit name becomes "items". */
    public void total(long units, String unitName) {
        String unit = unitName == null || unitName.isBlank() ? DEFAULT_UNIT : unitName.strip();
        expected = new Expected(Math.max(0, units), unit);
    }

    public void advance(long units) {
        requireNonNegative(units, "progress advance");
        markActive();
        completed.add(units);
    }

    /** Total time this stage's output waited for downstream demand. */
    public long blockedNanos() {
        return blockedNanos.sum();
    }

    public long messagesIn() {
        return messagesIn.sum();
    }

    public long messagesOut() {
        return messagesOut.sum();
    }

    public long completed() {
        return completed.sum();
    }

    /** Expected units, 0 when unknown. */
    public long total() {
        return expected.units();
    }

    public String unitName() {
        return expected.unitName();
    }

    public void failed(String reason) {
        failureReason = reason == null || reason.isBlank() ? "unknown cause" : reason;
        markEnded();
        state.set(FAILED);
    }

    public void finished() {
        markEnded();
        state.getAndUpdate(s -> s.equals(FAILED) ? s : FINISHED);
    }

    /** PENDING, RUNNING, FINISHED or FAILED. */
    public String state() {
        return state.get();
    }

    /** Why the stage failed; null unless FAILED. */
    public String failureReason() {
        return state.get().equals(FAILED) ? failureReason : null;
    }

    private void markActive() {
        // Volatile read on the hot path; the CAS happens once per stage.
        if (startNanos.get() == UNSET && startNanos.compareAndSet(UNSET, nanoClock.getAsLong())) {
            state.compareAndSet(PENDING, RUNNING);
        }
    }

    private void markEnded() {
        long now = nanoClock.getAsLong();
        startNanos.compareAndSet(UNSET, now);
        endNanos.compareAndSet(UNSET, now);
    }

    private void requireNonNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException("stage " + name + ": negative " + what + ": " + value);
        }
    }

    Snapshot.Stage snapshot() {
        long now = nanoClock.getAsLong();
        String currentState = state.get();
        Expected currentExpected = expected;
        long done = completed.sum();
        long start = startNanos.get();
        long end = endNanos.get();
        boolean ended = end != UNSET;
        double elapsedSeconds = start == UNSET ? 0 : ((ended ? end : now) - start) / 1e9;

        double rate;
        if (start == UNSET) {
            rate = Double.NaN;
        } else if (ended) {
            rate = RecentRate.average(done, end - start);
        } else {
            rate = recentRate.perSecond(now, done, start);
        }
        double eta = etaSeconds(currentExpected.units(), done, rate, currentState);

        return new Snapshot.Stage(name, currentState, failureReason(), messagesIn.sum(), messagesOut.sum(),
                processing.snapshot(), blockedNanos.sum(), blockedCount.sum(), done, currentExpected.units(),
                currentExpected.unitName(), elapsedSeconds, rate, eta);
    }

    private static double etaSeconds(long total, long done, double ratePerSecond, String state) {
        if (total <= 0 || state.equals(FAILED)) {
            return Double.NaN;
        }
        if (done >= total || state.equals(FINISHED)) {
            return 0;
        }
        if (Double.isNaN(ratePerSecond) || ratePerSecond <= 0) {
            return Double.NaN;
        }
        return (total - done) / ratePerSecond;
    }
}
