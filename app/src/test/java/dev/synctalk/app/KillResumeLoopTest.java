package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunDirectory;
import dev.synctalk.engine.run.RunLock;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.journal.ResumeIndex;
import dev.synctalk.testing.SyntheticMedia;
import dev.synctalk.training.FixtureDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL at seeded random moments, ten times each on preprocess-basic and on fixture training: a child JVM runs
 * the graph and is killed, a new child resumes it and is killed again, and so on; the last resume runs to the end.
 * Most kills come when the run has reached a random point of its work, which every child must reach within
 * {@link #PROGRESS_BOUND} (a resume that hangs, as the JavaCPP class-initialisation deadlock made 4 in 10 do,
 * fails here); the others come at a random time after the child starts, so some land in start-up and stage
 * creation. Every run must end COMPLETED within {@link #FINISH_BOUND} with outputs byte-identical to an
 * uninterrupted run's, and a killed run must never look live. Half-way through the training loop the checkpoint
 * the next resume would restore is damaged: resume must take an older one, say so, and still end identical.
 */
class KillResumeLoopTest {
    private static final long SEED = 14;
    private static final int KILLS_PER_GRAPH = 10;
    private static final Duration PROGRESS_BOUND = Duration.ofSeconds(90);
    private static final Duration FINISH_BOUND = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    /**
     * What one graph's loop needs: how to start it, where its progress shows, how much there is, and for a
     * training graph the stage whose checkpoint to damage once (resume must take an older one).
     */
    private record Subject(String name, Path graph, Map<String, String> overrides, ToLongFunction<Path> progress,
                           long total, String checkpointedStage, String journaledEdge) {
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void preprocessBasicSurvivesTenKillsAtRandomMoments() throws Exception {
        int frames = 75;
        Path clip = SyntheticMedia.clip(dir.resolve("media/clip.mp4"), frames, 16000, 440);
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("video", clip.toString());
        survivesKills(new Subject("preprocess", SampleMedia.graph("preprocess-basic.conf"), overrides,
                outputs -> countFiles(outputs.resolve("ori_imgs"), ".jpg"), frames, null, null), new Random(SEED));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fixtureTrainingSurvivesTenKillsAtRandomMoments() throws Exception {
        Path dataset = dir.resolve("fixture");
        FixtureDataset.write(dataset, new FixtureDataset.Settings(32, 32, 30, 5));
        int iters = 60;
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("dataset", dataset.toString());
        overrides.put("preset", "tiny");
        overrides.put("iters", Integer.toString(iters));
        overrides.put("rays-per-step", "256");
        overrides.put("checkpoint-every", "5");
        overrides.put("lpips", dir.resolve("no-lpips-weights.stnt").toString());
        survivesKills(new Subject("train", SampleMedia.graph("train.conf"), overrides,
                outputs -> newestCheckpoint(outputs.resolveSibling("checkpoints").resolve("head"), Long.MAX_VALUE) + 1,
                iters, "head", "head.steps--metrics.steps"), new Random(SEED + 1));
    }

    private void survivesKills(Subject subject, Random random) throws Exception {
        Path runs = dir.resolve("runs-" + subject.name());
        Map<String, byte[]> expected;
        try (Engine engine = Engine.builder().runsDir(dir.resolve("reference")).build()) {
            RunResult reference = engine.start(subject.graph(), subject.overrides()).await(FINISH_BOUND);
            assertEquals(RunState.COMPLETED, reference.state(), reference.error());
            expected = SampleMedia.files(reference.outputs());
        }
        int kills = 0;
        int episode = 0;
        String damagedCheckpoint = null;
        Path damagedRun = null;
        while (kills < KILLS_PER_GRAPH) {
            String runId = subject.name() + "-" + episode++;
            Path runDir = runs.resolve(runId);
            Child child = Child.run(subject, runId, runs, dir);
            while (true) {
                if (kill(child, subject, runDir, random)) {
                    kills++;
                    if (!Files.isRegularFile(runDir.resolve("run.json"))) {
                        break; // killed before the run existed: start another
                    }
                    RunDirectory killed = new RunDirectory(runDir);
                    assertTrue(RunLock.liveHolder(killed).isEmpty(), "a killed run must not look live (kill " + kills + ")");
                    if (killed.readInfo().state() == RunState.COMPLETED) {
                        // killed while the JVM shut down after the run had ended
                        assertSameOutputs(expected, runDir.resolve("outputs"), runId + " after " + kills + " kills");
                        break;
                    }
                    if (damagedCheckpoint == null && subject.checkpointedStage() != null && kills >= KILLS_PER_GRAPH / 2) {
                        damagedCheckpoint = damageCheckpointResumeWouldTake(subject, runDir);
                        damagedRun = runDir;
                    }
                    if (kills == KILLS_PER_GRAPH) {
                        child = Child.resume(runId, runs, dir);
                        child.awaitExit(FINISH_BOUND, "the last resume of " + runId);
                    } else {
                        child = Child.resume(runId, runs, dir);
                        continue;
                    }
                }
                // the child ran to its end: the run is complete and must equal the uninterrupted one
                assertEquals(0, child.exitCode(), child.log());
                assertSameOutputs(expected, runDir.resolve("outputs"), runId + " after " + kills + " kills");
                break;
            }
        }
        if (subject.checkpointedStage() != null) {
            assertTrue(damagedCheckpoint != null, "no checkpoint was damaged: the test lost its point");
            String events = Files.readString(damagedRun.resolve("events.log"));
            assertTrue(events.contains("warning: stage " + subject.checkpointedStage() + ": skipped its checkpoint")
                    && events.contains(damagedCheckpoint), "resume names the damaged checkpoint it skips: " + events);
        }
    }

    /**
     * Flips a byte in the newest checkpoint that the journal covers (the one the next resume would restore), so
     * that resume has to fall back to an older one; returns its file name, or null when there is none yet.
     */
    private static String damageCheckpointResumeWouldTake(Subject subject, Path runDir) throws IOException {
        long journaled = ResumeIndex.scan(runDir).lastIndex(subject.journaledEdge());
        Path folder = runDir.resolve("checkpoints").resolve(subject.checkpointedStage());
        long newest = newestCheckpoint(folder, journaled);
        if (newest < 0 || newestCheckpoint(folder, newest - 1) < 0) {
            return null; // the fallback needs an older checkpoint to fall back to
        }
        Path file = folder.resolve(newest + ".ckpt");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(file, bytes);
        return file.toString();
    }

    /**
     * Kills {@code child} at a random moment: mostly when the run has done a random part of what is left (which
     * it must reach within the bound), else at a random time after the start. False when the child ended first.
     */
    private static boolean kill(Child child, Subject subject, Path runDir, Random random) throws Exception {
        Path outputs = runDir.resolve("outputs");
        long done = Files.isDirectory(outputs) ? subject.progress().applyAsLong(outputs) : 0;
        if (random.nextInt(4) == 0) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300 + random.nextInt(2500));
            while (System.nanoTime() < until) {
                if (!child.process.isAlive()) {
                    return false;
                }
                Thread.sleep(2);
            }
        } else {
            long left = subject.total() - done;
            long target = done + 1 + (left > 2 ? random.nextInt((int) left - 2) : 0);
            long deadline = System.nanoTime() + PROGRESS_BOUND.toNanos();
            while (!Files.isDirectory(outputs) || subject.progress().applyAsLong(outputs) < target) {
                if (!child.process.isAlive()) {
                    return false;
                }
                if (System.nanoTime() > deadline) {
                    child.process.destroyForcibly();
                    fail(runDir.getFileName() + " made no progress to " + target + " of " + subject.total() + " in "
                            + PROGRESS_BOUND + " (a hung resume?): " + child.log());
                }
                Thread.sleep(2);
            }
            Thread.sleep(random.nextInt(20));
        }
        if (!child.process.isAlive()) {
            return false;
        }
        child.process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, possibly mid-write
        assertTrue(child.process.waitFor(30, TimeUnit.SECONDS), "a killed child did not die");
        return true;
    }

    private static void assertSameOutputs(Map<String, byte[]> expected, Path outputs, String what) {
        Map<String, byte[]> actual = SampleMedia.files(outputs);
        assertEquals(expected.keySet(), actual.keySet(), what);
        for (String file : expected.keySet()) {
            assertArrayEquals(expected.get(file), actual.get(file), what + ": " + file + " differs");
        }
    }

    private static long countFiles(Path folder, String suffix) {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.toString().endsWith(suffix)).count();
        } catch (IOException e) {
            return 0; // listed while files are renamed into place
        }
    }

    /** Step through which the newest checkpoint at or before {@code atMost} holds the trainer, -1 when none. */
    private static long newestCheckpoint(Path folder, long atMost) {
        if (!Files.isDirectory(folder)) {
            return -1;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+\\.ckpt"))
                    .mapToLong(n -> Long.parseLong(n.substring(0, n.length() - 5))).filter(c -> c <= atMost).max()
                    .orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    /** {@code synctalk run} or {@code resume} in a JVM of its own, its output in a log file. */
    private record Child(Process process, Path logFile) {
        private static int started;

        static Child run(Subject subject, String runId, Path runs, Path dir) throws IOException {
            List<String> args = new ArrayList<>(List.of("run", subject.graph().toString(), "--run-id", runId));
            subject.overrides().forEach((k, v) -> args.add("-P" + k + "=" + v));
            return start(args, runs, dir);
        }

        static Child resume(String runId, Path runs, Path dir) throws IOException {
            return start(new ArrayList<>(List.of("resume", runId)), runs, dir);
        }

        private static Child start(List<String> args, Path runs, Path dir) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(SampleMedia.jvmFlags());
            command.add("-Xmx512m");
            command.addAll(List.of("-cp", SampleMedia.testClassPath(), SyncTalkCli.class.getName()));
            command.addAll(args);
            command.addAll(List.of("--runs-dir", runs.toString(), "--metrics-port", "-1", "--no-progress"));
            Path log = dir.resolve("child-" + (++started) + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Child(process, log);
        }

        void awaitExit(Duration bound, String what) throws Exception {
            if (!process.waitFor(bound.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(what + " did not finish within " + bound + ": " + log());
            }
        }

        int exitCode() throws InterruptedException {
            return process.waitFor();
        }

        String log() {
            try {
                String text = Files.readString(logFile);
                return text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text;
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }
}
