package dev.synctalk.engine.runtime;

import dev.synctalk.engine.graph.EdgeDecl;
import dev.synctalk.engine.graph.ValidatedGraph;
import dev.synctalk.engine.run.EdgePlan;
import dev.synctalk.engine.run.RunPlan;
import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.journal.JournalReader;
import dev.synctalk.journal.JournalRecord;
import dev.synctalk.journal.JournalWriter;
import dev.synctalk.journal.PayloadCodecs;
import dev.synctalk.monitoring.EdgeMetrics;
import dev.synctalk.monitoring.MetricsRegistry;
import dev.synctalk.monitoring.StageMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.ClosedShape;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.UniformFanInShape;
import org.apache.pekko.stream.UniformFanOutShape;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Broadcast;
import org.apache.pekko.stream.javadsl.Concat;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.GraphDSL;
import org.apache.pekko.stream.javadsl.RunnableGraph;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Turns a validated graph and its {@link RunPlan} into one closed Pekko Streams graph. Each stage is a
 * {@link StageActor} asked one message at a time ({@code mapAsync(1)}), so a slow stage stops pulling
 * and its producers stop with it; each edge holds at most {@code buffer} messages. A stateless stage with
 * {@code parallelism = N} is N actors asked in turn through {@code mapAsync(N)}: at most N frames are in
 * flight, one per actor (N consecutive frames go to N different actors), and {@code mapAsync} emits the
 * replies in the order the frames came in, so the next stage and the journals see frame order. Journaled edges
 * append every live message before passing it on; resumed and replayed edges first read their
 * journal. All edges share one kill switch so that one failure stops every branch.
 */
