package dev.synctalk.engine.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.graph.GraphBuilder;
import dev.synctalk.engine.graph.GraphDefinition;
import dev.synctalk.engine.graph.GraphLoader;
import dev.synctalk.engine.graph.GraphValidationException;
import dev.synctalk.engine.graph.GraphValidator;
import dev.synctalk.engine.graph.ValidationError;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.engine.testing.TestStages;
import dev.synctalk.journal.JournalReader;
import dev.synctalk.journal.JournalRecord;
import dev.synctalk.monitoring.StageMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stateless stage run as several actors ({@code parallelism = N}): order, memory, journals and resume. */
class ParallelStageTest {
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

    private static String squares(int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(i).append(' ').append((double) i * i).append('\n');
        }
        return sb.toString();
    }

    @Test
    void parallelStageRunsFramesConcurrentlyAndTheNextStageSeesThemInFrameOrder() throws Exception {
        GraphDefinition g = GraphBuilder.named("parallel-order")
                .stage("source", "count", Map.of("count", 200))
                .stage("square", "parallel-square", Map.of("delay-ms", 1)).parallelism("square", 4)
                .stage("arrivals", "arrival-order", Map.of())
                .stage("collect", "collect", Map.of())
                .edge("source.out", "square.in")
                .journaledEdge("square.out", "arrivals.in")
                .edge("square.out", "collect.in")
                .build();
        RunResult r = engine.start(g, Map.of()).await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());

        String inOrder = LongStream.range(0, 200).mapToObj(i -> i + "\n").collect(Collectors.joining());
        assertEquals(inOrder, Files.readString(r.outputs().resolve("arrivals.txt")), "arrival order downstream");
        assertEquals(squares(200), Files.readString(r.outputs().resolve("values.txt")));
        List<Long> journaled = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(r.runDir(), "square.out--arrivals.in")) {
            for (JournalRecord rec : reader) {
                journaled.add(rec.frameIndex());
            }
        }
        assertEquals(LongStream.range(0, 200).boxed().toList(), journaled, "the journal holds frames in order");
        int concurrent = TestStages.ParallelSquare.maxConcurrentCalls(r.runId());
        assertTrue(concurrent >= 2 && concurrent <= 4, "calls in progress at once: " + concurrent);
    }

    @Test
    void parallelStageKeepsFramesInFlightBounded() throws Exception {
        int parallelism = 4;
        GraphDefinition g = GraphBuilder.named("parallel-slow")
                .stage("source", "count", Map.of("count", 300))
                .stage("square", "parallel-square", Map.of("delay-ms", 1)).parallelism("square", parallelism)
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
        // As for one actor per stage (EngineRunTest: 6 per stage, the edge buffers), plus the parallel
        // stage's other actors' calls: the bound does not grow with the 300 frames.
        long bound = 3 * 6 + 2 * 2 + (parallelism - 1);
        assertTrue(maxInFlight <= bound, "in flight " + maxInFlight + " exceeds bound " + bound);
    }

    @Test
    void resumedRunWithParallelismFourIsByteIdenticalToAnUninterruptedOne() throws Exception {
        java.util.function.Function<Map<String, ?>, GraphDefinition> graph = gate -> GraphBuilder.named("resume")
                .stage("source", "count", Map.of("count", 120))
                .stage("square", "parallel-square", Map.of("delay-ms", 1)).parallelism("square", 4)
                .stage("gate", "fail-once", gate)
                .stage("arrivals", "arrival-order", Map.of())
                .stage("collect", "collect", Map.of())
                .edge("source.out", "square.in")
                .journaledEdge("square.out", "gate.in")
                .edge("gate.out", "arrivals.in")
                .edge("gate.out", "collect.in")
                .build();
        RunResult reference = engine.start(graph.apply(Map.of("fail-at", 1_000_000)), Map.of()).await(WAIT);
        assertEquals(RunState.COMPLETED, reference.state(), reference.error());

        Path marker = Files.createFile(runs.resolve("fail-marker"));
        RunResult failed = engine.start(graph.apply(Map.of("fail-at", 50, "marker", marker.toString())), Map.of())
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
        for (String file : List.of("values.txt", "arrivals.txt")) {
            assertArrayEquals(Files.readAllBytes(reference.outputs().resolve(file)),
                    Files.readAllBytes(r.outputs().resolve(file)), file);
        }
        assertEquals(120 - (journaledBefore + 1), resumed.metrics().stage("source").messagesOut(),
                "the source restarts after the last journaled frame " + journaledBefore);
    }

    @Test
    void parallelismAboveOneIsRefusedForAStageTypeThatKeepsState() {
        GraphDefinition g = GraphLoader.parse("""
                graph {
                  name = refused
                  stages {
                    source { type = count, params { count = 3 } }
                    sum    { type = running-sum, parallelism = 2 }
                    twice  { type = parallel-square, parallelism = 0 }
                    copies { type = count, parallelism = 2, params { count = 3 } }
                    sink   { type = collect }
                  }
                  edges = [
                    { from = source.out, to = sum.in }
                    { from = sum.out, to = twice.in }
                    { from = twice.out, to = sink.in }
                  ]
                }
                """, "refused.conf", Map.of());
        List<ValidationError> errors = new GraphValidator(TestStages.registry()).check(g);
        List<String> messages = errors.stream().map(ValidationError::toString).toList();
        assertEquals(3, errors.size(), messages.toString());
        assertTrue(messages.get(0).startsWith("refused.conf:5:") && messages.get(0).contains(
                "stage 'sum' (type running-sum) has parallelism 2 but its type keeps state between frames"),
                messages.get(0));
        assertTrue(messages.get(1).startsWith("refused.conf:6:") && messages.get(1).contains("parallelism 0"),
                messages.get(1));
        assertTrue(messages.get(2).startsWith("refused.conf:7:") && messages.get(2).contains("parallelism 2"),
                messages.get(2));
        assertThrows(GraphValidationException.class, () -> engine.start(g, Map.of()));
    }

    @Test
    void parallelismSurvivesRenderingTheResolvedGraph() {
        GraphDefinition g = GraphBuilder.named("rendered")
                .stage("source", "count", Map.of("count", 3))
                .stage("square", "parallel-square", Map.of()).parallelism("square", 3)
                .stage("sink", "collect", Map.of())
                .edge("source.out", "square.in")
                .edge("square.out", "sink.in")
                .build();
        GraphDefinition reread = GraphLoader.parse(GraphLoader.render(g), "graph.conf", Map.of());
        assertEquals(3, reread.stages().get("square").parallelism());
        assertEquals(1, reread.stages().get("source").parallelism());
    }
}
