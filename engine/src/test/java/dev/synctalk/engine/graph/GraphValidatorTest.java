package dev.synctalk.engine.graph;

import static dev.synctalk.engine.graph.GraphFiles.assertReported;
import static dev.synctalk.engine.graph.GraphFiles.invalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.graph.TestStages.FeatureSinkConfig;
import dev.synctalk.engine.graph.TestStages.FrameSinkConfig;
import dev.synctalk.engine.graph.TestStages.FrameSourceConfig;
import dev.synctalk.engine.graph.TestStages.MelConfig;
import dev.synctalk.engine.graph.TestStages.RenderConfig;
import dev.synctalk.engine.graph.TestStages.Scale;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class GraphValidatorTest {
    private final GraphValidator validator = new GraphValidator(TestStages.registry());

    @Test
    void validGraphBindsConfigsAndOrdersStagesTopologically() {
        ValidatedGraph graph = validator.validate(GraphFiles.load("valid.conf"));

        assertEquals(new FrameSourceConfig(Path.of("clip.mp4"), 30), graph.configs().get("decode"));
        assertEquals(new FrameSinkConfig("out/frames", List.of("a", "b")), graph.configs().get("frames"));
        assertEquals(new MelConfig(800, 200, 1.0, Scale.LOG_POWER, List.of(1, 2, 3), false), graph.configs().get("mel"));
        assertEquals(new FeatureSinkConfig(Path.of("mel.npy"), 1e-3), graph.configs().get("feats"));
        assertEquals(new RenderConfig(3, List.of(0.5, 1.0)), graph.configs().get("render"));
        assertEquals(TestStages.NERF_RENDER, graph.types().get("render"));
        // frames is declared first but consumes decode; among ready stages declaration order decides.
        assertEquals(List.of("decode", "frames", "audio", "mel", "render", "feats"), graph.order());

        StageDecl render = graph.definition().stages().get("render");
        assertEquals("gpu:0", render.device());
        assertEquals("render-dispatcher", render.dispatcher());
        assertEquals(OptionalInt.of(0), GraphValidator.gpuOrdinal(render.device()));
        assertEquals("cpu", graph.definition().stages().get("decode").device());
        EdgeDecl journaled = graph.definition().edges().get(2);
        assertEquals("mel.windows--feats.in", journaled.id());
        assertTrue(journaled.journal());
        assertEquals(8, journaled.buffer());
        assertEquals(EdgeDecl.DEFAULT_BUFFER, graph.definition().edges().get(0).buffer());
    }

    @Test
    void unknownStageTypeIsReportedWithFileAndLine() {
        assertReported(invalid("unknown-type.conf"), "unknown-type.conf:5",
                "stage 'frames' has unknown type 'frame-sinc'", "did you mean 'frame-sink'?", "known types: audio-source, broken");
    }

    @Test
    void unknownOutputPortNamesTheStageItsTypeAndItsPorts() {
        assertReported(invalid("unknown-output-port.conf"), "unknown-output-port.conf:8",
                "stage 'decode' (type frame-source) has no output port 'frame'", "did you mean 'frames'?",
                "its output ports: frames: Frame");
    }

    @Test
    void unknownInputPortNamesTheStageItsTypeAndItsPorts() {
        assertReported(invalid("unknown-input-port.conf"), "unknown-input-port.conf:8",
                "stage 'frames' (type frame-sink) has no input port 'input'", "its input ports: in: Picture");
    }

    @Test
    void mismatchedPortTypesNameBothClasses() {
        assertReported(invalid("mismatched-ports.conf"), "mismatched-ports.conf:8", "port types do not match",
                "audio.samples produces " + TestStages.Samples.class.getName(),
                "frames.in accepts " + TestStages.Picture.class.getName());
    }

    @Test
    void inputConnectedTwiceNamesBothProducers() {
        assertReported(invalid("input-twice.conf"), "input-twice.conf:10",
                "input port frames.in is connected twice: from right.frames here and from left.frames at", "input-twice.conf:9");
    }

    @Test
    void unconnectedInputIsReportedAtItsStage() {
        assertReported(invalid("unconnected-input.conf"), "unconnected-input.conf:5",
                "input port 'in' of stage 'mel' (type mel) is not connected");
    }

    @Test
    void cycleNamesTheStagesInOrder() {
        GraphValidationException e = invalid("cycle.conf");
        assertReported(e, "cycle.conf:6", "stages form a cycle: a -> b -> c -> a");
        assertEquals(1, e.errors().size(), e.getMessage());
    }

    @Test
    void stageFeedingItselfIsACycle() {
        GraphDefinition g = GraphBuilder.named("loop")
                .stage("decode", "frame-source", Map.of("path", "a.mp4"))
                .stage("echo", "relay", Map.of())
                .edge("echo.out", "echo.in")
                .edge("decode.frames", "echo.in")
                .build();
        List<ValidationError> errors = validator.check(g);
        assertReported(errors, "<api>", "stages form a cycle: echo -> echo");
        assertReported(errors, "<api>", "input port echo.in is connected twice: from decode.frames here and from echo.out");
        assertEquals(2, errors.size(), errors.toString());
    }

    @Test
    void missingParamNamesTheKey() {
        assertReported(invalid("missing-param.conf"), "missing-param.conf:5",
                "stage 'mel' (type mel) is missing required param 'n-fft' (int: FFT size in samples)");
    }

    @Test
    void illTypedParamNamesExpectedType() {
        assertReported(invalid("ill-typed-param.conf"), "ill-typed-param.conf:9",
                "stage 'mel' (type mel) param 'hop-samples': expected int, got 2.5");
    }

    @Test
    void unknownParamKeySuggestsClosestKey() {
        assertReported(invalid("unknown-param-key.conf"), "unknown-param-key.conf:9",
                "stage 'mel' (type mel) has no param 'hop-smaples'; did you mean 'hop-samples'?",
                "its params: n-fft, hop-samples, gain, scale, bands, center");
    }

    @Test
    void unknownStageKeySuggestsAllowedKey() {
        assertReported(invalid("unknown-stage-key.conf"), "unknown-stage-key.conf:7",
                "stage 'frames' has unknown key 'parmas'; did you mean 'params'?", "allowed: type, params, device, dispatcher");
    }

    @Test
    void unknownEdgeKeySuggestsAllowedKey() {
        assertReported(invalid("unknown-edge-key.conf"), "unknown-edge-key.conf:8",
                "edge decode.frames -> frames.in has unknown key 'jurnal'; did you mean 'journal'?");
    }

    @Test
    void unknownGraphKeySuggestsAllowedKey() {
        assertReported(invalid("unknown-graph-key.conf"), "unknown-graph-key.conf:3",
                "graph has unknown key 'descripton'; did you mean 'description'?");
    }

    @Test
    void malformedDeviceIsReported() {
        assertReported(invalid("malformed-device.conf"), "malformed-device.conf:8",
                "stage 'render' has malformed device 'gpu0'; expected \"cpu\" or \"gpu:N\"");
        assertThrows(IllegalArgumentException.class, () -> GraphValidator.gpuOrdinal("gpu0"));
    }

    @Test
    void gpuStageWithoutGpuDeviceIsReported() {
        GraphValidationException e = invalid("gpu-without-device.conf");
        assertReported(e, "gpu-without-device.conf:8",
                "stage 'render' (type nerf-render) runs on a GPU but its device is 'cpu'; set device = \"gpu:N\"");
        assertEquals(1, e.errors().size(), e.getMessage());
    }

    @Test
    void bufferBelowOneIsReported() {
        assertReported(invalid("buffer-too-small.conf"), "buffer-too-small.conf:8",
                "edge decode.frames -> frames.in has buffer 0; it must be at least 1");
    }

    @Test
    void edgeRefWithoutPortIsReported() {
        assertReported(invalid("malformed-edge-ref.conf"), "malformed-edge-ref.conf:9",
                "edge 'from' must be of the form stage.port, got 'decode'");
    }

    @Test
    void edgeToUndeclaredStageSuggestsDeclaredOne() {
        assertReported(invalid("undeclared-stage.conf"), "undeclared-stage.conf:8",
                "edge from 'decoder.frames' names undeclared stage 'decoder'; did you mean 'decode'?",
                "declared stages: decode, frames");
    }

    @Test
    void stageTypeWithUnannotatedComponentIsReportedAsItsBug() {
        GraphDefinition g = GraphBuilder.named("broken").stage("src", "broken", Map.of()).build();
        assertReported(validator.check(g), "<api>", "stage 'src' (type broken) has a broken config record",
                TestStages.BrokenConfig.class.getName() + ".forgotten has no @Param annotation");
    }

    @Test
    void allErrorsAreReportedAtOnce() {
        GraphValidationException e = invalid("many-errors.conf");
        List<String> expected = List.of(
                "many-errors.conf:4: stage 'decode' (type frame-source) param 'fps': expected int, got \"fast\"",
                "many-errors.conf:5: stage 'frames' has unknown type 'frame-sinc'",
                "many-errors.conf:6: stage 'audio' (type audio-source) is missing required param 'path'",
                "many-errors.conf:7: stages form a cycle: a -> b -> a",
                "many-errors.conf:13: edge b.out -> a.in has buffer 0",
                "many-errors.conf:14: edge to 'nowhere.in' names undeclared stage 'nowhere'");
        assertEquals(expected.size(), e.errors().size(), e.getMessage());
        for (int i = 0; i < expected.size(); i++) {
            String error = e.errors().get(i).toString();
            assertTrue(error.contains("/" + expected.get(i)), "error " + i + " in file order should be " + expected.get(i)
                    + " but was " + error);
        }
        assertTrue(e.getMessage().startsWith("graph " + GraphFiles.path("many-errors.conf") + " is invalid:\n  "),
                e.getMessage());
        assertEquals(e.errors().size(), e.getMessage().lines().count() - 1);
    }

    @Test
    void builderGraphValidatesLikeAFile() {
        GraphDefinition built = GraphBuilder.named("valid-graph")
                .stage("frames", "frame-sink", Map.of("dir", "out/frames", "tags", List.of("a", "b")))
                .stage("decode", "frame-source", Map.of("path", Path.of("clip.mp4"), "fps", 30))
                .stage("audio", "audio-source", Map.of("path", "clip.wav"))
                .stage("mel", "mel", Map.of("n-fft", 800, "scale", Scale.LOG_POWER, "bands", List.of(1, 2, 3)))
                .stageOnDevice("render", "nerf-render", "gpu:0", Map.of("steps", 3))
                .stage("feats", "feature-sink", Map.of())
                .edge("decode.frames", "frames.in")
                .edge("audio.samples", "mel.in")
                .edge("mel.windows", "feats.in", true, 8)
                .edge("decode.frames", "render.frames")
                .edge("mel.windows", "render.feats")
                .build();
        ValidatedGraph fromBuilder = validator.validate(built);
        ValidatedGraph fromFile = validator.validate(GraphFiles.load("valid.conf"));

        assertEquals(fromFile.configs(), fromBuilder.configs());
        assertEquals(fromFile.order(), fromBuilder.order());
        assertEquals(Origin.PROGRAMMATIC, built.stages().get("mel").origin());
        assertEquals(Origin.PROGRAMMATIC, built.edges().get(0).origin());

        GraphDefinition broken = GraphBuilder.named("broken")
                .stage("decode", "frame-source", Map.of("path", "a.mp4", "fps", 2.5))
                .stageOnDevice("frames", "frame-sink", "gpu-1", Map.of("dir", "out"))
                .journaledEdge("decode.frames", "frames")
                .build();
        List<ValidationError> errors = validator.check(broken);
        assertReported(errors, "<api>", "stage 'decode' (type frame-source) param 'fps': expected int, got 2.5");
        assertReported(errors, "<api>", "stage 'frames' has malformed device 'gpu-1'");
        assertReported(errors, "<api>", "edge 'to' must be of the form stage.port, got 'frames'");
        assertReported(errors, "<api>", "input port 'in' of stage 'frames' (type frame-sink) is not connected");
        assertEquals(4, errors.size(), errors.toString());
    }

    @Test
    void validatedGraphExposesBoundConfigRecords() {
        ValidatedGraph graph = validator.validate(GraphFiles.load("valid.conf"));
        MelConfig mel = assertInstanceOf(MelConfig.class, graph.configs().get("mel"));
        assertEquals(800, mel.nFft());
        assertEquals(graph.definition().stages().keySet(), graph.configs().keySet());
    }
}
