package dev.synctalk.engine.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.synctalk.engine.graph.GraphDefinition;
import dev.synctalk.engine.graph.GraphLoader;
import dev.synctalk.engine.graph.GraphValidator;
import dev.synctalk.engine.graph.StageRegistry;
import dev.synctalk.engine.graph.ValidatedGraph;
import dev.synctalk.engine.run.RunDirectory;
import dev.synctalk.engine.run.RunInfo;
import dev.synctalk.engine.run.RunPlan;
import dev.synctalk.engine.run.RunPlanner;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.journal.PayloadCodecs;
import dev.synctalk.journal.ResumeIndex;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SpawnProtocol;

/**
 * The embedding API: one engine per process (or per service), many runs. Graphs come from files or
 * {@link dev.synctalk.engine.graph.GraphBuilder}; every run is validated before anything starts and
 * lives in {@code <runsDir>/<run-id>/}.
 *
 * <pre>{@code
 * try (Engine engine = Engine.builder().runsDir(Path.of("runs")).build()) {
 *     RunHandle run = engine.start(Path.of("graph-definitions/preprocess-basic.conf"), Map.of("video", "in.mp4"));
 *     run.onProgress(System.out::println);
 *     RunResult result = run.await();
 * }
 * }</pre>
 */
public final class Engine implements AutoCloseable {
    private static final DateTimeFormatter RUN_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final Path runsDir;
    private final StageRegistry registry;
    private final PayloadCodecs codecs;
    private final int metricsPort;
    private final PrintStream progressOut;
    private final boolean ansiProgress;
    private final ActorSystem<SpawnProtocol.Command> system;
    private final Duration callTimeout;

    private Engine(Builder b) {
        this.runsDir = b.runsDir;
        this.registry = b.registry != null ? b.registry : StageRegistry.discover();
        this.codecs = b.codecs != null ? b.codecs : PayloadCodecs.discover();
        this.metricsPort = b.metricsPort;
        this.progressOut = b.progressOut;
        this.ansiProgress = b.ansiProgress;
        Config config = b.config != null ? b.config.withFallback(ConfigFactory.load()) : ConfigFactory.load();
        this.system = ActorSystem.create(SpawnProtocol.create(), "synctalk", config);
        this.callTimeout = config.getDuration("synctalk.stage-call-timeout");
    }

    public static Builder builder() {
        return new Builder();
    }

    public StageRegistry registry() {
        return registry;
    }

    public Path runsDir() {
        return runsDir;
    }

    /** Loads, validates and starts a graph file. Throws GraphValidationException before creating anything. */
    public RunHandle start(Path graphFile, Map<String, String> overrides) {
        return start(GraphLoader.load(graphFile, overrides), null, overrides);
    }

    /** Starts a programmatic graph; {@code overrides} apply as they would to a file. */
    public RunHandle start(GraphDefinition graph, Map<String, String> overrides) {
        GraphDefinition g = overrides.isEmpty() ? graph
                : GraphLoader.parse(GraphLoader.render(graph), graph.sourceFile(), overrides);
        return start(g, null, overrides);
    }

    /** Starts with a chosen run id (fails if that run exists). */
    public RunHandle start(GraphDefinition graph, String runId, Map<String, String> overrides) {
        return start(graph, runId, overrides, Map.of());
    }

    /**
     * Starts with live objects that stages fetch by key through
     * {@link dev.synctalk.engine.stage.StageContext#attachment}: how a service feeds a graph from outside
     * (a client's audio) and takes its outputs (frames to a client) while the run is journaled as any other.
     * A null {@code runId} picks a new one.
     */
    public RunHandle start(GraphDefinition graph, String runId, Map<String, String> overrides,
                           Map<String, Object> attachments) {
        ValidatedGraph validated = new GraphValidator(registry).validate(graph);
        String id = runId != null ? runId : newRunId(graph.name());
        RunDirectory dir = RunDirectory.create(runsDir, id);
        dir.writeGraph(GraphLoader.render(graph));
        RunInfo info = new RunInfo(id, graph.name(), graph.sourceFile(), RunState.RUNNING, Instant.now(),
                Instant.now(), 1, null, null, null, null, overrides);
        dir.writeInfo(info);
        dir.event("started graph " + graph.name() + " from " + graph.sourceFile());
        return launch(validated, RunPlanner.fresh(validated), dir, info, attachments);
    }

