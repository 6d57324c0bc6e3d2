package dev.synctalk.engine.graph;

import static dev.synctalk.engine.graph.GraphFiles.assertReported;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a graph file and its overrides may not do, each refused before anything runs with the file and line or
 * the override that caused it: typos in overrides, duplicate stage keys, missing includes, numbers out of range,
 * output paths leaving the run, files too large or too deeply nested to be graph files.
 */
class GraphFileSafetyTest {
    private final GraphValidator validator = new GraphValidator(TestStages.registry());

    @TempDir
    Path dir;

    private static GraphValidationException refused(Path file, Map<String, String> overrides) {
        return assertThrows(GraphValidationException.class, () -> GraphLoader.load(file, overrides));
    }

    @Test
    void overrideOfAMisspeltVariableIsRefusedWithASuggestion() {
        Path valid = GraphFiles.path("valid.conf");
        assertReported(refused(valid, Map.of("vidoe", "x.mp4")), "-Pvidoe=x.mp4",
                "override 'vidoe' names nothing in the graph", "did you mean 'video'?");
        assertReported(refused(valid, Map.of("ghost.x", "1")), "-Pghost.x=1", "neither a variable of the file nor a stage");
        assertReported(refused(valid, Map.of("decod.fps", "30")), "-Pdecod.fps=30", "did you mean 'decode.fps'?");
    }

    @Test
    void overrideOfAStageParamTheStageLacksIsRefusedAtTheOverride() {
        GraphDefinition g = GraphLoader.load(GraphFiles.path("valid.conf"), Map.of("decode.fsp", "30"));
        assertReported(validator.check(g), "-Pdecode.fsp=30", "stage 'decode' (type frame-source) has no param 'fsp'",
                "did you mean 'fps'?");
    }

    @Test
    void overrideOfAnOptionalSubstitutionIsAccepted() throws IOException {
        Path file = write("optional.conf", """
                graph {
                  name = optional
                  stages {
                    audio { type = audio-source, params { path = ${?voice} } }
                    mel { type = mel, params { n-fft = 800 } }
                    feats { type = feature-sink }
                  }
                  edges = [
                    { from = audio.samples, to = mel.in }
                    { from = mel.windows, to = feats.in }
                  ]
                }
                """);
        ValidatedGraph g = validator.validate(GraphLoader.load(file, Map.of("voice", "a.wav")));
        assertEquals(Path.of("a.wav"), ((TestStages.AudioSourceConfig) g.configs().get("audio")).path());
    }

    @Test
    void duplicateStageKeyIsAnErrorNamingBothLines() throws IOException {
        Path file = write("twice.conf", """
                graph {
                  name = twice
                  stages {
                    decode { type = frame-source, params { path = a.mp4 } }
                    frames { type = frame-sink, params { dir = out } }
                    decode { type = frame-source, params { path = b.mp4, fps = 30 } }
                  }
                  edges = [ { from = decode.frames, to = frames.in } ]
                }
                """);
        assertReported(refused(file, Map.of()), "twice.conf:6", "duplicate key 'decode'", "first at", "twice.conf:4");
    }

    @Test
    void missingIncludeIsAnErrorAndAPresentOneIsRead() throws IOException {
        write("base.conf", "video = \"from-base.mp4\"\n");
        Path missing = write("missing-include.conf", """
                include "base.conf"
                include "settings.conf"
                graph { name = g, stages { decode { type = frame-source, params { path = ${video} } } } }
                """);
        assertReported(refused(missing, Map.of()), "missing-include.conf:2", "include \"settings.conf\": no such file");

        Path present = write("include.conf", """
                include "base.conf"
                graph { name = g, stages { decode { type = frame-source, params { path = ${video} } } } }
                """);
        assertEquals("from-base.mp4", GraphLoader.load(present, Map.of()).stages().get("decode").params().getString("path"));
    }

    @Test
    void includeByUrlIsRefused() throws IOException {
        Path file = write("url.conf", "include url(\"http://example.com/x.conf\")\ngraph { name = g, stages {} }\n");
        assertReported(refused(file, Map.of()), "url.conf:1", "graph files include other files by path only");
    }

    @Test
    void deeplyNestedFileEndsInOneClearError() throws IOException {
        int depth = 3000;
        Path file = write("deep.conf", "graph { name = deep, stages {} }\nx = " + "{ a = ".repeat(depth) + "1"
                + " }".repeat(depth) + "\n");
        GraphValidationException e = refused(file, Map.of());
        assertEquals(1, e.errors().size(), e.getMessage());
        assertReported(e, "deep.conf:2", "nested more than " + GraphText.MAX_DEPTH + " levels deep");
        GraphValidationException inOverride = refused(GraphFiles.path("valid.conf"),
                Map.of("video", "{ a = ".repeat(depth) + "1" + " }".repeat(depth)));
        assertTrue(inOverride.getMessage().contains("nested more than"), inOverride.getMessage());
    }

    @Test
    void filesThatCannotBeGraphFilesAreRefusedAtOnce() throws IOException {
        Path large = dir.resolve("large.conf");
        Files.write(large, new byte[GraphText.MAX_BYTES + 1]);
        assertReported(refused(large, Map.of()), large.toString(), "larger than 1024 KiB");
        Path device = Path.of("/dev/zero");
        if (Files.exists(device)) {
            assertReported(refused(device, Map.of()), "/dev/zero", "not a regular file");
        }
        assertReported(refused(dir, Map.of()), dir.toString(), "not a regular file");
    }

    @Test
    void numberOutOfItsRangeIsRefusedAtTheOverrideOrLine() throws IOException {
        GraphDefinition g = GraphLoader.load(GraphFiles.path("valid.conf"), Map.of("decode.fps", "1000000000"));
        assertReported(validator.check(g), "-Pdecode.fps=1000000000",
                "param 'fps': must be in [1, 240], got 1000000000");
        Path file = write("range.conf", """
                graph {
                  name = range
                  stages {
                    audio { type = audio-source, params { path = a.wav } }
                    mel { type = mel, params { n-fft = 800 } }
                    feats { type = feature-sink, params { epsilon = -0.5 } }
                  }
                  edges = [
                    { from = audio.samples, to = mel.in }
                    { from = mel.windows, to = feats.in }
                  ]
                }
                """);
        assertReported(validator.check(GraphLoader.load(file, Map.of())), "range.conf:6",
                "param 'epsilon': must be in [0, 1], got -0.5");
    }

    @Test
    void outputPathLeavingTheRunIsRefused() {
        Path valid = GraphFiles.path("valid.conf");
        GraphDefinition escaping = GraphLoader.load(valid, Map.of("feats.file", "../../other-run/outputs/mel.npy"));
        assertReported(validator.check(escaping), "-Pfeats.file=../../other-run/outputs/mel.npy",
                "param 'file'", "stays inside it", "leaves it");
        GraphDefinition absolute = GraphLoader.load(valid, Map.of("feats.file", "/tmp/mel.npy"));
        assertReported(validator.check(absolute), "-Pfeats.file=/tmp/mel.npy", "is absolute");
        GraphDefinition inside = GraphLoader.load(valid, Map.of("feats.file", "features/../mel.npy"));
        assertTrue(validator.check(inside).isEmpty(), "a path that stays inside the outputs is fine");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
