package dev.synctalk.engine.api;

import dev.synctalk.engine.graph.EdgeDecl;
import dev.synctalk.engine.graph.StageDecl;
import dev.synctalk.engine.graph.ValidatedGraph;
import dev.synctalk.engine.run.RunDirectory;
import dev.synctalk.engine.run.RunInfo;
import dev.synctalk.engine.run.RunLock;
import dev.synctalk.engine.run.RunPlan;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.engine.runtime.GraphMaterializer;
import dev.synctalk.engine.runtime.RunGuardian;
import dev.synctalk.engine.runtime.RunStageContext;
import dev.synctalk.engine.runtime.StageActor;
import dev.synctalk.engine.runtime.StageFailureException;
import dev.synctalk.engine.runtime.StageHost;
import dev.synctalk.engine.runtime.StagePreparation;
import dev.synctalk.journal.JournalKey;
import dev.synctalk.journal.JournalReader;
import dev.synctalk.journal.JournalWriter;
import dev.synctalk.journal.PayloadCodecs;
import dev.synctalk.monitoring.ConsoleProgress;
import dev.synctalk.monitoring.JsonFormat;
import dev.synctalk.monitoring.MetricsRegistry;
import dev.synctalk.monitoring.MetricsServer;
import dev.synctalk.monitoring.StageMetrics;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One run from start to end: actors, stream, journals, metrics, and the final state in run.json. */
final class RunExecution implements RunHandle {
    private static final Logger LOG = LoggerFactory.getLogger(RunExecution.class);

    private final ActorSystem<SpawnProtocol.Command> system;
    private final ValidatedGraph graph;
    private final RunPlan plan;
    private final RunDirectory dir;
    private final RunInfo info;
    private final PayloadCodecs codecs;
    private final int metricsPort;
    private final PrintStream progressOut;
    private final boolean ansi;
    private final Duration callTimeout;
    private final RunLock lock;
    private final Map<String, Object> attachments;
    private final MetricsRegistry metrics;
    private final SharedKillSwitch killSwitch;
    private final CompletableFuture<RunResult> result = new CompletableFuture<>();
    private final List<Consumer<ProgressEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, JournalWriter> writers = new LinkedHashMap<>();
    private final List<JournalReader> readers = new CopyOnWriteArrayList<>();
    private final long startNanos = System.nanoTime();
    private volatile boolean cancelled;
    private MetricsServer server;
    private ConsoleProgress console;
    private ActorRef<RunGuardian.Command> guardian;
    private java.util.concurrent.ScheduledExecutorService ticker;

    RunExecution(ActorSystem<SpawnProtocol.Command> system, ValidatedGraph graph, RunPlan plan, RunDirectory dir,
                 RunLock lock, RunInfo info, PayloadCodecs codecs, int metricsPort, PrintStream progressOut, boolean ansi,
                 Duration callTimeout, Map<String, Object> attachments) {
        this.lock = lock;
        this.system = system;
        this.attachments = attachments;
        this.graph = graph;
        this.plan = plan;
        this.dir = dir;
        this.info = info;
        this.codecs = codecs;
        this.metricsPort = metricsPort;
        this.progressOut = progressOut;
        this.ansi = ansi;
        this.callTimeout = callTimeout;
        this.metrics = new MetricsRegistry(info.runId(), graph.definition().name());
        this.killSwitch = KillSwitches.shared("run-" + info.runId());
    }

