package dev.synctalk.monitoring;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one graph edge: its queue depth and what was journaled from it. Thread-safe, lock-free. */
public final class EdgeMetrics {

    private final String id;
    private final LongAdder enqueued = new LongAdder();
    private final LongAdder dequeued = new LongAdder();
    // Depth is its own atomic (not enqueued - dequeued of the adders) so the maximum is tracked exactly.
    private final AtomicLong depth = new AtomicLong();
    private final AtomicLong maxDepth = new AtomicLong();
    private final LongAdder journalRecords = new LongAdder();
    private final LongAdder journalBytes = new LongAdder();

    EdgeMetrics(String id) {
        this.id = id;
    }

    /** The edge id, e.g. {@code mel.windows--feats.in}. */
    public String id() {
        return id;
    }

    public void enqueued() {
        enqueued.increment();
        long now = depth.incrementAndGet();
        if (now > maxDepth.get()) {
            maxDepth.accumulateAndGet(now, Math::max);
        }
    }

    public void dequeued() {
        dequeued.increment();
        depth.decrementAndGet();
    }

    /** Messages waiting: enqueued - dequeued (momentarily negative only if a dequeue is reported before its enqueue). */
    public long depth() {
        return depth.get();
    }

    public long maxDepth() {
        return maxDepth.get();
    }

    /** One record of {@code bytes} written to this edge's journal. */
    public void journaled(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("edge " + id + ": journaled a negative byte count " + bytes);
        }
        journalRecords.increment();
        journalBytes.add(bytes);
    }

    public long journalRecords() {
        return journalRecords.sum();
    }

    public long journalBytes() {
        return journalBytes.sum();
    }

    Snapshot.Edge snapshot() {
        return new Snapshot.Edge(id, enqueued.sum(), dequeued.sum(), depth.get(), maxDepth.get(),
                journalRecords.sum(), journalBytes.sum());
    }
}
