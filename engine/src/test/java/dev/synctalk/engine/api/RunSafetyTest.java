package dev.synctalk.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.graph.GraphBuilder;
import dev.synctalk.engine.graph.GraphDefinition;
import dev.synctalk.engine.run.RunDirectory;
import dev.synctalk.engine.run.RunLock;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.engine.testing.TestStages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs users can trust: damaged checkpoints and journals, live and dead runs, writes outside the run. */
class RunSafetyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path runs;

    private Engine engine;

    @BeforeEach
    void startEngine() {
        engine = Engine.builder().runsDir(runs).registry(TestStages.registry()).codecs(TestStages.codecs()).build();
    }

    @AfterEach
    void stopEngine() {
        engine.close();
    }

    private static GraphDefinition sums(Map<String, ?> gate) {
        return GraphBuilder.named("sums")
                .stage("source", "count", Map.of("count", 60))
                .stage("sum", "running-sum", Map.of("every", 10))
                .stage("gate", "fail-once", gate)
                .stage("collect", "collect", Map.of())
                .edge("source.out", "sum.in")
                .journaledEdge("sum.out", "gate.in")
                .edge("gate.out", "collect.in")
                .build();
    }

    private static GraphDefinition squares(Map<String, ?> gate) {
        return GraphBuilder.named("squares")
                .stage("source", "count", Map.of("count", 50))
                .stage("square", "square", Map.of())
                .stage("gate", "fail-once", gate)
                .stage("collect", "collect", Map.of())
                .edge("source.out", "square.in")
                .journaledEdge("square.out", "gate.in")
                .edge("gate.out", "collect.in")
                .build();
    }

    private RunResult failedOnce(GraphDefinition graphWithMarker, Path marker) throws Exception {
        RunResult failed = engine.start(graphWithMarker, Map.of()).await(WAIT);
        assertEquals(RunState.FAILED, failed.state());
        Files.delete(marker);
        return failed;
    }

    @Test
    void resumeSkipsADamagedNewestCheckpointWithAWarningNamingIt() throws Exception {
        RunResult reference = engine.start(sums(Map.of("fail-at", 1_000_000)), Map.of()).await(WAIT);
        Path marker = Files.createFile(runs.resolve("marker"));
        RunResult failed = failedOnce(sums(Map.of("fail-at", 45, "marker", marker.toString())), marker);
        Path checkpoints = failed.runDir().resolve("checkpoints/sum");
        Path newest = checkpoints.resolve("39.ckpt");
        assertTrue(Files.exists(newest), "checkpoints: " + list(checkpoints));
        // how far sum ran ahead of the failing gate (and so which checkpoint resume would take) is a race:
        // damage every checkpoint after 29, so that 29 is the newest usable one however far it got
        for (long through : List.of(39L, 49L, 59L)) {
            Path ckpt = checkpoints.resolve(through + ".ckpt");
            if (Files.exists(ckpt)) {
                Files.writeString(ckpt, "\u0000\u0013garbage");
            }
        }

        RunHandle resumed = engine.resume(failed.runId());
        RunResult r = resumed.await(WAIT);

        assertEquals(RunState.COMPLETED, r.state(), r.error());
        assertEquals(Files.readString(reference.outputs().resolve("values.txt")),
                Files.readString(r.outputs().resolve("values.txt")));
        assertEquals(60 - 30, resumed.metrics().stage("source").messagesOut(), "restarts after checkpoint 29");
        String events = Files.readString(failed.runDir().resolve("events.log"));
        assertTrue(events.contains("warning: stage sum: skipped its checkpoint through frame 39")
                && events.contains(newest.toString()), events);
    }

    @Test
    void damagedJournalRecordStopsResumeNamingEdgeFrameAndFileUntilRepaired() throws Exception {
        RunResult reference = engine.start(squares(Map.of("fail-at", 1_000_000)), Map.of()).await(WAIT);
        Path marker = Files.createFile(runs.resolve("marker"));
        RunResult failed = failedOnce(squares(Map.of("fail-at", 30, "marker", marker.toString())), marker);
        Path cycleFile = cycleFile(failed.runDir().resolve("journals/square.out--gate.in"));
        flipLastWrittenByte(cycleFile);

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> engine.resume(failed.runId()));
        assertTrue(refused.getMessage().contains("edge 'square.out--gate.in' at frame ")
                && refused.getMessage().contains(cycleFile.toString())
                && refused.getMessage().contains("synctalk repair " + failed.runId()), refused.getMessage());
        assertTrue(RunLock.liveHolder(new RunDirectory(failed.runDir())).isEmpty(), "a refused resume lets go");

        Engine.RepairReport report = engine.repair(failed.runId());
        assertTrue(report.changed());
        long kept = report.journals().get(0).keptLastIndex();
        assertTrue(kept >= 20, "records before the damaged last one are kept: through frame " + kept);

        RunResult resumed = engine.resume(failed.runId()).await(WAIT);
        assertEquals(RunState.COMPLETED, resumed.state(), resumed.error());
        assertEquals(Files.readString(reference.outputs().resolve("values.txt")),
                Files.readString(resumed.outputs().resolve("values.txt")));
    }

    @Test
    void resumeRemovesThePartialFilesAKilledAttemptLeft() throws Exception {
        Path marker = Files.createFile(runs.resolve("marker"));
        RunResult failed = failedOnce(squares(Map.of("fail-at", 30, "marker", marker.toString())), marker);
        // a writer killed between writing its temporary file and renaming it over the target leaves these
        Path partialOutput = Files.writeString(failed.outputs().resolve(".values.txt.4711.tmp"), "half");
        Path partialCheckpoint = Files.writeString(Files.createDirectories(failed.runDir().resolve("checkpoints/x"))
                .resolve("9.ckpt.tmp"), "half");

        RunResult r = engine.resume(failed.runId()).await(WAIT);

        assertEquals(RunState.COMPLETED, r.state(), r.error());
        assertFalse(Files.exists(partialOutput));
        assertFalse(Files.exists(partialCheckpoint));
        assertTrue(Files.readString(failed.runDir().resolve("events.log")).contains("removed 2 partial files"));
    }

    @Test
    void aRunningRunHoldsItsLockAndAnEndedOneDoesNot() throws Exception {
        GraphDefinition slow = GraphBuilder.named("slow")
                .stage("source", "count", Map.of("count", 150, "delay-ms", 20))
                .stage("collect", "collect", Map.of())
                .journaledEdge("source.out", "collect.in")
                .build();
        RunHandle run = engine.start(slow, "live", Map.of());
        RunDirectory dir = new RunDirectory(run.runDir());
        assertEquals(ProcessHandle.current().pid(), engine.liveProcess("live").orElseThrow().pid());
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> engine.resume("live"));
        assertTrue(twice.getMessage().contains("is running in process " + ProcessHandle.current().pid()),
                twice.getMessage());
        assertEquals(RunState.COMPLETED, run.await(WAIT).state());
        assertTrue(engine.liveProcess("live").isEmpty());
        assertEquals(ProcessHandle.current().pid(), RunLock.lastHolder(dir).orElseThrow().pid());
    }

    @Test
    void stageTypesArePreparedOnceOnTheLaunchingThreadBeforeAnyStageIsCreated() throws Exception {
        TestStages.Prepared.EVENTS.clear();
        GraphDefinition graph = GraphBuilder.named("prepared")
                .stage("source", "count", Map.of("count", 5))
                .stage("a", "prepared", Map.of())
                .stage("b", "prepared", Map.of())
                .stage("collect", "collect", Map.of())
                .edge("source.out", "a.in")
                .edge("a.out", "b.in")
                .edge("b.out", "collect.in")
                .build();
        assertEquals(RunState.COMPLETED, engine.start(graph, Map.of()).await(WAIT).state());
        assertEquals(RunState.COMPLETED, engine.start(graph, Map.of()).await(WAIT).state());
        List<String> events = List.copyOf(TestStages.Prepared.EVENTS);
        assertEquals("prepare on " + Thread.currentThread().getName(), events.get(0), events.toString());
        assertEquals(1, events.stream().filter(e -> e.startsWith("prepare")).count(), events.toString());
        assertEquals(4, events.stream().filter(e -> e.startsWith("create")).count(), events.toString());
    }

    @Test
    void runIdsArePlainNames() {
        GraphDefinition graph = squares(Map.of("fail-at", 1_000_000));
        for (String id : new String[] {"../escape", "/tmp/abs", "a/b", ".hidden", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> engine.start(graph, id, Map.of()));
            assertTrue(e.getMessage().contains("must be a plain name"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> engine.resume("../escape"));
        assertFalse(Files.exists(runs.resolveSibling("escape")));
    }

    @Test
    void aStageWritingOutsideItsRunFailsTheRunAndWritesNothingThere() throws Exception {
        Path outside = runs.resolveSibling("outside-" + runs.getFileName() + ".txt");
        GraphDefinition graph = GraphBuilder.named("escape")
                .stage("source", "count", Map.of("count", 3))
                .stage("collect", "collect", Map.of("file", "../../../" + outside.getFileName()))
                .edge("source.out", "collect.in")
                .build();
        RunResult r = engine.start(graph, Map.of()).await(WAIT);
        assertEquals(RunState.FAILED, r.state());
        assertTrue(r.error().contains("is not inside the run's outputs folder"), r.error());
        assertFalse(Files.exists(outside));
    }

    @Test
    void aDamagedRunJsonHidesOnlyItsOwnRun() throws Exception {
        RunResult good = engine.start(squares(Map.of("fail-at", 1_000_000)), "good", Map.of()).await(WAIT);
        RunResult bad = engine.start(squares(Map.of("fail-at", 1_000_000)), "bad", Map.of()).await(WAIT);
        Files.writeString(bad.runDir().resolve("run.json"), "{ \"runId\": \"bad\", \"state\": ");
        assertEquals(List.of(good.runId()), engine.runs().stream().map(i -> i.runId()).toList());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> engine.status("bad"));
        assertTrue(e.getMessage().contains("damaged") && e.getMessage().contains("run.json"), e.getMessage());
    }

    private static Path cycleFile(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    /** The last non-zero byte of the written part of a queue file is in the last record (its checksum). */
    private static void flipLastWrittenByte(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(4 << 20);
            channel.read(head, 0);
            int last = head.position() - 1;
            while (last > 0 && head.get(last) == 0) {
                last--;
            }
            channel.write(ByteBuffer.wrap(new byte[] {(byte) (head.get(last) ^ 0x20)}), last);
        }
    }

    private static String list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList().toString();
        }
    }
}