    void start() {
        metrics.runState(RunState.RUNNING.name());
        for (String stage : graph.order()) {
            if (plan.runs(stage)) {
                metrics.stage(stage);
            }
        }
        startMonitoring();
        try {
            for (String warning : plan.warnings()) {
                warn(warning);
            }
            for (String warning : graph.warnings()) {
                warn(warning);
            }
            StagePreparation.prepare(graph.order().stream().filter(plan::runs).map(graph.types()::get).toList());
            Map<String, StageHost> hosts = new LinkedHashMap<>();
            Map<String, String> dispatchers = new LinkedHashMap<>();
            for (String name : graph.order()) {
                if (!plan.runs(name)) {
                    continue;
                }
                StageDecl decl = graph.definition().stages().get(name);
                StageMetrics sm = metrics.stage(name);
                long restore = plan.checkpointedThrough(name);
                RunStageContext ctx = new RunStageContext(name, info.runId(), dir.root(), dir.outputs(),
                        RunStageContext.gpuOf(decl.device()), sm,
                        restore >= 0 ? java.util.OptionalLong.of(restore) : java.util.OptionalLong.empty(), metrics,
                        attachments);
                hosts.put(name, new StageHost(name, graph.types().get(name), graph.configs().get(name), ctx, sm,
                        plan.seekOf(name), decl.parallelism()));
                if (decl.dispatcher() != null) {
                    dispatchers.put(name, decl.dispatcher());
                }
            }
            CompletableFuture<Map<String, List<ActorRef<StageActor.Command>>>> spawned = new CompletableFuture<>();
            guardian = AskPattern.<SpawnProtocol.Command, ActorRef<RunGuardian.Command>>ask(system,
                    replyTo -> new SpawnProtocol.Spawn<>(RunGuardian.create(hosts, dispatchers, spawned),
                            "run-" + info.runId().replaceAll("[^A-Za-z0-9_\\-]", "_"), Props.empty(), replyTo),
                    Duration.ofSeconds(30), system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
            Map<String, List<ActorRef<StageActor.Command>>> actors = spawned.get(30, TimeUnit.SECONDS);
            GraphMaterializer.Materialized m = new GraphMaterializer(graph, plan, actors, metrics, new RunJournals(),
                    codecs, killSwitch, system.scheduler(), callTimeout).build();
            m.graph().run(Materializer.createMaterializer(system));
            CompletableFuture<?>[] all = m.completions().stream().map(CompletionStage::toCompletableFuture)
                    .toArray(CompletableFuture[]::new);
            // The first failure anywhere ends the run; without one, the run ends when every sink is done.
            for (CompletableFuture<?> f : all) {
                f.whenComplete((ok, err) -> {
                    if (err != null) {
                        killSwitch.abort(unwrap(err));
                    }
                });
            }
            CompletableFuture.allOf(all).whenComplete((ok, err) -> finish(err == null ? null : firstFailure(all, err)));
        } catch (Exception e) {
            finish(e);
        }
    }

    /** Logged and kept in the run's events.log, at the start of the run. */
    private void warn(String warning) {
        LOG.warn("run {}: {}", info.runId(), warning);
        dir.event("warning: " + warning);
    }

    private void startMonitoring() {
        if (metricsPort >= 0) {
            try {
                server = MetricsServer.start(metrics, metricsPort);
            } catch (RuntimeException e) {
                LOG.warn("metrics port {} is taken ({}); serving on a free port instead", metricsPort, e.getMessage());
                server = MetricsServer.start(metrics, 0);
            }
            LOG.info("run {}: metrics at {}metrics (JSON: {}metrics.json, dashboard: {})", info.runId(), server.uri(),
                    server.uri(), server.uri());
        }
        if (progressOut != null) {
            console = ConsoleProgress.start(metrics, progressOut, Duration.ofMillis(ansi ? 200 : 5000), ansi);
        }
        ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress-" + info.runId());
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::publishProgress, 250, 250, TimeUnit.MILLISECONDS);
    }

    private void publishProgress() {
        if (listeners.isEmpty()) {
            return;
        }
        for (StageMetrics s : metrics.stages()) {
            ProgressEvent e = new ProgressEvent.StageProgress(info.runId(), s.name(), s.state(), s.completed(),
                    s.total(), s.unitName(), s.messagesIn(), s.messagesOut());
            listeners.forEach(l -> safely(l, e));
        }
    }

    private static void safely(Consumer<ProgressEvent> l, ProgressEvent e) {
        try {
            l.accept(e);
        } catch (RuntimeException ex) {
            LOG.warn("progress listener failed: {}", ex.toString());
        }
    }

