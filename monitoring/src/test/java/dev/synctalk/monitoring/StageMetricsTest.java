package dev.synctalk.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StageMetricsTest {

    @Test
    void countersAreExactUnderConcurrentUpdates() throws Exception {
        MetricsRegistry registry = new MetricsRegistry("run-1", "g");
        int threads = 4;
        int perThread = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    // Every thread goes through get-or-create, so creation races are exercised too.
                    StageMetrics stage = registry.stage("mel");
                    EdgeMetrics edge = registry.edge("audio.samples--mel.in");
                    for (int i = 0; i < perThread; i++) {
                        stage.messageIn();
                        stage.messagesOut(2);
                        stage.processingNanos(1_000);
                        stage.blockedNanos(10);
                        stage.advance(1);
                        edge.enqueued();
                        edge.journaled(8);
                        edge.dequeued();
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long n = (long) threads * perThread;
        StageMetrics stage = registry.stage("mel");
        assertEquals(1, registry.stages().size(), "one stage despite concurrent get-or-create");
        assertEquals(n, stage.messagesIn());
        assertEquals(2 * n, stage.messagesOut());
        assertEquals(n, stage.completed());
        Snapshot.Stage snap = registry.snapshot().stage("mel").orElseThrow();
        assertEquals(n, snap.processing().count());
        assertEquals(1_000 * n, snap.processing().sumNanos());
        assertEquals(10 * n, snap.blockedNanos());
        assertEquals(n, snap.blockedCount());
        EdgeMetrics edge = registry.edge("audio.samples--mel.in");
        assertEquals(0, edge.depth());
        assertEquals(n, edge.journalRecords());
        assertEquals(8 * n, edge.journalBytes());
        assertTrue(edge.maxDepth() >= 1 && edge.maxDepth() <= threads, "max depth " + edge.maxDepth());
    }

    @Test
    void stateGoesFromPendingToRunningOnFirstActivityThenFinished() {
        MetricsRegistry registry = new MetricsRegistry("run-1", "g");
        StageMetrics stage = registry.stage("decode");
        stage.total(10, "frames");
        assertEquals(StageMetrics.PENDING, stage.state(), "declaring a total is not activity");
        stage.messagesOut(1);
        assertEquals(StageMetrics.RUNNING, stage.state());
        stage.finished();
        assertEquals(StageMetrics.FINISHED, stage.state());
        stage.messageIn();
        assertEquals(StageMetrics.FINISHED, stage.state(), "late activity does not reopen a finished stage");
        assertNull(stage.failureReason());
    }

    @Test
    void failureWinsOverFinishAndKeepsItsReason() {
        MetricsRegistry registry = new MetricsRegistry("run-1", "g");
        StageMetrics stage = registry.stage("landmarks");
        stage.messageIn();
        stage.failed("weights file models/fan.bin not found");
        stage.finished();
        assertEquals(StageMetrics.FAILED, stage.state());
        Snapshot.Stage snap = registry.snapshot().stage("landmarks").orElseThrow();
        assertEquals("weights file models/fan.bin not found", snap.failureReason());
        assertTrue(Double.isNaN(snap.etaSeconds()));
    }

    @Test
    void processingQuantilesAreWithinBucketPrecision() {
        MetricsRegistry registry = new MetricsRegistry("run-1", "g");
        StageMetrics stage = registry.stage("render");
        // 1..1000 microseconds: p50 = 500 us, p90 = 900 us, p99 = 990 us.
        for (int us = 1; us <= 1000; us++) {
            stage.processingNanos(us * 1_000L);
        }
        Snapshot.Latency latency = registry.snapshot().stage("render").orElseThrow().processing();
        assertEquals(1000, latency.count());
        assertEquals(1_000_000L, latency.maxNanos());
        assertWithin(500_000, latency.p50Nanos(), 0.07);
        assertWithin(900_000, latency.p90Nanos(), 0.07);
        assertWithin(990_000, latency.p99Nanos(), 0.07);
    }

    @Test
    void histogramBucketsCoverTheWholeLongRangeWithoutGaps() {
        for (int i = 1; i < LatencyHistogram.BUCKET_COUNT; i++) {
            assertEquals(LatencyHistogram.bucketLowerBound(i - 1) + LatencyHistogram.bucketWidth(i - 1),
                    LatencyHistogram.bucketLowerBound(i), "bucket " + i + " starts where bucket " + (i - 1) + " ends");
        }
        for (long v : new long[] {0, 7, 8, 15, 16, 1_000_003, Long.MAX_VALUE}) {
            int i = LatencyHistogram.bucketIndex(v);
            long low = LatencyHistogram.bucketLowerBound(i);
            assertTrue(v >= low && v - low < LatencyHistogram.bucketWidth(i), v + " falls in bucket " + i);
        }
    }

    @Test
    void negativeDurationsAreRejectedNamingTheStage() {
        StageMetrics stage = new MetricsRegistry("run-1", "g").stage("pose");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stage.processingNanos(-5));
        assertTrue(e.getMessage().contains("pose"), e.getMessage());
    }

    @Test
    void stageLookupReturnsTheSameObjectAndKeepsCreationOrder() {
        MetricsRegistry registry = new MetricsRegistry("run-1", "g");
        StageMetrics decode = registry.stage("decode");
        registry.stage("audio");
        registry.stage("mel");
        assertSame(decode, registry.stage("decode"));
        assertEquals(List.of("decode", "audio", "mel"), registry.stages().stream().map(StageMetrics::name).toList());
    }

    @Test
    void rateFollowsRecentPaceAfterAResumeJump() {
        ManualClock clock = new ManualClock();
        MetricsRegistry registry = new MetricsRegistry("run-1", "train", clock);
        StageMetrics train = registry.stage("train");
        train.total(10_000, "steps");
        train.advance(5_000); // resumed from a checkpoint at step 5000
        clock.advance(Duration.ofSeconds(1));
        registry.snapshot(false); // the first sample sees 5000 steps in one second
        for (int second = 0; second < 40; second++) {
            train.advance(10);
            clock.advance(Duration.ofSeconds(1));
            registry.snapshot(false);
        }
        Snapshot.Stage snap = registry.snapshot(false).stage("train").orElseThrow();
        assertWithin(10, snap.ratePerSecond(), 0.01);
        assertWithin((10_000 - 5_400) / 10.0, snap.etaSeconds(), 0.01);
    }

    @Test
    void unknownRunStateIsRejected() {
        MetricsRegistry registry = new MetricsRegistry("run-1", "g");
        registry.runState(MetricsRegistry.RUNNING);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.runState("DONE"));
        assertTrue(e.getMessage().contains("DONE"), e.getMessage());
        assertEquals(MetricsRegistry.RUNNING, registry.runState());
    }

    static void assertWithin(double expected, double actual, double relativeTolerance) {
        assertTrue(Math.abs(actual - expected) <= relativeTolerance * Math.abs(expected),
                "expected " + expected + " within " + relativeTolerance * 100 + "% but was " + actual);
    }
}
