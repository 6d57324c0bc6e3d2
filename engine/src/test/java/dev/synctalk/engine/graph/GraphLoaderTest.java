package dev.synctalk.engine.graph;

import static dev.synctalk.engine.graph.GraphFiles.assertReported;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.graph.TestStages.FrameSinkConfig;
import dev.synctalk.engine.graph.TestStages.FrameSourceConfig;
import dev.synctalk.engine.graph.TestStages.MelConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GraphLoaderTest {
    private final GraphValidator validator = new GraphValidator(TestStages.registry());

    private static GraphValidationException unparsable(String hocon) {
        return assertThrows(GraphValidationException.class, () -> GraphLoader.parse(hocon, "inline.conf", Map.of()));
    }

    @Test
    void syntaxErrorIsReportedWithFileAndLine() {
        GraphValidationException e = unparsable("""
                graph {
                  name = broken
                  stages { decode { type = frame-source, params { path = "a.mp4 } } }
                }
                """);
        assertReported(e, "inline.conf:3", "");
        assertTrue(e.getMessage().startsWith("graph inline.conf is invalid:\n  inline.conf:3: "), e.getMessage());
    }

    @Test
    void unresolvedSubstitutionIsReportedWithFileAndLine() {
        GraphValidationException e = unparsable("""
                graph {
                  name = unresolved
                  stages {
                    decode { type = frame-source, params { path = ${video} } }
                  }
                }
                """);
        assertReported(e, "inline.conf:4", "Could not resolve substitution", "${video}");
    }

    @Test
    void missingGraphBlockIsReported() {
        assertReported(unparsable("video = a.mp4\n"), "inline.conf", "no 'graph' block");
        assertReported(unparsable("graph = [1, 2]\n"), "inline.conf:1", "'graph' must be an object, got a list");
    }

    @Test
    void wrongShapesAreAllReported() {
        GraphValidationException e = unparsable("""
                graph {
                  stages {
                    decode { type = frame-source, params = a.mp4 }
                    frames = frame-sink
                    audio { params { path = a.wav } }
                  }
                  edges = [
                    { from = decode.frames, to = frames.in, journal = yes-please, buffer = lots }
                    decode.frames
                    { to = frames.in }
                  ]
                }
                """);
        assertReported(e, "inline.conf:1", "graph has no 'name'");
        assertReported(e, "inline.conf:3", "stage 'decode': 'params' must be an object, got a string");
        assertReported(e, "inline.conf:4", "stage 'frames' must be a block { type = ..., params { ... } }, got a string");
        assertReported(e, "inline.conf:5", "stage 'audio' has no 'type'");
        assertReported(e, "inline.conf:8", "edge 1: 'journal' must be true or false, got \"yes-please\"");
        assertReported(e, "inline.conf:8", "edge 1: 'buffer' must be a whole number of messages, got \"lots\"");
        assertReported(e, "inline.conf:9", "edge 2 must be { from = stage.port, to = stage.port }, got a string");
        assertReported(e, "inline.conf:10", "edge 3 has no 'from'");
        assertEquals(8, e.errors().size(), e.getMessage());
    }

    @Test
    void missingFileIsReported() {
        Path missing = Path.of("no-such-dir", "nothing.conf");
        GraphValidationException e = assertThrows(GraphValidationException.class, () -> GraphLoader.load(missing, Map.of()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void stagesKeepDeclarationOrder() {
        GraphDefinition g = GraphFiles.load("valid.conf");
        assertEquals(List.of("frames", "decode", "audio", "mel", "render", "feats"), List.copyOf(g.stages().keySet()));
        assertEquals(GraphFiles.path("valid.conf").toString(), g.sourceFile());
        assertEquals(new Origin(g.sourceFile(), 10), g.stages().get("mel").origin());
        assertEquals(new Origin(g.sourceFile(), 17), g.edges().get(2).origin());
        assertNull(g.stages().get("decode").dispatcher());
    }

    @Test
    void overridesReplaceRootVariablesAndStageParams() {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("video", "takes/other.mp4");                // root variable used through ${video}
        overrides.put("decode.fps", "50");                        // shorthand stage.param
        overrides.put("graph.stages.mel.params.bands", "[4, 5]"); // full path, list value
        overrides.put("graph.stages.render.device", "gpu:1");     // not HOCON, kept as a string
        overrides.put("frames.dir", "\"out dir\"");               // quoted string
        ValidatedGraph graph = validator.validate(GraphLoader.load(GraphFiles.path("valid.conf"), overrides));

        assertEquals(new FrameSourceConfig(Path.of("takes/other.mp4"), 50), graph.configs().get("decode"));
        assertEquals(List.of(4, 5), ((MelConfig) graph.configs().get("mel")).bands());
        assertEquals(800, ((MelConfig) graph.configs().get("mel")).nFft());
        assertEquals("gpu:1", graph.definition().stages().get("render").device());
        assertEquals(new FrameSinkConfig("out dir", List.of("a", "b")), graph.configs().get("frames"));
        // Overriding a param keeps the stage's own line for later messages.
        assertEquals(8, graph.definition().stages().get("decode").origin().line());
    }

    @Test
    void illTypedOverrideIsReportedAtTheOverride() {
        GraphDefinition g = GraphLoader.load(GraphFiles.path("valid.conf"), Map.of("decode.fps", "2.5"));
        assertReported(validator.check(g), "-Pdecode.fps=2.5", "stage 'decode' (type frame-source) param 'fps': expected int, got 2.5");
    }

    @Test
    void overrideOfOneParamKeepsSiblingsFromASubstitutedBlock() {
        GraphDefinition g = GraphLoader.parse("""
                mel-defaults { n-fft = 800, hop-samples = 160 }
                graph {
                  name = substituted
                  stages {
                    audio { type = audio-source, params { path = ${?audio} } }
                    mel { type = mel, params = ${mel-defaults} }
                    feats { type = feature-sink }
                  }
                  edges = [
                    { from = audio.samples, to = mel.in }
                    { from = mel.windows, to = feats.in }
                  ]
                }
                """, "inline.conf", Map.of("mel.hop-samples", "100", "audio", "voice.wav"));
        ValidatedGraph graph = validator.validate(g);
        MelConfig mel = (MelConfig) graph.configs().get("mel");
        assertEquals(800, mel.nFft());
        assertEquals(100, mel.hopSamples());
        assertEquals(Path.of("voice.wav"), ((TestStages.AudioSourceConfig) graph.configs().get("audio")).path());
    }

    @Test
    void malformedOverrideKeyIsReported() {
        GraphValidationException e = assertThrows(GraphValidationException.class,
                () -> GraphLoader.load(GraphFiles.path("valid.conf"), Map.of("decode..fps", "1")));
        assertReported(e, "-Pdecode..fps=1", "override key 'decode..fps' is not a valid path");
    }

    @Test
    void renderedGraphParsesBackEqual() {
        GraphDefinition original = GraphLoader.load(GraphFiles.path("valid.conf"),
                Map.of("decode.fps", "40", "frames.dir", "\"true\""));
        String text = GraphLoader.render(original);
        GraphDefinition reparsed = GraphLoader.parse(text, "graph.conf", Map.of());

        assertSameGraph(original, reparsed);
        ValidatedGraph before = validator.validate(original);
        ValidatedGraph after = validator.validate(reparsed);
        assertEquals(before.configs(), after.configs());
        assertEquals(before.order(), after.order());
        assertEquals("true", ((FrameSinkConfig) after.configs().get("frames")).dir());
    }

    @Test
    void renderedBuilderGraphParsesBackEqual() {
        GraphDefinition built = GraphBuilder.named("built").description("two stages")
                .stage("zeta", "frame-source", Map.of("path", "a b.mp4"))
                .stage("alpha", "frame-sink", Map.of("dir", "out", "tags", List.of("x")))
                .journaledEdge("zeta.frames", "alpha.in")
                .build();
        GraphDefinition reparsed = GraphLoader.parse(GraphLoader.render(built), "graph.conf", Map.of());
        assertSameGraph(built, reparsed);
        assertEquals("two stages", reparsed.resolved().getString("graph.description"));
        assertEquals(List.of("zeta", "alpha"), validator.validate(reparsed).order());
    }

    @Test
    void rootVariablesAreRenderedResolved(@TempDir Path dir) throws Exception {
        GraphDefinition g = GraphFiles.load("valid.conf");
        Path written = dir.resolve("graph.conf");
        java.nio.file.Files.writeString(written, GraphLoader.render(g));
        GraphDefinition reloaded = GraphLoader.load(written, Map.of("video", "changed.mp4"));
        assertEquals("changed.mp4", reloaded.resolved().getString("video"));
        // The rendered graph holds values, not substitutions: the stage param no longer follows ${video}.
        assertEquals("clip.mp4", reloaded.stages().get("decode").params().getString("path"));
    }

    /** Equal as graphs: origins and source file differ by construction. */
    static void assertSameGraph(GraphDefinition expected, GraphDefinition actual) {
        assertEquals(expected.name(), actual.name());
        assertEquals(List.copyOf(expected.stages().keySet()), List.copyOf(actual.stages().keySet()));
        for (StageDecl e : expected.stages().values()) {
            StageDecl a = actual.stages().get(e.name());
            assertEquals(List.of(e.type(), e.params(), e.device(), String.valueOf(e.dispatcher())),
                    List.of(a.type(), a.params(), a.device(), String.valueOf(a.dispatcher())), e.name());
        }
        assertEquals(expected.edges().size(), actual.edges().size());
        for (int i = 0; i < expected.edges().size(); i++) {
            EdgeDecl e = expected.edges().get(i);
            EdgeDecl a = actual.edges().get(i);
            assertEquals(List.of(e.from(), e.to(), e.journal(), e.buffer()), List.of(a.from(), a.to(), a.journal(), a.buffer()));
        }
        assertEquals(expected.resolved(), actual.resolved());
    }
}
