package dev.synctalk.monitoring;

import java.util.List;
import java.util.Optional;

/**
 * An immutable copy of one run's metrics at one instant, what the formats and the console render.
 *
 * @param capturedAtEpochMillis wall-clock time of the copy
 * @param elapsedSeconds        since the registry was created, frozen once the run reached a terminal state
 */
public record Snapshot(
        String runId,
        String graphName,
        String runState,
        long capturedAtEpochMillis,
        double elapsedSeconds,
        List<Stage> stages,
        List<Edge> edges,
        List<Curve> curves,
        List<Preview> previews,
        List<GpuMemory> gpus) {

    public Snapshot {
        stages = List.copyOf(stages);
        edges = List.copyOf(edges);
        curves = List.copyOf(curves);
        previews = List.copyOf(previews);
        gpus = List.copyOf(gpus);
    }

    public Optional<Stage> stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Optional<Edge> edge(String id) {
        return edges.stream().filter(e -> e.id().equals(id)).findFirst();
    }

    /**
     * @param failureReason  null unless the state is FAILED
     * @param total          expected units, 0 when unknown
     * @param ratePerSecond  completed units per second, recent pace while running; NaN when not yet measurable
     * @param etaSeconds     time left at the current rate; NaN when unknown, 0 when done
     */
    public record Stage(
            String name,
            String state,
            String failureReason,
            long messagesIn,
            long messagesOut,
            Latency processing,
            long blockedNanos,
            long blockedCount,
            long completed,
            long total,
            String unit,
            double elapsedSeconds,
            double ratePerSecond,
            double etaSeconds) {

        public boolean totalKnown() {
            return total > 0;
        }

        /** completed / total in [0, 1], NaN when the total is unknown. */
        public double fraction() {
            return totalKnown() ? Math.min(1.0, (double) completed / total) : Double.NaN;
        }
    }

    /** Processing time per call; quantiles are estimates (within about 6%), 0 when count is 0. */
    public record Latency(long count, long sumNanos, long maxNanos, long p50Nanos, long p90Nanos, long p99Nanos) {}

    /** @param depth enqueued - dequeued, the messages waiting on this edge */
    public record Edge(
            String id, long enqueued, long dequeued, long depth, long maxDepth, long journalRecords, long journalBytes) {}

    /**
     * @param points downsampled (step, value) points, empty in snapshots taken without curve points
     * @param recordedPoints how many raw values were recorded, before downsampling
     */
    public record Curve(String series, long lastStep, double lastValue, long recordedPoints, List<Point> points) {
        public Curve {
            points = List.copyOf(points);
        }
    }

    /** One curve point; the step is a mean when several raw points were merged. */
    public record Point(double step, double value) {}

    /** @param version increases with every put, so clients can tell a new frame from a cached one */
    public record Preview(String name, long version, int sizeBytes) {}

    public record GpuMemory(String device, long usedBytes, long totalBytes) {}
}
