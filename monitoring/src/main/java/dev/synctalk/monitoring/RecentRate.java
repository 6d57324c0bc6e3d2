package dev.synctalk.monitoring;

/**
 * Units per second, smoothed over the last several seconds, so an ETA follows the current pace instead
 * of the average since start (which is wrong after a resume that advances by the already-done units).
 * Sampled on read: each call at least {@link #SAMPLE_SPACING_NANOS} after the previous sample folds
 * the pace of that interval into an exponentially weighted average.
 */
final class RecentRate {

    static final long SAMPLE_SPACING_NANOS = 1_000_000_000L;
    /** Weight of the newest one-second interval: older intervals fade to 3% within about 10 s. */
    private static final double NEWEST_WEIGHT = 0.3;

    private boolean sampled;
    private long lastSampleNanos;
    private long lastCompleted;
    private double smoothedPerSecond = Double.NaN;

    /**
     * @param startNanos when the work began: the average since then is the rate until the first sample
     * @return units per second, or NaN while no time has passed yet
     */
    synchronized double perSecond(long nowNanos, long completed, long startNanos) {
        if (!sampled) {
            // Under a second of history says little about the pace; do not let it seed the average.
            if (nowNanos - startNanos < SAMPLE_SPACING_NANOS) {
                return average(completed, nowNanos - startNanos);
            }
            sampled = true;
            lastSampleNanos = nowNanos;
            lastCompleted = completed;
            smoothedPerSecond = average(completed, nowNanos - startNanos);
            return smoothedPerSecond;
        }
        long sinceSample = nowNanos - lastSampleNanos;
        if (sinceSample >= SAMPLE_SPACING_NANOS) {
            double recent = average(completed - lastCompleted, sinceSample);
            smoothedPerSecond = Double.isNaN(smoothedPerSecond)
                    ? recent
                    : NEWEST_WEIGHT * recent + (1 - NEWEST_WEIGHT) * smoothedPerSecond;
            lastSampleNanos = nowNanos;
            lastCompleted = completed;
        }
        return smoothedPerSecond;
    }

    static double average(long units, long elapsedNanos) {
        return elapsedNanos <= 0 ? Double.NaN : units / (elapsedNanos / 1e9);
    }
}