public final class GraphMaterializer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GraphMaterializer.class);

    /** The stream to run, and the completion of every terminal sink. */
    public record Materialized(RunnableGraph<NotUsed> graph, List<CompletionStage<Done>> completions) {
    }

    /** Opens journals; the run owns their lifecycle. */
    public interface Journals {
        JournalWriter writer(EdgeDecl edge);

        JournalReader reader(java.nio.file.Path runDir, String edgeId);
    }

    private final ValidatedGraph graph;
    private final RunPlan plan;
    private final Map<String, List<ActorRef<StageActor.Command>>> actors;
    private final MetricsRegistry metrics;
    private final Journals journals;
    private final PayloadCodecs codecs;
    private final SharedKillSwitch killSwitch;
    private final Scheduler scheduler;
    private final Duration callTimeout;

    /** @param actors each stage's actors: one, or {@code parallelism} for a parallel stateless stage */
    public GraphMaterializer(ValidatedGraph graph, RunPlan plan, Map<String, List<ActorRef<StageActor.Command>>> actors,
                             MetricsRegistry metrics, Journals journals, PayloadCodecs codecs,
                             SharedKillSwitch killSwitch, Scheduler scheduler, Duration callTimeout) {
        this.graph = graph;
        this.plan = plan;
        this.actors = actors;
        this.metrics = metrics;
        this.journals = journals;
        this.codecs = codecs;
        this.killSwitch = killSwitch;
        this.scheduler = scheduler;
        this.callTimeout = callTimeout;
    }

    public Materialized build() {
        List<CompletionStage<Done>> completions = new ArrayList<>();
        RunnableGraph<NotUsed> runnable = RunnableGraph.fromGraph(GraphDSL.create(b -> {
            Map<String, Outlet<Indexed>> edgeOutlets = new java.util.HashMap<>();
            // Replay-only edges have no live producer: their journal is their source.
            for (EdgePlan ep : plan.edges().values()) {
                if (!ep.live()) {
                    edgeOutlets.put(ep.edge().id(), b.add(replaySource(ep).via(killSwitch.flow())).out());
                }
            }
            for (String name : graph.order()) {
                if (!plan.runs(name)) {
                    continue;
                }
                Outlet<Emission> emissions = stageOutput(b, name, edgeOutlets);
                List<EdgePlan> outgoing = plan.edges().values().stream()
                        .filter(ep -> ep.live() && ep.edge().from().stage().equals(name)).toList();
                if (outgoing.isEmpty()) {
                    Sink<Emission, NotUsed> sink = Sink.<Emission>ignore().mapMaterializedValue(done -> {
                        completions.add(done);
                        return NotUsed.getInstance();
                    });
                    b.from(emissions).to(b.add(sink));
                    continue;
                }
                List<Outlet<Emission>> branches = new ArrayList<>();
                if (outgoing.size() == 1) {
                    branches.add(emissions);
                } else {
                    UniformFanOutShape<Emission, Emission> fan = b.add(Broadcast.create(outgoing.size()));
                    b.from(emissions).toInlet(fan.in());
                    for (int i = 0; i < outgoing.size(); i++) {
                        branches.add(fan.out(i));
                    }
                }
                for (int i = 0; i < outgoing.size(); i++) {
                    EdgePlan ep = outgoing.get(i);
                    FlowShape<Emission, Indexed> live = b.add(liveEdge(ep));
                    b.from(branches.get(i)).toInlet(live.in());
                    Outlet<Indexed> edgeOut = live.out();
                    if (ep.replays()) {
                        UniformFanInShape<Indexed, Indexed> concat = b.add(Concat.create(2));
                        b.from(b.add(replaySource(ep)).out()).toInlet(concat.in(0));
                        b.from(edgeOut).toInlet(concat.in(1));
                        edgeOut = concat.out();
                    }
                    edgeOutlets.put(ep.edge().id(), edgeOut);
                }
            }
            return ClosedShape.getInstance();
        }));
        return new Materialized(runnable, completions);
    }

    /** The stage's emissions, metered for backpressure; its inputs are wired from {@code edgeOutlets}. */
    private Outlet<Emission> stageOutput(GraphDSL.Builder<NotUsed> b, String name,
                                         Map<String, Outlet<Indexed>> edgeOutlets) {
        StageMetrics sm = metrics.stage(name);
        List<PortSpec> inputPorts = graph.types().get(name).inputs();
        Outlet<Emission> raw;
        if (inputPorts.isEmpty()) {
            raw = b.add(sourceStage(name)).out();
        } else {
            Outlet<Inputs> inputs;
            if (inputPorts.size() == 1) {
                String port = inputPorts.get(0).name();
                FlowShape<Indexed, Inputs> single = b.add(Flow.of(Indexed.class).map(m -> {
                    edgeMetricsInto(name, port).dequeued();
                    return Inputs.single(port, m);
                }));
                b.from(edgeOutlets.get(incoming(name, port).id())).toInlet(single.in());
                inputs = single.out();
            } else {
                List<String> ports = inputPorts.stream().map(PortSpec::name).toList();
                UniformFanInShape<Indexed, Inputs> join = b.add(new FrameJoin(ports, dropped ->
                        LOG.warn("stage '{}': frame {} is missing on one of its inputs {} and was skipped",
                                name, dropped, ports)));
                for (int i = 0; i < ports.size(); i++) {
                    String port = ports.get(i);
                    FlowShape<Indexed, Indexed> count = b.add(Flow.of(Indexed.class).map(m -> {
                        edgeMetricsInto(name, port).dequeued();
                        return m;
                    }));
                    b.from(edgeOutlets.get(incoming(name, port).id())).toInlet(count.in());
                    b.from(count.out()).toInlet(join.in(i));
                }
                inputs = join.out();
            }
            FlowShape<Inputs, Emission> stage = b.add(processingStage(name));
            b.from(inputs).toInlet(stage.in());
            raw = stage.out();
        }
        FlowShape<Emission, Emission> meter = b.add(Flow.fromGraph(new OutletMeter<Emission>(sm::blockedNanos)));
        b.from(raw).toInlet(meter.in());
        return meter.out();
    }

    private EdgeDecl incoming(String stage, String port) {
        return plan.edges().values().stream().map(EdgePlan::edge)
                .filter(e -> e.to().stage().equals(stage) && e.to().port().equals(port)).findFirst()
                .orElseThrow(() -> new IllegalStateException("input " + stage + "." + port + " is not connected"));
    }

    private EdgeMetrics edgeMetricsInto(String stage, String port) {
        return metrics.edge(incoming(stage, port).id());
    }

    private Source<Emission, NotUsed> sourceStage(String name) {
        ActorRef<StageActor.Command> actor = actors.get(name).get(0);
        return Source.repeat(Boolean.TRUE)
                .via(killSwitch.flow())
                .mapAsync(1, tick -> ask(actor, StageActor.Produce::new))
                .takeWhile(StageActor.Emitted::more, true)
                .mapConcat(StageActor.Emitted::emissions);
    }

    /** Marks the end of a stage's input, after which the stage is asked to finish. */
    private enum EndOfInput { INSTANCE }

    private Flow<Inputs, Emission, NotUsed> processingStage(String name) {
        List<ActorRef<StageActor.Command>> instances = actors.get(name);
        int parallelism = instances.size();
        // A stage restored from a checkpoint already holds the effect of these inputs.
        long checkpointed = plan.checkpointedThrough(name);
        return Flow.of(Inputs.class)
                .filter(in -> in.frameIndex() > checkpointed)
                .map(in -> (Object) in)
                .concat(Source.single(EndOfInput.INSTANCE))
                .zipWithIndex()
                .mapAsync(parallelism, item -> item.first() instanceof Inputs in
                        ? ask(instances.get((int) (item.second() % parallelism)),
                                replyTo -> new StageActor.Process(in, replyTo))
                        : finishAll(instances))
                .mapConcat(StageActor.Emitted::emissions);
    }

    /**
     * Asks every actor of the stage to finish; what they emit is merged in frame order (stable), so a
     * parallel stage's outputs stay ordered even if it emits at the end.
     */
    private CompletionStage<StageActor.Emitted> finishAll(List<ActorRef<StageActor.Command>> instances) {
        if (instances.size() == 1) {
            return ask(instances.get(0), StageActor.Finish::new);
        }
        List<CompletableFuture<StageActor.Emitted>> finishes = instances.stream()
                .map(actor -> ask(actor, StageActor.Finish::new).toCompletableFuture()).toList();
        return CompletableFuture.allOf(finishes.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Emission> merged = new ArrayList<>();
            finishes.forEach(f -> merged.addAll(f.join().emissions()));
            merged.sort(java.util.Comparator.comparingLong(e -> e.message().frameIndex()));
            return new StageActor.Emitted(merged, false);
        });
    }

    private CompletionStage<StageActor.Emitted> ask(ActorRef<StageActor.Command> actor,
                                                   Function<ActorRef<StageActor.Reply>, StageActor.Command> msg) {
        return AskPattern.<StageActor.Command, StageActor.Reply>ask(actor, msg::apply, callTimeout, scheduler)
                .thenCompose(reply -> {
                    if (reply instanceof StageActor.Failed failed) {
                        // Stop every branch now, not only the ones downstream of this stage.
                        killSwitch.abort(failed.failure());
                        return CompletableFuture.failedFuture(failed.failure());
                    }
                    return CompletableFuture.completedFuture((StageActor.Emitted) reply);
                });
    }

    /** Port filter, resume drop, journal append, metrics, then the edge's bounded buffer. */
    private Flow<Emission, Indexed, NotUsed> liveEdge(EdgePlan ep) {
        EdgeDecl e = ep.edge();
        EdgeMetrics em = metrics.edge(e.id());
        JournalWriter writer = ep.writeJournal() ? journals.writer(e) : null;
        String port = e.from().port();
        long dropUpTo = ep.dropUpTo();
        return Flow.of(Emission.class)
                .filter(em2 -> em2.port().equals(port) && em2.message().frameIndex() > dropUpTo)
                .map(em2 -> {
                    Indexed m = em2.message();
                    if (writer != null) {
                        em.journaled(writer.append(m.frameIndex(), m));
                    }
                    em.enqueued();
                    return m;
                })
                .via(killSwitch.flow())
                .buffer(e.buffer(), OverflowStrategy.backpressure());
    }

    /** Frames 0..replayUpTo of the edge's journal in {@code replayFrom}, decoded, in order. */
    private Source<Indexed, NotUsed> replaySource(EdgePlan ep) {
        String edgeId = ep.edge().id();
        long upTo = ep.replayUpTo();
        EdgeMetrics em = metrics.edge(edgeId);
        return Source.unfoldResource(
                () -> new ReplayCursor(journals.reader(ep.replayFrom(), edgeId), edgeId),
                cursor -> cursor.next(upTo).map(r -> {
                    Indexed m = (Indexed) codecs.forName(r.payloadType()).decode(r.payload());
                    em.enqueued();
                    return m;
                }),
                ReplayCursor::close);
    }

    private static final class ReplayCursor {
        private final JournalReader reader;
        private final Iterator<JournalRecord> it;
        private final String edgeId;
        private long last = -1;

        ReplayCursor(JournalReader reader, String edgeId) {
            this.reader = reader;
            this.it = reader.iterator();
            this.edgeId = edgeId;
        }

        Optional<JournalRecord> next(long upTo) {
            if (!it.hasNext()) {
                if (last < upTo) {
                    // verified before the run started, so records went missing since: never replay fewer silently
                    throw new IllegalStateException("the journal of edge " + edgeId + " in " + reader.folder()
                            + " ends at frame " + last + ", but frames up to " + upTo + " were verified before the run");
                }
                return Optional.empty();
            }
            JournalRecord r = it.next();
            if (r.frameIndex() > upTo) {
                return Optional.empty();
            }
            last = r.frameIndex();
            return Optional.of(r);
        }

        void close() {
            reader.close();
        }
    }
}
