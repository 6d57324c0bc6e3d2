package dev.synctalk.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EdgeMetricsTest {

    @Test
    void queueDepthTracksEnqueuedMinusDequeued() {
        MetricsRegistry registry = new MetricsRegistry("run-1", "g");
        EdgeMetrics edge = registry.edge("mel.windows--feats.in");
        for (int i = 0; i < 5; i++) {
            edge.enqueued();
        }
        edge.dequeued();
        edge.dequeued();
        assertEquals(3, edge.depth());
        assertEquals(5, edge.maxDepth());
        edge.enqueued();
        edge.dequeued();
        edge.dequeued();
        edge.dequeued();
        edge.dequeued();
        assertEquals(0, edge.depth());
        assertEquals(5, edge.maxDepth(), "the maximum is remembered after the queue drains");
        Snapshot.Edge snap = registry.snapshot().edge("mel.windows--feats.in").orElseThrow();
        assertEquals(6, snap.enqueued());
        assertEquals(6, snap.dequeued());
    }

    @Test
    void journaledCountsRecordsAndBytes() {
        EdgeMetrics edge = new MetricsRegistry("run-1", "g").edge("mel.windows--feats.in");
        edge.journaled(100);
        edge.journaled(28);
        assertEquals(2, edge.journalRecords());
        assertEquals(128, edge.journalBytes());
        assertThrows(IllegalArgumentException.class, () -> edge.journaled(-1));
    }
}
