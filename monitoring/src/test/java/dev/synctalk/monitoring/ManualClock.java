package dev.synctalk.monitoring;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when told, so rates and ETAs are exact in tests. */
final class ManualClock implements LongSupplier {
    private long nanos = 1_000_000_000L;

    @Override
    public synchronized long getAsLong() {
        return nanos;
    }

    synchronized void advance(Duration d) {
        nanos += d.toNanos();
    }
}
