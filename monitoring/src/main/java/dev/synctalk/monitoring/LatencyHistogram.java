package dev.synctalk.monitoring;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lock-free histogram of non-negative nanosecond durations: log2 buckets, each split into 8 linear
 * sub-buckets, so a quantile estimate is within about 6% of the true value over the whole long range
 * (the same idea as HdrHistogram with 3 significant bits, in 488 fixed counters).
 */
final class LatencyHistogram {

    private static final int SUB_BUCKET_BITS = 3;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    /** Values below 8 get one bucket each; every power of two from 2^3 to 2^62 gets 8 sub-buckets. */
    static final int BUCKET_COUNT = (62 - 2 + 1) * SUB_BUCKETS;

    private final AtomicLongArray buckets = new AtomicLongArray(BUCKET_COUNT);
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();
    private final AtomicLong maxNanos = new AtomicLong();

    void record(long nanos) {
        buckets.incrementAndGet(bucketIndex(nanos));
        count.increment();
        sumNanos.add(nanos);
        // Reading first keeps the common case (not a new maximum) free of CAS traffic.
        if (nanos > maxNanos.get()) {
            maxNanos.accumulateAndGet(nanos, Math::max);
        }
    }

    static int bucketIndex(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value);
        int subBucket = (int) ((value >>> (exponent - SUB_BUCKET_BITS)) & (SUB_BUCKETS - 1));
        return (exponent - 2) * SUB_BUCKETS + subBucket;
    }

    static long bucketLowerBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int exponent = index / SUB_BUCKETS + 2;
        long subBucket = index % SUB_BUCKETS;
        return (SUB_BUCKETS + subBucket) << (exponent - SUB_BUCKET_BITS);
    }

    static long bucketWidth(int index) {
        return index < SUB_BUCKETS ? 1 : 1L << (index / SUB_BUCKETS + 2 - SUB_BUCKET_BITS);
    }

    Snapshot.Latency snapshot() {
        long[] counts = new long[BUCKET_COUNT];
        long bucketTotal = 0;
        for (int i = 0; i < BUCKET_COUNT; i++) {
            counts[i] = buckets.get(i);
            bucketTotal += counts[i];
        }
        long max = maxNanos.get();
        return new Snapshot.Latency(
                count.sum(),
                sumNanos.sum(),
                max,
                quantile(counts, bucketTotal, max, 0.50),
                quantile(counts, bucketTotal, max, 0.90),
                quantile(counts, bucketTotal, max, 0.99));
    }

    /** The midpoint of the bucket holding the q-th ranked value, never above the largest value seen; 0 when empty. */
    private static long quantile(long[] counts, long total, long max, double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i];
            if (cumulative >= rank) {
                long midpoint = bucketLowerBound(i) + (bucketWidth(i) - 1) / 2;
                return Math.min(midpoint, max);
            }
        }
        return max;
    }
}
