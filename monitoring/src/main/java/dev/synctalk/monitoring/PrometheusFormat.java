package dev.synctalk.monitoring;

import java.util.List;

/**
 * Renders a {@link Snapshot} in the Prometheus text exposition format 0.0.4: one family per metric,
 * each introduced by {@code # HELP} and {@code # TYPE}, counters named {@code *_total}, durations in
 * seconds, sizes in bytes, and every series labelled with the run id.
 */
public final class PrometheusFormat {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final List<String> STAGE_STATES =
            List.of(StageMetrics.PENDING, StageMetrics.RUNNING, StageMetrics.FINISHED, StageMetrics.FAILED);

    private PrometheusFormat() {}

    public static String render(Snapshot s) {
        Writer w = new Writer(s.runId());

        w.family("synctalk_run_info", "gauge", "Run identity and state; the value is always 1.");
        w.sample("synctalk_run_info", 1, "graph", s.graphName(), "state", s.runState());
        w.family("synctalk_run_elapsed_seconds", "gauge", "Seconds since the run started (frozen once it ended).");
        w.sample("synctalk_run_elapsed_seconds", s.elapsedSeconds());

        renderStages(w, s.stages());
        renderEdges(w, s.edges());
        renderCurves(w, s.curves());
        renderGpus(w, s.gpus());
        return w.text();
    }

    private static void renderStages(Writer w, List<Snapshot.Stage> stages) {
        if (stages.isEmpty()) {
            return;
        }
        w.family("synctalk_stage_state", "gauge", "1 for the stage's current state, 0 for the others.");
        for (Snapshot.Stage st : stages) {
            for (String state : STAGE_STATES) {
                w.sample("synctalk_stage_state", st.state().equals(state) ? 1 : 0, "stage", st.name(), "state", state);
            }
        }
        w.family("synctalk_stage_messages_in_total", "counter", "Input messages (or joined tuples) accepted.");
        stages.forEach(st -> w.sample("synctalk_stage_messages_in_total", st.messagesIn(), "stage", st.name()));
        w.family("synctalk_stage_messages_out_total", "counter", "Output messages emitted.");
        stages.forEach(st -> w.sample("synctalk_stage_messages_out_total", st.messagesOut(), "stage", st.name()));

        w.family("synctalk_stage_processing_seconds", "summary",
                "Time spent in one call of the stage (quantiles estimated within about 6%).");
        for (Snapshot.Stage st : stages) {
            Snapshot.Latency p = st.processing();
            boolean empty = p.count() == 0;
            w.sample("synctalk_stage_processing_seconds", empty ? Double.NaN : seconds(p.p50Nanos()),
                    "stage", st.name(), "quantile", "0.5");
            w.sample("synctalk_stage_processing_seconds", empty ? Double.NaN : seconds(p.p90Nanos()),
                    "stage", st.name(), "quantile", "0.9");
            w.sample("synctalk_stage_processing_seconds", empty ? Double.NaN : seconds(p.p99Nanos()),
                    "stage", st.name(), "quantile", "0.99");
            w.sample("synctalk_stage_processing_seconds_sum", seconds(p.sumNanos()), "stage", st.name());
            w.sample("synctalk_stage_processing_seconds_count", p.count(), "stage", st.name());
        }
        w.family("synctalk_stage_processing_seconds_max", "gauge", "Longest single call of the stage.");
        stages.forEach(st -> w.sample("synctalk_stage_processing_seconds_max",
                seconds(st.processing().maxNanos()), "stage", st.name()));

        w.family("synctalk_stage_blocked_seconds_total", "counter",
                "Time the stage's output waited for downstream demand (backpressure).");
        stages.forEach(st -> w.sample("synctalk_stage_blocked_seconds_total", seconds(st.blockedNanos()),
                "stage", st.name()));

        w.family("synctalk_stage_completed_units_total", "counter", "Units of work done (frames, steps...).");
        stages.forEach(st -> w.sample("synctalk_stage_completed_units_total", st.completed(),
                "stage", st.name(), "unit", st.unit()));
        if (stages.stream().anyMatch(Snapshot.Stage::totalKnown)) {
            w.family("synctalk_stage_expected_units", "gauge", "Units of work expected, for stages that know it.");
            stages.stream().filter(Snapshot.Stage::totalKnown).forEach(st -> w.sample(
                    "synctalk_stage_expected_units", st.total(), "stage", st.name(), "unit", st.unit()));
        }
        if (stages.stream().anyMatch(st -> !Double.isNaN(st.etaSeconds()))) {
            w.family("synctalk_stage_eta_seconds", "gauge", "Estimated time left at the stage's recent rate.");
            stages.stream().filter(st -> !Double.isNaN(st.etaSeconds())).forEach(st -> w.sample(
                    "synctalk_stage_eta_seconds", st.etaSeconds(), "stage", st.name()));
        }
    }