    /**
     * Continues an interrupted or failed run in place: journaled edges replay what they hold, sources
     * skip the frames that are already journaled, and outputs end up as an uninterrupted run's.
     */
    public RunHandle resume(String runId) {
        RunDirectory dir = RunDirectory.open(runsDir, runId);
        RunInfo info = dir.readInfo();
        if (info.state() == RunState.COMPLETED) {
            throw new IllegalStateException("run '" + runId + "' already completed; nothing to resume");
        }
        ValidatedGraph validated = new GraphValidator(registry).validate(GraphLoader.load(dir.graphFile(), Map.of()));
        ResumeIndex index = ResumeIndex.scan(dir.root());
        RunPlan plan = RunPlanner.resume(validated, dir.root(), index::lastIndex);
        RunInfo next = info.nextAttempt();
        dir.writeInfo(next);
        dir.event("resumed (attempt " + next.attempts() + "): " + String.join("; ", plan.notes()));
        return launch(validated, plan, dir, next, Map.of());
    }

    /**
     * Re-drives the stages downstream of {@code fromStage} from the journals of run {@code runId}, into a
     * new run, without running anything upstream.
     */
    public RunHandle replay(String runId, String fromStage) {
        RunDirectory source = RunDirectory.open(runsDir, runId);
        return replay(source, GraphLoader.load(source.graphFile(), Map.of()), fromStage, null);
    }

    /**
     * Re-drives {@code into}, a graph other than the one run {@code runId} ran, from that run's journals:
     * the edges of {@code into} that feed the stages from {@code fromStage} on and carry the ids of
     * journaled edges of the run read those journals (e.g. a logged live session, whose graph ends in
     * its clients, re-rendered into an MP4). {@code newRunId} null picks a new id.
     */
    public RunHandle replay(String runId, String fromStage, GraphDefinition into, String newRunId) {
        return replay(RunDirectory.open(runsDir, runId), into, fromStage, newRunId);
    }

    private RunHandle replay(RunDirectory source, GraphDefinition graph, String fromStage, String newRunId) {
        String runId = source.root().getFileName().toString();
        ValidatedGraph validated = new GraphValidator(registry).validate(graph);
        ResumeIndex index = ResumeIndex.scan(source.root());
        RunPlan plan = RunPlanner.replay(validated, source.root(), fromStage, index::lastIndex);
        String id = newRunId != null ? newRunId : newRunId(runId + "-replay");
        RunDirectory dir = RunDirectory.create(runsDir, id);
        dir.writeGraph(GraphLoader.render(graph));
        RunInfo info = new RunInfo(id, graph.name(), source.graphFile().toString(), RunState.RUNNING, Instant.now(),
                Instant.now(), 1, null, null, runId, fromStage, Map.of());
        dir.writeInfo(info);
        dir.event("replay of " + runId + " from stage " + fromStage + ": " + String.join("; ", plan.notes()));
        return launch(validated, plan, dir, info, Map.of());
    }

    public RunInfo status(String runId) {
        return RunDirectory.open(runsDir, runId).readInfo();
    }

    /** Every run under the runs folder, oldest first. */
    public List<RunInfo> runs() {
        if (!Files.isDirectory(runsDir)) {
            return List.of();
        }
        List<RunInfo> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(runsDir)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("run.json"))).sorted()
                    .forEach(d -> out.add(new RunDirectory(d).readInfo()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runsDir, e);
        }
        out.sort(java.util.Comparator.comparing(RunInfo::createdAt));
        return out;
    }

    private RunHandle launch(ValidatedGraph graph, RunPlan plan, RunDirectory dir, RunInfo info,
                             Map<String, Object> attachments) {
        RunExecution run = new RunExecution(system, graph, plan, dir, info, codecs, metricsPort, progressOut,
                ansiProgress, callTimeout, attachments);
        run.start();
        return run;
    }

    private static String newRunId(String prefix) {
        String safe = prefix.replaceAll("[^A-Za-z0-9_.\\-]", "_");
        return safe + "-" + RUN_STAMP.format(Instant.now()) + "-"
                + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    @Override
    public void close() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // Terminating is best effort; stages were closed when their runs ended.
        }
    }

    public static final class Builder {
        private Path runsDir = Path.of("runs");
        private StageRegistry registry;
        private PayloadCodecs codecs;
        private int metricsPort = -1;
        private PrintStream progressOut;
        private boolean ansiProgress;
        private Config config;

        public Builder runsDir(Path dir) {
            this.runsDir = dir;
            return this;
        }

        public Builder registry(StageRegistry r) {
            this.registry = r;
            return this;
        }

        public Builder codecs(PayloadCodecs c) {
            this.codecs = c;
            return this;
        }

        /** Serve Prometheus/JSON metrics on 127.0.0.1:port while runs execute; 0 = any free port, -1 = off. */
        public Builder metricsPort(int port) {
            this.metricsPort = port;
            return this;
        }

        /** Draw progress bars on this stream (null = none). */
        public Builder progress(PrintStream out, boolean ansi) {
            this.progressOut = out;
            this.ansiProgress = ansi;
            return this;
        }

        /** Extra actor-system config (dispatchers, timeouts) layered over the defaults. */
        public Builder config(Config c) {
            this.config = c;
            return this;
        }

        public Engine build() {
            return new Engine(this);
        }
    }
}
