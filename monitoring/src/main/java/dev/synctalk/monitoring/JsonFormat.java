package dev.synctalk.monitoring;

import java.util.ArrayDeque;

/**
 * Renders a {@link Snapshot} as JSON, the data of the dashboard. Durations are nanoseconds where the
 * field name ends in {@code Nanos}, seconds where it ends in {@code Seconds}; numbers that are not
 * finite (an unknown rate or ETA) are {@code null}, since JSON has no NaN, and so is
 * {@code progress.total} when the stage did not report one.
 */
public final class JsonFormat {

    public static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private JsonFormat() {}

    public static String render(Snapshot s) {
        Json j = new Json();
        j.beginObject();
        j.field("runId", s.runId());
        j.field("graphName", s.graphName());
        j.field("runState", s.runState());
        j.field("capturedAtEpochMillis", s.capturedAtEpochMillis());
        j.field("elapsedSeconds", s.elapsedSeconds());

        j.name("stages").beginArray();
        for (Snapshot.Stage st : s.stages()) {
            renderStage(j, st);
        }
        j.endArray();

        j.name("edges").beginArray();
        for (Snapshot.Edge e : s.edges()) {
            j.beginObject();
            j.field("id", e.id());
            j.field("enqueued", e.enqueued());
            j.field("dequeued", e.dequeued());
            j.field("depth", e.depth());
            j.field("maxDepth", e.maxDepth());
            j.field("journalRecords", e.journalRecords());
            j.field("journalBytes", e.journalBytes());
            j.endObject();
        }
        j.endArray();

        j.name("curves").beginArray();
        for (Snapshot.Curve c : s.curves()) {
            j.beginObject();
            j.field("series", c.series());
            j.field("lastStep", c.lastStep());
            j.field("lastValue", c.lastValue());
            j.field("recordedPoints", c.recordedPoints());
            // [[step, value], ...]: compact, and what a plotting loop wants.
            j.name("points").beginArray();
            for (Snapshot.Point p : c.points()) {
                j.beginArray().value(p.step()).value(p.value()).endArray();
            }
            j.endArray();
            j.endObject();
        }
        j.endArray();

        j.name("previews").beginArray();
        for (Snapshot.Preview p : s.previews()) {
            j.beginObject();
            j.field("name", p.name());
            j.field("version", p.version());
            j.field("sizeBytes", p.sizeBytes());
            j.endObject();
        }
        j.endArray();

        j.name("gpus").beginArray();
        for (Snapshot.GpuMemory g : s.gpus()) {
            j.beginObject();
            j.field("device", g.device());
            j.field("usedBytes", g.usedBytes());
            j.field("totalBytes", g.totalBytes());
            j.endObject();
        }
        j.endArray();

        j.endObject();
        return j.text();
    }

    private static void renderStage(Json j, Snapshot.Stage st) {
        j.beginObject();
        j.field("name", st.name());
        j.field("state", st.state());
        j.field("failureReason", st.failureReason());
        j.field("messagesIn", st.messagesIn());
        j.field("messagesOut", st.messagesOut());
        Snapshot.Latency p = st.processing();
        j.name("processing").beginObject();
        j.field("count", p.count());
        j.field("sumNanos", p.sumNanos());
        j.field("maxNanos", p.maxNanos());
        j.field("p50Nanos", p.p50Nanos());
        j.field("p90Nanos", p.p90Nanos());
        j.field("p99Nanos", p.p99Nanos());
        j.endObject();
        j.field("blockedNanos", st.blockedNanos());
        j.field("blockedCount", st.blockedCount());
        j.name("progress").beginObject();
        j.field("completed", st.completed());
        j.field("total", st.totalKnown() ? (Long) st.total() : null);
        j.field("unit", st.unit());
        j.field("fraction", st.fraction());
        j.field("ratePerSecond", st.ratePerSecond());
        j.field("etaSeconds", st.etaSeconds());
        j.field("elapsedSeconds", st.elapsedSeconds());
        j.endObject();
        j.endObject();
    }

    /** Escapes a string as a JSON string literal, quotes included. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // Control characters must be escaped; '<' too, so the text is safe inside an HTML page.
                    if (c < 0x20 || c == '<' || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** A minimal streaming writer that places commas itself. */
    private static final class Json {
        private final StringBuilder text = new StringBuilder(4096);
        /** Per nesting level: whether the next element is the first one (needs no comma). */
        private final ArrayDeque<Boolean> first = new ArrayDeque<>();
        private boolean afterName;

        Json beginObject() {
            separate();
            text.append('{');
            first.push(true);
            return this;
        }

        Json endObject() {
            first.pop();
            text.append('}');
            return this;
        }

        Json beginArray() {
            separate();
            text.append('[');
            first.push(true);
            return this;
        }

        Json endArray() {
            first.pop();
            text.append(']');
            return this;
        }

        Json name(String name) {
            separate();
            text.append(quote(name)).append(':');
            afterName = true;
            return this;
        }

        Json value(double v) {
            separate();
            text.append(Double.isFinite(v) ? formatNumber(v) : "null");
            return this;
        }

        Json value(long v) {
            separate();
            text.append(v);
            return this;
        }

        Json value(String v) {
            separate();
            text.append(v == null ? "null" : quote(v));
            return this;
        }

        void field(String name, String v) {
            name(name).value(v);
        }

        void field(String name, long v) {
            name(name).value(v);
        }

        void field(String name, double v) {
            name(name).value(v);
        }

        void field(String name, Long v) {
            if (v == null) {
                name(name).value((String) null);
            } else {
                name(name).value(v.longValue());
            }
        }

        private void separate() {
            if (afterName) {
                afterName = false;
                return;
            }
            if (!first.isEmpty()) {
                if (first.peek()) {
                    first.pop();
                    first.push(false);
                } else {
                    text.append(',');
                }
            }
        }

        String text() {
            return text.toString();
        }

        private static String formatNumber(double v) {
            if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                return Long.toString((long) v);
            }
            return Double.toString(v);
        }
    }
}
