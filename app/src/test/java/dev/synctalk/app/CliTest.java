package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.eval.MetricColumn;
import dev.synctalk.eval.QualityReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {
    }

    /** Runs the CLI in this JVM, capturing what it prints. */
    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cl = SyncTalkCli.commandLine();
            cl.setOut(new PrintWriter(System.out, true));
            cl.setErr(new PrintWriter(System.err, true));
            int code = cl.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : new String[][]{{"--help"}, {"run", "--help"}, {"resume", "--help"}, {"replay", "--help"},
                {"status", "--help"}, {"repair", "--help"}, {"graphs", "--help"}, {"graphs", "validate", "--help"},
                {"graphs", "stages", "--help"}, {"graphs", "describe", "--help"}, {"demo", "--help"},
                {"doctor", "--help"}, {"eval", "--help"}, {"eval", "compare", "--help"},
                {"serve", "--help"}, {"serve-bench", "--help"}}) {
            Outcome o = run(cmd);
            assertEquals(0, o.code(), String.join(" ", cmd));
            assertTrue(o.out().contains("Usage:"), String.join(" ", cmd) + ": " + o.out());
        }
    }

    @Test
    void doctorReportsEachTopicAndAnAbsentGpuWithoutAnErrorExit() {
        Outcome o = run("doctor");
        assertEquals(0, o.code(), o.out() + o.err());
        for (String topic : new String[]{"java", "machine", "cudnn", "ffmpeg", "opencv", "samples"}) {
            assertTrue(o.out().lines().anyMatch(l -> l.matches("(OK|NOTE|WARN) +" + topic + " .*")), topic + " in\n" + o.out());
        }
        assertTrue(o.out().lines().anyMatch(l -> l.startsWith("OK    ffmpeg") && l.contains("libx264")), o.out());
        if (!dev.synctalk.gpu.cuda.CudaRuntime.available()) {
            assertTrue(o.out().lines().anyMatch(l -> l.startsWith("NOTE  gpu       none usable")), o.out());
        }
    }

    @Test
    void everyShippedGraphFileValidates() throws Exception {
        java.util.List<String> files;
        try (var s = Files.list(SampleMedia.repo().resolve("graph-definitions"))) {
            files = s.filter(p -> p.toString().endsWith(".conf")).map(Path::toString).sorted().toList();
        }
        assertTrue(!files.isEmpty());
        Outcome o = run(java.util.stream.Stream.concat(java.util.stream.Stream.of("graphs", "validate"),
                files.stream()).toArray(String[]::new));
        assertEquals(0, o.code(), o.err());
        assertEquals(files.size(), o.out().lines().filter(l -> l.contains(": ok")).count(), o.out());
    }

    @Test
    void invalidGraphFileExitsWithFileLineAndReason() throws Exception {
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, """
                graph {
                  name = bad
                  stages {
                    decode { type = video-decodr, params { path = "x.mp4" } }
                  }
                  edges = []
                }
                """);
        Outcome o = run("graphs", "validate", bad.toString());
        assertEquals(ExitCodes.USAGE, o.code());
        assertTrue(o.err().contains("bad.conf:4") && o.err().contains("video-decodr"), o.err());
    }

    @Test
    void misspeltOverrideIsRefusedNamingItWithASuggestion() {
        String graph = SampleMedia.graph("preprocess-basic.conf").toString();
        Outcome o = run("graphs", "validate", graph, "-Pvidoe=x.mp4");
        assertEquals(ExitCodes.USAGE, o.code());
        assertTrue(o.err().contains("-Pvidoe=x.mp4") && o.err().contains("did you mean 'video'?"), o.err());
        Outcome range = run("graphs", "validate", graph, "-Pdecode.fps=1e9");
        assertEquals(ExitCodes.USAGE, range.code());
        assertTrue(range.err().contains("-Pdecode.fps=1e9") && range.err().contains("must be in [1, 240]"), range.err());
        Outcome escape = run("graphs", "validate", graph, "-Pframes.dir=../../other-run/outputs/ori_imgs");
        assertEquals(ExitCodes.USAGE, escape.code());
        assertTrue(escape.err().contains("-Pframes.dir=") && escape.err().contains("leaves it"), escape.err());
    }

    @Test
    void runIdThatIsNotAPlainNameIsRefused() {
        Path runs = dir.resolve("runs");
        Outcome o = run("run", SampleMedia.graph("preprocess-basic.conf").toString(), "--run-id", "../escaped",
                "--runs-dir", runs.toString(), "--metrics-port", "-1", "--no-progress");
        assertEquals(ExitCodes.USAGE, o.code());
        assertTrue(o.err().contains("must be a plain name"), o.err());
        assertTrue(!Files.exists(dir.resolve("escaped")));
    }

    @Test
    void statusTellsAnInterruptedRunFromACompletedOneAndSurvivesADamagedRunJson() throws Exception {
        Path runs = dir.resolve("runs");
        java.time.Instant now = java.time.Instant.now();
        for (String id : new String[] {"killed", "done", "broken"}) {
            dev.synctalk.engine.run.RunDirectory run = dev.synctalk.engine.run.RunDirectory.create(runs, id);
            run.writeInfo(new dev.synctalk.engine.run.RunInfo(id, "g", "g.conf", id.equals("done")
                    ? dev.synctalk.engine.run.RunState.COMPLETED : dev.synctalk.engine.run.RunState.RUNNING, now, now,
                    1, null, null, null, null, java.util.Map.of()));
            // a lock file naming a process that ended: what a SIGKILLed run leaves
            dev.synctalk.engine.run.RunLock.acquire(run).close();
        }
        Files.writeString(runs.resolve("broken/run.json"), "{ \"runId\": ");

        Outcome list = run("status", "--runs-dir", runs.toString());
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("killed") && l.contains("INTERRUPTED")), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("done") && l.contains("COMPLETED")), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("broken") && l.contains("DAMAGED")), list.out());

        Outcome killed = run("status", "killed", "--runs-dir", runs.toString());
        assertEquals(0, killed.code(), killed.err());
        assertTrue(killed.out().contains("INTERRUPTED") && killed.out().contains("synctalk resume killed"), killed.out());
        Outcome broken = run("status", "broken", "--runs-dir", runs.toString());
        assertEquals(ExitCodes.USAGE, broken.code());
        assertTrue(broken.err().contains("damaged") && broken.err().contains("run.json"), broken.err());
    }

    @Test
    void missingGraphFileIsNamed() {
        Outcome o = run("run", dir.resolve("nope.conf").toString(), "--runs-dir", dir.toString());
        assertEquals(ExitCodes.USAGE, o.code());
        assertTrue(o.err().contains("nope.conf"), o.err());
    }

    @Test
    void statusOfUnknownRunSaysSo() {
        Outcome o = run("status", "no-such-run", "--runs-dir", dir.toString());
        assertEquals(ExitCodes.USAGE, o.code());
        assertTrue(o.err().contains("no-such-run"), o.err());
    }

    @Test
    void stagesListNamesTheMediaStages() {
        Outcome o = run("graphs", "stages");
        assertEquals(0, o.code());
        for (String t : new String[]{"video-decode", "audio-extract", "log-mel", "frame-writer", "wav-writer",
                "feature-writer"}) {
            assertTrue(o.out().contains(t), t + " missing in: " + o.out());
        }
    }

    @Test
    void graphsDescribeSaysWhichStagesMayRunInParallel() throws Exception {
        Outcome type = run("graphs", "describe", "face-mesh");
        assertEquals(0, type.code());
        assertTrue(type.out().contains("parallel: yes"), type.out());
        Outcome stateful = run("graphs", "describe", "face-landmarks");
        assertTrue(stateful.out().contains("parallel: no, it keeps state between frames"), stateful.out());

        Outcome graph = run("graphs", "describe", SampleMedia.graph("preprocess.conf").toString(), "-Pworkers=3");
        assertEquals(0, graph.code(), graph.err());
        assertTrue(graph.out().lines().anyMatch(l -> l.matches("\\s+mesh\\s+face-mesh\\s+3\\s+yes \\(stateless\\)")),
                graph.out());
        assertTrue(graph.out().lines().anyMatch(l -> l.matches("\\s+landmarks\\s+face-landmarks\\s+1\\s+no")),
                graph.out());
    }

    @Test
    void statusShowsTheTimeEachStageTook() throws Exception {
        Path video = SampleMedia.data("hdtf_aoc.mp4");
        Outcome ran = run("run", SampleMedia.graph("preprocess-basic.conf").toString(), "-Pvideo=" + video,
                "-Pdecode.max-frames=4", "--run-id", "timed", "--runs-dir", dir.toString(), "--metrics-port", "-1",
                "--no-progress");
        assertEquals(0, ran.code(), ran.err());
        Outcome o = run("status", "timed", "--runs-dir", dir.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("stages (metrics.json"), o.out());
        assertTrue(o.out().lines().anyMatch(l -> l.matches("\\s+frames\\s+[0-9.]+\\s+[0-9.]+\\s+4\\s+0")), o.out());
    }

    @Test
    void evalComparePrintsTwoReportsSideBySideFromRunIdsOrFiles() throws Exception {
        Path runs = dir.resolve("runs");
        QualityReport a = new QualityReport("reconstruction",
                Map.of("frames", "19"), List.of(
                MetricColumn.of("psnrFace", "PSNR face", "dB", "higher", 20.5, "")));
        QualityReport b = new QualityReport("reconstruction",
                Map.of("frames", "19"), List.of(
                MetricColumn.of("psnrFace", "PSNR face", "dB", "higher", 31.25, "")));
        a.write(runs.resolve("evalA/outputs/eval"));
        b.write(dir.resolve("elsewhere"));
        Outcome o = run("eval", "compare", "--runs-dir", runs.toString(), "evalA", dir.resolve("elsewhere").toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().lines().anyMatch(l -> l.matches("PSNR face \\(dB\\)\\s+20\\.50\\s+31\\.25\\s+B$")),
                o.out());
        Outcome missing = run("eval", "compare", "--runs-dir", runs.toString(), "evalA", "no-such-run");
        assertEquals(ExitCodes.USAGE, missing.code());
        assertTrue(missing.err().contains("no-such-run"), missing.err());
    }
}
