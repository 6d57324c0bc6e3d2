package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that fails on bad input, as a user sees it: the CLI in a child JVM with the product's logging
 * configuration (not the tests'), stderr and stdout read back.
 */
class UserErrorOutputTest {
    @TempDir
    Path dir;

    private record Outcome(int code, String stdout, String stderr) {
    }

    private Outcome cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(SampleMedia.jvmFlags());
        cmd.add("-Dlogback.configurationFile=" + SampleMedia.repo().resolve("app/src/main/resources/logback.xml"));
        cmd.addAll(List.of("-cp", SampleMedia.testClassPath(), SyncTalkCli.class.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process child = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(child.waitFor(180, TimeUnit.SECONDS), "the CLI did not finish");
        return new Outcome(child.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Outcome runOnTextFileNamedMp4(String runId, String... extra) throws Exception {
        Path notAVideo = Files.writeString(dir.resolve("clip.mp4"), "this is a text file, not a video\n");
        List<String> args = new ArrayList<>(List.of("run", SampleMedia.graph("preprocess-basic.conf").toString(),
                "-Pvideo=" + notAVideo, "--run-id", runId, "--runs-dir", dir.resolve("runs").toString(),
                "--metrics-port", "-1", "--no-progress"));
        args.addAll(List.of(extra));
        return cli(args.toArray(String[]::new));
    }

    private static boolean hasStackTrace(String text) {
        return text.lines().anyMatch(l -> l.startsWith("\tat ") || l.matches("\\s+at [a-zA-Z_$][\\w.$]*\\(.*"));
    }

    @Test
    void failedRunOnBadInputPrintsOneClearErrorAndKeepsTheStackTraceInTheRunLog() throws Exception {
        Outcome o = runOnTextFileNamedMp4("bad");
        assertEquals(ExitCodes.RUN_FAILED, o.code(), o.stderr());
        String console = o.stdout() + o.stderr();
        assertFalse(hasStackTrace(console), "stack trace on the console:\n" + console);
        assertEquals(1, console.lines().filter(l -> l.contains("cannot open") && l.contains("clip.mp4")).count(),
                "the error once:\n" + console);
        assertTrue(o.stderr().contains("error: stage 'decode' (video-decode)"), o.stderr());
        Path log = dir.resolve("runs/bad/run.log");
        assertTrue(o.stderr().contains(log.toAbsolutePath().toString()), "names the run's log:\n" + o.stderr());
        assertTrue(hasStackTrace(Files.readString(log)), "run.log keeps the stack trace");
    }

    @Test
    void debugPrintsTheStackTraceOnTheConsoleToo() throws Exception {
        Outcome o = runOnTextFileNamedMp4("bad-debug", "--debug");
        assertEquals(ExitCodes.RUN_FAILED, o.code(), o.stderr());
        assertTrue(hasStackTrace(o.stderr()), "no stack trace with --debug:\n" + o.stderr());
    }
}
