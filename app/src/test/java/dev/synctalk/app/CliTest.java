package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome run(String... args) {
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
                {"status", "--help"}, {"graphs", "--help"}, {"graphs", "validate", "--help"},
                {"graphs", "stages", "--help"}, {"graphs", "describe", "--help"}, {"demo", "--help"},
                {"doctor", "--help"}, {"serve", "--help"}, {"serve-bench", "--help"}}) {
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
}
