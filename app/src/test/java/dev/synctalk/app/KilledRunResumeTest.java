package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunHandle;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.journal.ResumeIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed with SIGKILL in a child JVM, then resumed, must end with the same bytes as a run that
 * was never interrupted, without decoding again the frames it had journaled. preprocess-basic.conf writes
 * its frames with four frame-writer actors ({@code parallelism = 4}), so this covers a parallel stage too.
 */
class KilledRunResumeTest {

    @TempDir
    Path runs;

    @Test
    void runKilledMidwayAndResumedMatchesUninterruptedRunByteForByte() throws Exception {
        Path video = SampleMedia.data("hdtf_aoc.mp4");
        Path graph = SampleMedia.graph("preprocess-basic.conf");
        String videoOverride = "-Pvideo=" + video;

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(SampleMedia.jvmFlags());
        cmd.addAll(List.of("-cp", SampleMedia.testClassPath(), SyncTalkCli.class.getName(), "run", graph.toString(),
                videoOverride, "--run-id", "killed", "--runs-dir", runs.toString(), "--metrics-port", "-1",
                "--no-progress"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(runs.resolve("child.log").toFile()).start();
        Path written = runs.resolve("killed/outputs/ori_imgs");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (count(written) < 40) {
            assertTrue(child.isAlive(), "child ended before it could be killed: " + Files.readString(runs.resolve("child.log")));
            assertTrue(System.nanoTime() < deadline, "child made no progress");
            Thread.sleep(10);
        }
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertTrue(count(written) < 200, "the child must have been killed mid-way");

        try (Engine engine = Engine.builder().runsDir(runs).build()) {
            long journaled = ResumeIndex.scan(runs.resolve("killed")).lastIndex("decode.frames--frames.in");
            assertTrue(journaled >= 39, "journaled frames before the kill: " + journaled);

            RunHandle resumed = engine.resume("killed");
            RunResult r = resumed.await(Duration.ofMinutes(5));
            assertEquals(RunState.COMPLETED, r.state(), r.error());
            long decodedOnResume = resumed.metrics().stage("decode").messagesOut();

            assertTrue(Files.readString(runs.resolve("killed/graph.conf")).contains("parallelism=4"),
                    "the frames are written by four actors");
            RunResult reference = engine.start(graph, Map.of("video", video.toString())).await(Duration.ofMinutes(5));
            assertEquals(RunState.COMPLETED, reference.state(), reference.error());
            long total = count(reference.outputs().resolve("ori_imgs"));
            assertEquals(total - (journaled + 1), decodedOnResume, "resume must not decode finished frames again");

            Map<String, byte[]> expected = SampleMedia.files(reference.outputs());
            Map<String, byte[]> actual = SampleMedia.files(r.outputs());
            assertEquals(expected.keySet(), actual.keySet());
            for (String f : expected.keySet()) {
                assertArrayEquals(expected.get(f), actual.get(f), "output differs: " + f);
            }
        }
    }

    private static long count(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jpg")).count();
        }
    }
}
