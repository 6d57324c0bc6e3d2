package dev.synctalk.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonFormatTest {

    @Test
    @SuppressWarnings("unchecked")
    void jsonIsWellFormed() {
        ManualClock clock = new ManualClock();
        MetricsRegistry registry = new MetricsRegistry("run-7", "train", clock);
        registry.runState(MetricsRegistry.RUNNING);
        StageMetrics train = registry.stage("train \"head\"\n\t\\fine");
        train.total(1000, "steps");
        train.messageIn();
        train.processingNanos(4_000_000);
        train.advance(250);
        registry.stage("mel").messageIn();
        registry.edge("mel.windows--feats.in").enqueued();
        registry.curves().record("loss", 10, 0.25);
        registry.curves().record("loss", 20, Double.NaN);
        registry.previews().put("val", PreviewFramesTest.tinyPng());
        registry.gpuMemory("cuda:0", 1024, 4096);
        clock.advance(Duration.ofSeconds(5));

        Map<String, Object> root = (Map<String, Object>) StrictJson.parse(JsonFormat.render(registry.snapshot()));

        assertEquals("run-7", root.get("runId"));
        assertEquals("RUNNING", root.get("runState"));
        assertEquals(5.0, root.get("elapsedSeconds"));
        List<Map<String, Object>> stages = (List<Map<String, Object>>) root.get("stages");
        assertEquals(2, stages.size());
        Map<String, Object> first = stages.get(0);
        assertEquals("train \"head\"\n\t\\fine", first.get("name"), "escaped name parses back to the original");
        assertNull(first.get("failureReason"));
        Map<String, Object> progress = (Map<String, Object>) first.get("progress");
        assertEquals(250.0, progress.get("completed"));
        assertEquals(1000.0, progress.get("total"));
        assertEquals("steps", progress.get("unit"));
        assertEquals(0.25, progress.get("fraction"));
        assertEquals(50.0, progress.get("ratePerSecond"));
        assertEquals(15.0, progress.get("etaSeconds"));
        assertEquals(4_000_000.0, ((Map<String, Object>) first.get("processing")).get("sumNanos"));

        Map<String, Object> mel = stages.get(1);
        Map<String, Object> melProgress = (Map<String, Object>) mel.get("progress");
        assertNull(melProgress.get("total"), "unknown total is null");
        assertNull(melProgress.get("fraction"), "NaN becomes null, JSON has no NaN");

        Map<String, Object> edge = ((List<Map<String, Object>>) root.get("edges")).get(0);
        assertEquals(1.0, edge.get("depth"));
        Map<String, Object> loss = ((List<Map<String, Object>>) root.get("curves")).get(0);
        assertEquals("loss", loss.get("series"));
        assertEquals(List.of(List.of(10.0, 0.25), java.util.Arrays.asList(20.0, null)), loss.get("points"));
        Map<String, Object> preview = ((List<Map<String, Object>>) root.get("previews")).get(0);
        assertEquals("val", preview.get("name"));
        Map<String, Object> gpu = ((List<Map<String, Object>>) root.get("gpus")).get(0);
        assertEquals(4096.0, gpu.get("totalBytes"));
    }

    @Test
    void emptyRegistryRendersEmptyCollections() {
        Object parsed = StrictJson.parse(JsonFormat.render(new MetricsRegistry("r", "g", new ManualClock()).snapshot()));
        Map<?, ?> root = (Map<?, ?>) parsed;
        for (String key : List.of("stages", "edges", "curves", "previews", "gpus")) {
            assertEquals(List.of(), root.get(key), key);
        }
    }

    @Test
    void controlCharactersAndMarkupAreEscaped() {
        assertEquals("\"a\\u0001b\\u003c/script>\"", JsonFormat.quote("a\u0001b</script>"));
    }

    @Test
    void strictParserRejectsMalformedText() {
        // The check above is only meaningful if the parser can say no.
        assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("{\"a\":1,}"));
        assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("{\"a\":NaN}"));
        assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("[1] 2"));
        assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("\"a\nb\""));
    }
}
