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
import dev.synctalk.engine.run.RunLock;
import dev.synctalk.engine.run.RunPlan;
import dev.synctalk.engine.run.RunPlanner;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.engine.stage.StageType;
import dev.synctalk.journal.CorruptJournalException;
import dev.synctalk.journal.JournalRepair;
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
import java.util.Optional;
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
        String id = runId != null ? RunDirectory.checkRunId(runId) : newRunId(graph.name());
        RunDirectory dir = RunDirectory.create(runsDir, id);
        RunLock lock = RunLock.acquire(dir);
        dir.writeGraph(GraphLoader.render(graph));
        RunInfo info = new RunInfo(id, graph.name(), graph.sourceFile(), RunState.RUNNING, Instant.now(),
                Instant.now(), 1, null, null, null, null, overrides);
        dir.writeInfo(info);
        dir.event("started graph " + graph.name() + " from " + graph.sourceFile());
        return launch(validated, RunPlanner.fresh(validated), dir, lock, info, attachments);
    }

    /**
     * Continues an interrupted or failed run in place: journaled edges replay what they hold, sources
     * skip the frames that are already journaled, and outputs end up as an uninterrupted run's.
     */
    public RunHandle resume(String runId) {
        RunDirectory dir = RunDirectory.open(runsDir, runId);
        RunLock lock = RunLock.acquire(dir);
        try {
            RunInfo info = dir.readInfo();
            if (info.state() == RunState.COMPLETED) {
                throw new IllegalStateException("run '" + runId + "' already completed; nothing to resume");
            }
            ValidatedGraph validated = new GraphValidator(registry).validate(GraphLoader.load(dir.graphFile(), Map.of()));
            ResumeIndex index = verifiedJournals(dir);
            RunPlan plan = RunPlanner.resume(validated, dir.root(), index::lastIndex);
            List<Path> partial = dir.removePartialWrites();
            RunInfo next = info.nextAttempt();
            dir.writeInfo(next);
            dir.event("resumed (attempt " + next.attempts() + "): " + String.join("; ", plan.notes())
                    + (partial.isEmpty() ? "" : "; removed " + partial.size() + " partial files the interrupted"
                            + " attempt left: " + partial.stream().map(p -> dir.root().relativize(p).toString()).toList()));
            return launch(validated, plan, dir, lock, next, Map.of());
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Every journal of the run, each record's checksum verified; damage names the way out. */
    private static ResumeIndex verifiedJournals(RunDirectory dir) {
        try {
            return ResumeIndex.scan(dir.root());
        } catch (CorruptJournalException e) {
            throw new IllegalStateException(e.getMessage() + "; `synctalk repair " + dir.runId()
                    + "` drops the damaged record and everything after it (keeping every record before it), then"
                    + " resume recomputes them", e);
        }
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
        Optional<RunLock.Holder> live = RunLock.liveHolder(source);
        if (live.isPresent()) {
            // its journals are still being written: what verification reads would race the writer
            throw new IllegalStateException("run '" + runId + "' is still running in " + live.get()
                    + "; replay it once it has ended");
        }
        ValidatedGraph validated = new GraphValidator(registry).validate(graph);
        ResumeIndex index = verifiedJournals(source);
        RunPlan plan = RunPlanner.replay(validated, source.root(), fromStage, index::lastIndex);
        String id = newRunId != null ? RunDirectory.checkRunId(newRunId) : newRunId(runId + "-replay");
        RunDirectory dir = RunDirectory.create(runsDir, id);
        RunLock lock = RunLock.acquire(dir);
        dir.writeGraph(GraphLoader.render(graph));
        RunInfo info = new RunInfo(id, graph.name(), source.graphFile().toString(), RunState.RUNNING, Instant.now(),
                Instant.now(), 1, null, null, runId, fromStage, Map.of());
        dir.writeInfo(info);
        dir.event("replay of " + runId + " from stage " + fromStage + ": " + String.join("; ", plan.notes()));
        return launch(validated, plan, dir, lock, info, Map.of());
    }

    public RunInfo status(String runId) {
        return RunDirectory.open(runsDir, runId).readInfo();
    }

    /** The process running {@code runId} now, or empty when none is (a RUNNING run without one was killed). */
    public Optional<RunLock.Holder> liveProcess(String runId) {
        return RunLock.liveHolder(RunDirectory.open(runsDir, runId));
    }

    /**
     * What {@link #repair} did: each journal's outcome, checkpoints that fail verification (left in place: resume
     * skips them), and the run's state afterwards.
     */
    public record RepairReport(String runId, List<JournalRepair.Outcome> journals, List<String> damagedCheckpoints,
                               RunState stateAfter) {
        public boolean changed() {
            return journals.stream().anyMatch(JournalRepair.Outcome::repaired);
        }
    }

    /**
     * Drops the damaged tail of every journal of a run that is not running, keeping every record before the
     * damage (the damaged originals move to {@code damaged/<time>/} in the run). A completed run whose journals
     * lost records becomes FAILED, so that {@code resume} recomputes them.
     */
    public RepairReport repair(String runId) {
        RunDirectory dir = RunDirectory.open(runsDir, runId);
        try (RunLock lock = RunLock.acquire(dir)) {
            Path backup = dir.root().resolve("damaged").resolve(RUN_STAMP.format(Instant.now()));
            List<JournalRepair.Outcome> journals = JournalRepair.repair(dir.root(), backup);
            List<String> checkpoints = damagedCheckpoints(dir);
            RunInfo info = dir.readInfo();
            RepairReport report = new RepairReport(runId, journals, checkpoints, info.state());
            if (report.changed()) {
                for (JournalRepair.Outcome o : journals) {
                    if (o.repaired()) {
                        dir.event("repair: journal " + o.edgeId() + " kept " + o.keptRecords() + " records (through frame "
                                + o.keptLastIndex() + "), dropped the rest: " + o.damage() + "; original in " + o.movedTo());
                    }
                }
                if (info.state() == RunState.COMPLETED) {
                    dir.writeInfo(info.withState(RunState.FAILED, "journals repaired after damage; resume recomputes"
                            + " the dropped frames", null));
                    report = new RepairReport(runId, journals, checkpoints, RunState.FAILED);
                }
            }
            return report;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private List<String> damagedCheckpoints(RunDirectory dir) {
        List<String> out = new ArrayList<>();
        ValidatedGraph graph;
        try {
            graph = new GraphValidator(registry).validate(GraphLoader.load(dir.graphFile(), Map.of()));
        } catch (RuntimeException e) {
            out.add("the run's graph.conf does not validate, so its checkpoints were not checked: " + e.getMessage());
            return out;
        }
        for (String stage : graph.order()) {
            StageType type = graph.types().get(stage);
            Record config = graph.configs().get(stage);
            Path checkpointDir = dir.checkpoints().resolve(stage);
            for (Object through : type.checkpoints(config, checkpointDir)) {
                try {
                    type.verifyCheckpoint(config, checkpointDir, (Long) through);
                } catch (Exception e) {
                    out.add("stage " + stage + ", checkpoint through frame " + through + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /** Every run under the runs folder whose run.json reads back, oldest first. */
    public List<RunInfo> runs() {
        if (!Files.isDirectory(runsDir)) {
            return List.of();
        }
        List<RunInfo> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(runsDir)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("run.json"))).sorted().forEach(d -> {
                try {
                    out.add(new RunDirectory(d).readInfo());
                } catch (IllegalStateException damaged) {
                    // one damaged run.json must not hide the other runs
                    org.slf4j.LoggerFactory.getLogger(Engine.class).warn("{}", damaged.getMessage());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runsDir, e);
        }
        out.sort(java.util.Comparator.comparing(RunInfo::createdAt));
        return out;
    }

    private RunHandle launch(ValidatedGraph graph, RunPlan plan, RunDirectory dir, RunLock lock, RunInfo info,
                             Map<String, Object> attachments) {
        RunExecution run = new RunExecution(system, graph, plan, dir, lock, info, codecs, metricsPort, progressOut,
                ansiProgress, callTimeout, attachments);
        run.start();
        return run;
    }

    private static String newRunId(String prefix) {
        String safe = prefix.replaceAll("[^A-Za-z0-9_.\\-]", "_").replaceFirst("^[._-]+", "");
        return (safe.isEmpty() ? "run" : safe) + "-" + RUN_STAMP.format(Instant.now()) + "-"
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
