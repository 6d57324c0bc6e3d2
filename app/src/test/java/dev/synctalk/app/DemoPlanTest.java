package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.graph.GraphLoader;
import dev.synctalk.engine.graph.GraphValidator;
import dev.synctalk.engine.graph.StageRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoPlanTest {
    /** The graph params the demo may set: those that stay put as the graph files evolve. */
    private static final Set<String> STABLE = Set.of("video", "model", "width", "height", "decode.max-frames", "dataset",
            "preset", "iters", "coarse-iters", "rays-per-step", "audio", "graph.stages.head.device",
            "graph.stages.render.device");

    private static final Path DATASET = Path.of("runs/demo-preprocess/outputs");

    private static void assertValid(String graph, Map<String, String> overrides) {
        assertTrue(STABLE.containsAll(overrides.keySet()), graph + ": " + overrides.keySet());
        var errors = new GraphValidator(StageRegistry.discover())
                .check(GraphLoader.load(SampleMedia.graph(graph), overrides));
        assertEquals(List.of(), errors, graph + " with " + overrides);
    }

    @Test
    void bothPlansOverrideOnlyStableParamsAndTheShippedGraphsAcceptThem() {
        for (DemoPlan plan : List.of(DemoPlan.smallOnCpu(), DemoPlan.fullSizeOnGpu())) {
            assertValid("preprocess.conf", plan.preprocess(Path.of("clip.mp4"), Path.of("face_landmarker.task")));
            assertValid("train.conf", plan.train(DATASET));
            assertValid("infer.conf", plan.infer(DATASET, Path.of("head.ckpt"), Path.of("speech.wav")));
        }
    }

    @Test
    void gpuPlanRunsTheFullSizeModelOnGpu0AndTheCpuPlanStaysSmall() {
        DemoPlan gpu = DemoPlan.fullSizeOnGpu();
        assertEquals("gpu:0", gpu.train(DATASET).get("graph.stages.head.device"));
        assertEquals("gpu:0", gpu.infer(DATASET, Path.of("m"), Path.of("a")).get("graph.stages.render.device"));
        assertEquals("65536", gpu.train(DATASET).get("rays-per-step"));
        assertEquals("sync-talk", gpu.train(DATASET).get("preset"));
        DemoPlan cpu = DemoPlan.smallOnCpu();
        assertEquals("128", cpu.preprocess(Path.of("v"), Path.of("m")).get("width"));
        assertEquals("tiny", cpu.train(DATASET).get("preset"));
        assertTrue(cpu.train(DATASET).keySet().stream().noneMatch(k -> k.endsWith(".device")));
    }
}