    private Throwable firstFailure(CompletableFuture<?>[] all, Throwable fallback) {
        for (CompletableFuture<?> f : all) {
            if (f.isCompletedExceptionally()) {
                try {
                    f.join();
                } catch (CompletionException | CancellationException e) {
                    Throwable t = unwrap(e);
                    if (t instanceof StageFailureException) {
                        return t;
                    }
                }
            }
        }
        return unwrap(fallback);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private synchronized void finish(Throwable error) {
        if (result.isDone()) {
            return;
        }
        RunState state;
        String message = null;
        String failedStage = null;
        if (error == null) {
            state = RunState.COMPLETED;
        } else if (cancelled) {
            state = RunState.CANCELLED;
            message = "cancelled";
        } else {
            state = RunState.FAILED;
            message = error.getMessage() != null ? error.getMessage() : error.toString();
            if (error instanceof StageFailureException sfe) {
                failedStage = sfe.stage();
            }
        }
        closeJournals();
        if (guardian != null) {
            guardian.tell(new RunGuardian.Stop());
        }
        RunInfo done = info.withState(state, message, failedStage);
        metrics.runState(state.name());
        try {
            RunDirectory.writeAtomically(dir.metricsFile(), JsonFormat.render(metrics.snapshot()));
        } catch (RuntimeException e) {
            LOG.warn("run {}: could not write {}: {}", info.runId(), dir.metricsFile(), e.toString());
        }
        dir.writeInfo(done);
        dir.event(state + (message != null ? ": " + message : ""));
        if (ticker != null) {
            ticker.shutdownNow();
        }
        publishProgress();
        if (console != null) {
            console.close();
        }
        if (server != null) {
            server.close();
        }
        try {
            lock.close();
        } catch (RuntimeException e) {
            LOG.warn("releasing the run lock failed: {}", e.toString());
        }
        if (state == RunState.FAILED) {
            LOG.error("run {} failed: {}", info.runId(), message, error);
        } else {
            LOG.info("run {} {} in {}", info.runId(), state.name().toLowerCase(),
                    Duration.ofNanos(System.nanoTime() - startNanos));
        }
        RunResult r = new RunResult(info.runId(), state, message, failedStage, dir.root(),
                Duration.ofNanos(System.nanoTime() - startNanos));
        listeners.forEach(l -> safely(l, new ProgressEvent.RunFinished(r)));
        result.complete(r);
    }

    private synchronized void closeJournals() {
        for (JournalWriter w : writers.values()) {
            try {
                w.close();
            } catch (RuntimeException e) {
                LOG.warn("closing a journal failed: {}", e.toString());
            }
        }
        writers.clear();
        for (JournalReader r : readers) {
            try {
                r.close();
            } catch (RuntimeException e) {
                LOG.debug("closing a journal reader failed: {}", e.toString());
            }
        }
    }

    @Override
    public String runId() {
        return info.runId();
    }

    @Override
    public Path runDir() {
        return dir.root();
    }

    @Override
    public CompletionStage<RunResult> result() {
        return result;
    }

    @Override
    public void cancel() {
        cancelled = true;
        killSwitch.abort(new CancellationException("run " + info.runId() + " cancelled"));
    }

    @Override
    public MetricsRegistry metrics() {
        return metrics;
    }

    @Override
    public Optional<URI> metricsUri() {
        return Optional.ofNullable(server).map(MetricsServer::uri);
    }

    @Override
    public void onProgress(Consumer<ProgressEvent> listener) {
        listeners.add(listener);
    }

    /** Journals of this run, opened when the materializer wires an edge and closed when the run ends. */
    private final class RunJournals implements GraphMaterializer.Journals {
        @Override
        public JournalWriter writer(EdgeDecl edge) {
            synchronized (RunExecution.this) {
                return writers.computeIfAbsent(edge.id(), id -> JournalWriter.open(dir.root(),
                        new JournalKey(info.runId(), id, edge.from().stage(), edge.from().port()), codecs));
            }
        }

        @Override
        public JournalReader reader(Path runDir, String edgeId) {
            JournalReader r = JournalReader.open(runDir, edgeId);
            readers.add(r);
            return r;
        }
    }
}
