package dev.synctalk.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PrometheusFormatTest {

    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \\S.*");
    private static final Pattern TYPE =
            Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)");
    /** name{label="value",...} value, where a value may contain \\, \" and \n escapes only. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\""
                    + "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*)\\} "
                    + "(NaN|[+-]Inf|-?[0-9]+(?:\\.[0-9]+)?(?:E-?[0-9]+)?)");

    @Test
    void prometheusTextFollowsExpositionFormat() {
        String text = PrometheusFormat.render(sampleRegistry().snapshot());
        assertTrue(text.endsWith("\n"), "the exposition ends with a line feed");

        Set<String> families = new HashSet<>();
        String family = null;
        String type = null;
        String pendingHelp = null;
        int samples = 0;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            Matcher help = HELP.matcher(line);
            Matcher typeLine = TYPE.matcher(line);
            Matcher sample = SAMPLE.matcher(line);
            if (help.matches()) {
                pendingHelp = help.group(1);
            } else if (typeLine.matches()) {
                family = typeLine.group(1);
                type = typeLine.group(2);
                assertEquals(family, pendingHelp, "# HELP comes right before # TYPE for " + family);
                assertTrue(families.add(family), "family declared once: " + family);
                if (type.equals("counter")) {
                    assertTrue(family.endsWith("_total"), "counter name ends with _total: " + family);
                } else {
                    assertFalse(family.endsWith("_total"), "only counters end with _total: " + family);
                }
                pendingHelp = null;
            } else if (sample.matches()) {
                samples++;
                String name = sample.group(1);
                boolean belongs = name.equals(family)
                        || (type.equals("summary") && (name.equals(family + "_sum") || name.equals(family + "_count")));
                assertTrue(belongs, "sample " + name + " follows the # TYPE of its family, not " + family);
                assertTrue(sample.group(2).startsWith("run=\"r\\\"1\""), "every sample has the run label: " + line);
            } else {
                fail("line is neither HELP, TYPE nor a sample: " + line);
            }
        }
        assertTrue(samples > 20, "samples rendered: " + samples);
        assertTrue(families.containsAll(List.of("synctalk_stage_messages_in_total", "synctalk_stage_messages_out_total",
                "synctalk_stage_processing_seconds", "synctalk_stage_blocked_seconds_total",
                "synctalk_edge_queue_depth", "synctalk_edge_journal_bytes_total", "synctalk_training_value")));
    }

    @Test
    void labelValuesEscapeQuotesBackslashesAndNewlines() {
        String text = PrometheusFormat.render(sampleRegistry().snapshot());
        assertTrue(text.contains("synctalk_stage_messages_in_total{run=\"r\\\"1\",stage=\"odd \\\"name\\\" c:\\\\tmp\\nnext\"} 3\n"),
                text);
    }

    @Test
    void processingTimeIsASummaryInSeconds() {
        String text = PrometheusFormat.render(sampleRegistry().snapshot());
        assertTrue(text.contains("synctalk_stage_processing_seconds_count{run=\"r\\\"1\",stage=\"decode\"} 2\n"), text);
        assertTrue(text.contains("synctalk_stage_processing_seconds_sum{run=\"r\\\"1\",stage=\"decode\"} 0.003\n"), text);
        assertTrue(text.contains("synctalk_stage_processing_seconds_max{run=\"r\\\"1\",stage=\"decode\"} 0.002\n"), text);
        assertTrue(text.contains("synctalk_stage_expected_units{run=\"r\\\"1\",stage=\"decode\",unit=\"frames\"} 200\n"),
                text);
        assertTrue(text.contains("synctalk_stage_state{run=\"r\\\"1\",stage=\"decode\",state=\"RUNNING\"} 1\n"), text);
        assertTrue(text.contains("synctalk_stage_state{run=\"r\\\"1\",stage=\"decode\",state=\"FAILED\"} 0\n"), text);
    }

    private static MetricsRegistry sampleRegistry() {
        MetricsRegistry registry = new MetricsRegistry("r\"1", "preprocess", new ManualClock());
        registry.runState(MetricsRegistry.RUNNING);
        StageMetrics decode = registry.stage("decode");
        decode.total(200, "frames");
        decode.messagesOut(2);
        decode.processingNanos(1_000_000);
        decode.processingNanos(2_000_000);
        decode.advance(2);
        StageMetrics odd = registry.stage("odd \"name\" c:\\tmp\nnext");
        odd.messageIn();
        odd.messageIn();
        odd.messageIn();
        odd.blockedNanos(5_000);
        EdgeMetrics edge = registry.edge("decode.frames--odd.in");
        edge.enqueued();
        edge.journaled(640);
        registry.curves().record("loss", 1, 0.5);
        registry.curves().record("psnr", 1, Double.NaN);
        registry.gpuMemory("cuda:0", 1L << 30, 80L << 30);
        return registry;
    }
}
