package dev.synctalk.gpu.cuda;

import java.util.Arrays;

/** Device-event timings of repeated runs of one piece of work, in milliseconds. */
public record TimingStats(int repetitions, double medianMillis, double minMillis, double maxMillis) {

    public static TimingStats of(double[] millis) {
        if (millis.length == 0) {
            throw new IllegalArgumentException("no timed repetitions");
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new TimingStats(n, median, sorted[0], sorted[n - 1]);
    }

    /** Bytes over the median time, in GB/s (10^9 bytes per second). */
    public double gigabytesPerSecond(double bytes) {
        return bytes / (medianMillis * 1e-3) / 1e9;
    }
}