    private static void renderEdges(Writer w, List<Snapshot.Edge> edges) {
        if (edges.isEmpty()) {
            return;
        }
        w.family("synctalk_edge_enqueued_total", "counter", "Messages put on the edge.");
        edges.forEach(e -> w.sample("synctalk_edge_enqueued_total", e.enqueued(), "edge", e.id()));
        w.family("synctalk_edge_dequeued_total", "counter", "Messages taken off the edge.");
        edges.forEach(e -> w.sample("synctalk_edge_dequeued_total", e.dequeued(), "edge", e.id()));
        w.family("synctalk_edge_queue_depth", "gauge", "Messages waiting on the edge.");
        edges.forEach(e -> w.sample("synctalk_edge_queue_depth", e.depth(), "edge", e.id()));
        w.family("synctalk_edge_queue_depth_max", "gauge", "Largest queue depth seen on the edge.");
        edges.forEach(e -> w.sample("synctalk_edge_queue_depth_max", e.maxDepth(), "edge", e.id()));
        w.family("synctalk_edge_journal_records_total", "counter", "Records written to the edge's journal.");
        edges.forEach(e -> w.sample("synctalk_edge_journal_records_total", e.journalRecords(), "edge", e.id()));
        w.family("synctalk_edge_journal_bytes_total", "counter", "Bytes written to the edge's journal.");
        edges.forEach(e -> w.sample("synctalk_edge_journal_bytes_total", e.journalBytes(), "edge", e.id()));
    }

    private static void renderCurves(Writer w, List<Snapshot.Curve> curves) {
        if (curves.isEmpty()) {
            return;
        }
        w.family("synctalk_training_value", "gauge", "Latest value of a training curve (loss, psnr...).");
        curves.forEach(c -> w.sample("synctalk_training_value", c.lastValue(), "series", c.series()));
        w.family("synctalk_training_step", "gauge", "Step of the latest value of a training curve.");
        curves.forEach(c -> w.sample("synctalk_training_step", c.lastStep(), "series", c.series()));
    }

    private static void renderGpus(Writer w, List<Snapshot.GpuMemory> gpus) {
        if (gpus.isEmpty()) {
            return;
        }
        w.family("synctalk_gpu_memory_used_bytes", "gauge", "GPU memory in use.");
        gpus.forEach(g -> w.sample("synctalk_gpu_memory_used_bytes", g.usedBytes(), "device", g.device()));
        w.family("synctalk_gpu_memory_total_bytes", "gauge", "GPU memory in all.");
        gpus.forEach(g -> w.sample("synctalk_gpu_memory_total_bytes", g.totalBytes(), "device", g.device()));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** Label value escaping of the text format: backslash, double quote and line feed. */
    static String escapeLabelValue(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** HELP text escaping: backslash and line feed only. */
    static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    static String formatValue(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    private static final class Writer {
        private final StringBuilder text = new StringBuilder(4096);
        private final String runLabel;

        Writer(String runId) {
            this.runLabel = "run=\"" + escapeLabelValue(runId) + "\"";
        }

        void family(String name, String type, String help) {
            text.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
            text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        }

        void sample(String name, double value, String... labelPairs) {
            sampleText(name, formatValue(value), labelPairs);
        }

        /** Counts stay exact beyond 2^53, where a double would round them. */
        void sample(String name, long value, String... labelPairs) {
            sampleText(name, Long.toString(value), labelPairs);
        }

        private void sampleText(String name, String value, String... labelPairs) {
            text.append(name).append('{').append(runLabel);
            for (int i = 0; i < labelPairs.length; i += 2) {
                text.append(',').append(labelPairs[i]).append("=\"").append(escapeLabelValue(labelPairs[i + 1]))
                        .append('"');
            }
            text.append("} ").append(value).append('\n');
        }

        String text() {
            return text.toString();
        }
    }
}
