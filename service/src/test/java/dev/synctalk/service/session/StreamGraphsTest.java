package dev.synctalk.service.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.graph.GraphDefinition;
import dev.synctalk.engine.graph.GraphValidator;
import dev.synctalk.engine.graph.StageRegistry;
import dev.synctalk.engine.graph.ValidatedGraph;
import dev.synctalk.service.testing.FixtureModel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamGraphsTest {
    @Test
    void aModelOnAGpuPlacesHeadRenderThereAndTheReplayGraphSharesTheJournaledEdges() throws Exception {
        ServedModel fixture = FixtureModel.get();
        ServedModel onGpu = new ServedModel("g", fixture.model(), fixture.dataset(), false, null, "val", "gpu:0",
                fixture.width(), fixture.height());
        Map<String, String> overrides = new LinkedHashMap<>(onGpu.graphOverrides());
        overrides.put("pace", "asap");
        GraphDefinition stream = StreamGraphs.packaged().stream(overrides);
        assertEquals("gpu:0", stream.stages().get("render").device(), "head-render runs where the model says");
        assertEquals("cpu", stream.stages().get("mel").device());
        ValidatedGraph valid = new GraphValidator(StageRegistry.discover()).validate(stream);
        assertEquals("stream", valid.definition().name());

        GraphDefinition replay = StreamGraphs.packaged().replay(fixture.graphOverrides());
        for (var edge : replay.edges()) {
            if (edge.journal()) {
                assertTrue(stream.edges().stream().anyMatch(e -> e.journal() && e.id().equals(edge.id())),
                        "replay reads the live session's journal of " + edge.id());
            }
        }
    }
}
