package dev.synctalk.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.synctalk.engine.graph.GraphBuilder;
import dev.synctalk.engine.graph.GraphDefinition;
import dev.synctalk.engine.graph.GraphValidationException;
import dev.synctalk.engine.run.RunDirectory;
import dev.synctalk.engine.run.RunInfo;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.engine.testing.Num;
import dev.synctalk.engine.testing.TestStages;
import dev.synctalk.journal.JournalReader;
import dev.synctalk.journal.JournalRecord;
import dev.synctalk.monitoring.StageMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineRunTest {
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

    private static GraphDefinition squares(int count, Map<String, ?> failParams) {
        GraphBuilder b = GraphBuilder.named("squares")
                .stage("source", "count", Map.of("count", count))
                .stage("square", "square", Map.of());
        if (failParams != null) {
            b.stage("gate", "fail-once", failParams)
                    .stage("collect", "collect", Map.of())
                    .edge("source.out", "square.in")
                    .journaledEdge("square.out", "gate.in")
                    .edge("gate.out", "collect.in");
        } else {
            b.stage("collect", "collect", Map.of())
                    .edge("source.out", "square.in")
                    .journaledEdge("square.out", "collect.in");
        }
        return b.build();
    }

    private static String expectedSquares(int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(i).append(' ').append((double) i * i).append('\n');
        }
        return sb.toString();
    }

    @Test
    void graphRunsToCompletionAndWritesOutputs() throws Exception {
        RunResult r = engine.start(squares(100, null), Map.of()).await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        assertEquals(expectedSquares(100), Files.readString(r.outputs().resolve("values.txt")));
        RunInfo info = engine.status(r.runId());
        assertEquals(RunState.COMPLETED, info.state());
        assertTrue(Files.isRegularFile(r.runDir().resolve("graph.conf")));
    }

    @Test
    void finishedRunLeavesEachStagesTimesInMetricsJson() throws Exception {
        RunResult r = engine.start(squares(20, null), Map.of()).await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        String json = Files.readString(RunDirectory.open(runs, r.runId()).metricsFile());
        for (String stage : List.of("source", "square", "collect")) {
            assertTrue(json.contains("\"name\":\"" + stage + "\""), stage + " missing in " + json);
        }
        assertTrue(json.contains("\"sumNanos\"") && json.contains("\"elapsedSeconds\""), json);
        assertTrue(json.contains("COMPLETED"), json);
    }

    @Test
    void slowSinkKeepsInFlightFramesBounded() throws Exception {
        // Buffers of 2 on each edge; in flight = produced by the source but not yet taken by the sink.
        GraphDefinition g = GraphBuilder.named("slow")
                .stage("source", "count", Map.of("count", 300))
                .stage("square", "square", Map.of())
                .stage("sink", "slow-sink", Map.of("delay-ms", 2))
                .edge("source.out", "square.in", false, 2)
                .edge("square.out", "sink.in", false, 2)
                .build();
        RunHandle run = engine.start(g, Map.of());
        StageMetrics source = run.metrics().stage("source");
        StageMetrics sink = run.metrics().stage("sink");
        long maxInFlight = 0;
        while (!run.result().toCompletableFuture().isDone()) {
            maxInFlight = Math.max(maxInFlight, source.messagesOut() - sink.messagesIn());
            Thread.sleep(1);
        }
        RunResult r = run.await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        assertEquals(300, sink.messagesIn());
        // Per stage at most 6 (the call in the actor and its completed reply, the reply being split, the
        // outlet meter's slot, the end-of-input concat, one element in a port between fused operators);
        // per edge its buffer. Independent of the 300 frames streamed (13 measured on 2 cores).
        long bound = 3 * 6 + 2 * 2;
        assertTrue(maxInFlight <= bound, "in flight " + maxInFlight + " exceeds bound " + bound);
        assertTrue(sink.messagesIn() > 0 && run.metrics().stage("square").blockedNanos() > 0,
                "square's output must have waited for the slow sink");
    }

    @Test
    void stageThatThrowsOnFrameNFailsTheRunAndKeepsEarlierJournalRecords() throws Exception {
        Path marker = Files.createFile(runs.resolve("fail-marker"));
        RunResult r = engine.start(squares(50, Map.of("fail-at", 20, "marker", marker.toString())), Map.of())
                .await(WAIT);
        assertEquals(RunState.FAILED, r.state());
        assertTrue(r.error().contains("'gate'") && r.error().contains("fail-once") && r.error().contains("frame 20")
                && r.error().contains("injected failure") && r.error().contains("input in=Num"), r.error());
        assertEquals("gate", r.failedStage());
        RunInfo info = RunDirectory.open(runs, r.runId()).readInfo();
        assertEquals(RunState.FAILED, info.state());
        assertEquals("gate", info.failedStage());
        List<Long> journaled = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(r.runDir(), "square.out--gate.in")) {
            for (JournalRecord rec : reader) {
                Num n = new Num.Codec().decode(rec.payload());
                assertEquals((double) n.frameIndex() * n.frameIndex(), n.value());
                journaled.add(rec.frameIndex());
            }
        }
        assertTrue(journaled.size() >= 20, "frames before the failure must stay journaled: " + journaled.size());
        for (int i = 0; i < journaled.size(); i++) {
            assertEquals(i, journaled.get(i));
        }
    }

    @Test
    void resumedRunMatchesUninterruptedRunWithoutRedoingJournaledFrames() throws Exception {
        RunResult reference = engine.start(squares(80, Map.of("fail-at", 1_000_000)), Map.of()).await(WAIT);
        assertEquals(RunState.COMPLETED, reference.state(), reference.error());

        Path marker = Files.createFile(runs.resolve("fail-marker"));
        RunResult failed = engine.start(squares(80, Map.of("fail-at", 30, "marker", marker.toString())), Map.of())
                .await(WAIT);
        assertEquals(RunState.FAILED, failed.state());
        long journaledBefore;
        try (JournalReader reader = JournalReader.open(failed.runDir(), "square.out--gate.in")) {
            journaledBefore = reader.lastIndex();
        }
        Files.delete(marker);

        RunHandle resumed = engine.resume(failed.runId());
        RunResult r = resumed.await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        assertEquals(Files.readString(reference.outputs().resolve("values.txt")),
                Files.readString(r.outputs().resolve("values.txt")));
        long producedOnResume = resumed.metrics().stage("source").messagesOut();
        assertEquals(80 - (journaledBefore + 1), producedOnResume,
                "the source must start after the last journaled frame " + journaledBefore);
        assertEquals(2, engine.status(failed.runId()).attempts());
    }

    @Test
    void checkpointedStageResumesFromItsCheckpointAndSourcesRestartAfterIt() throws Exception {
        java.util.function.Function<Map<String, ?>, GraphDefinition> graph = gate -> GraphBuilder.named("sums")
                .stage("source", "count", Map.of("count", 60))
                .stage("sum", "running-sum", Map.of("every", 10))
                .stage("gate", "fail-once", gate)
                .stage("collect", "collect", Map.of())
                .edge("source.out", "sum.in")
                .journaledEdge("sum.out", "gate.in")
                .edge("gate.out", "collect.in")
                .build();
        RunResult reference = engine.start(graph.apply(Map.of("fail-at", 1_000_000)), Map.of()).await(WAIT);
        assertEquals(RunState.COMPLETED, reference.state(), reference.error());

        Path marker = Files.createFile(runs.resolve("sum-marker"));
        RunResult failed = engine.start(graph.apply(Map.of("fail-at", 35, "marker", marker.toString())), Map.of())
                .await(WAIT);
        assertEquals(RunState.FAILED, failed.state());
        Files.delete(marker);
        long journaled;
        try (JournalReader reader = JournalReader.open(failed.runDir(), "sum.out--gate.in")) {
            journaled = reader.lastIndex();
        }
        // The newest checkpoint whose outputs are all journaled: frames 0..c with c + 1 a multiple of 10.
        long checkpointed = (journaled + 1) / 10 * 10 - 1;
        assertTrue(checkpointed >= 29, "checkpoint through " + checkpointed);
        RunHandle resumed = engine.resume(failed.runId());
        RunResult r = resumed.await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        assertEquals(Files.readString(reference.outputs().resolve("values.txt")),
                Files.readString(r.outputs().resolve("values.txt")));
        assertEquals(60 - (checkpointed + 1), resumed.metrics().stage("source").messagesOut(),
                "the source restarts right after the checkpoint");
    }

    @Test
    void replayFromJournaledEdgeReproducesOutputsWithoutRunningUpstream() throws Exception {
        RunResult original = engine.start(squares(40, null), Map.of()).await(WAIT);
        assertEquals(RunState.COMPLETED, original.state(), original.error());
        RunHandle replay = engine.replay(original.runId(), "square");
        RunResult r = replay.await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        assertEquals(Files.readString(original.outputs().resolve("values.txt")),
                Files.readString(r.outputs().resolve("values.txt")));
        List<String> ran = replay.metrics().stages().stream().map(StageMetrics::name).toList();
        assertEquals(List.of("collect"), ran);
        assertEquals(original.runId(), engine.status(r.runId()).replayOf());
    }

    @Test
    void replayFromStageWithoutJournalsIsRejectedWithReason() throws Exception {
        RunResult original = engine.start(squares(5, null), Map.of()).await(WAIT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> engine.replay(original.runId(), "source"));
        assertTrue(e.getMessage().contains("source") && e.getMessage().contains("journal"), e.getMessage());
    }

    @Test
    void fanOutAndFanInAreJoinedByFrameIndex() throws Exception {
        GraphDefinition g = GraphBuilder.named("diamond")
                .stage("source", "count", Map.of("count", 50))
                .stage("square", "square", Map.of())
                .stage("add", "add", Map.of())
                .stage("collect", "collect", Map.of())
                .edge("source.out", "square.in")
                .edge("source.out", "add.b")
                .edge("square.out", "add.a")
                .edge("add.out", "collect.in")
                .build();
        RunResult r = engine.start(g, Map.of()).await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            expected.append(i).append(' ').append((double) i * i + i).append('\n');
        }
        assertEquals(expected.toString(), Files.readString(r.outputs().resolve("values.txt")));
    }

    @Test
    void stagesOnOneGpuShareThatDevicesSingleThreadAndDevicesDoNotShare() throws Exception {
        GraphDefinition g = GraphBuilder.named("pinned")
                .stage("source", "count", Map.of("count", 30))
                .stageOnDevice("a", "thread-name", "gpu:0", Map.of("file", "a.txt"))
                .stageOnDevice("b", "thread-name", "gpu:0", Map.of("file", "b.txt"))
                .stageOnDevice("c", "thread-name", "gpu:1", Map.of("file", "c.txt"))
                .edge("source.out", "a.in")
                .edge("source.out", "b.in")
                .edge("source.out", "c.in")
                .build();
        RunResult r = engine.start(g, Map.of()).await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        List<String> a = Files.readAllLines(r.outputs().resolve("a.txt"));
        List<String> b = Files.readAllLines(r.outputs().resolve("b.txt"));
        List<String> c = Files.readAllLines(r.outputs().resolve("c.txt"));
        assertEquals(2, a.size(), "one thread for every call, then the device: " + a);
        assertTrue(a.get(0).contains("gpu-0-dispatcher"), a.get(0));
        assertEquals(a.get(0), b.get(0), "both stages on gpu:0 run on its one thread");
        assertTrue(c.get(0).contains("gpu-1-dispatcher") && !c.get(0).equals(a.get(0)), c.get(0));
        assertEquals("device=0", a.get(1));
        assertEquals("device=1", c.get(1));
    }

    @Test
    void invalidGraphIsRejectedBeforeAnyRunDirectoryIsCreated() throws Exception {
        GraphDefinition g = GraphBuilder.named("broken")
                .stage("source", "count", Map.of("count", 3))
                .stage("collect", "no-such-stage", Map.of())
                .edge("source.out", "collect.in")
                .build();
        assertThrows(GraphValidationException.class, () -> engine.start(g, Map.of()));
        try (var s = Files.list(runs)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void embeddingApiReportsProgressAndCanCancel() throws Exception {
        GraphDefinition g = GraphBuilder.named("long")
                .stage("source", "count", Map.of("count", 100_000, "delay-ms", 1))
                .stage("sink", "slow-sink", Map.of("delay-ms", 0))
                .edge("source.out", "sink.in")
                .build();
        RunHandle run = engine.start(g, Map.of());
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        run.onProgress(events::add);
        AtomicLong seen = new AtomicLong();
        while (seen.get() < 5) {
            seen.set(run.metrics().stage("sink").messagesIn());
            Thread.sleep(20);
        }
        Thread.sleep(400);
        run.cancel();
        RunResult r = run.await(WAIT);
        assertEquals(RunState.CANCELLED, r.state());
        assertEquals(RunState.CANCELLED, engine.status(run.runId()).state());
        assertTrue(events.stream().anyMatch(e -> e instanceof ProgressEvent.StageProgress p
                && p.stage().equals("source") && p.total() == 100_000), "progress events with the source's total");
        assertTrue(events.get(events.size() - 1) instanceof ProgressEvent.RunFinished);
    }

    @Test
    void metricsAreServedOnLoopbackWhileRunning() throws Exception {
        try (Engine served = Engine.builder().runsDir(runs.resolve("served")).registry(TestStages.registry())
                .codecs(TestStages.codecs()).metricsPort(0).build()) {
            GraphDefinition g = GraphBuilder.named("served")
                    .stage("source", "count", Map.of("count", 200))
                    .stage("sink", "slow-sink", Map.of("delay-ms", 5))
                    .edge("source.out", "sink.in")
                    .build();
            RunHandle run = served.start(g, Map.of());
            URI uri = run.metricsUri().orElseThrow();
            assertTrue(uri.getHost().equals("127.0.0.1") || uri.getHost().equals("localhost"), uri.toString());
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> prom = http.send(HttpRequest.newBuilder(uri.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, prom.statusCode());
            assertTrue(prom.body().contains("stage=\"sink\""), prom.body());
            HttpResponse<String> json = http.send(HttpRequest.newBuilder(uri.resolve("/metrics.json")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(json.body().contains("\"source\""), json.body());
            assertEquals(RunState.COMPLETED, run.await(WAIT).state());
            assertFalse(run.metricsUri().isEmpty());
        }
    }
}
