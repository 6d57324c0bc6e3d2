package dev.synctalk.engine.runtime;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.monitoring.StageMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Hosts one {@link Stage}: the stage is created, called and closed only on this actor's thread
 * (for GPU stages a pinned thread that owns the CUDA context), one message at a time. The stream
 * around it asks one message at a time, which is what carries backpressure into the actor.
 */
public final class StageActor extends AbstractBehavior<StageActor.Command> {

    /** What the stream asks of the stage. */
    public sealed interface Command permits Produce, Process, Finish {
    }

    public record Produce(ActorRef<Reply> replyTo) implements Command {
    }

    public record Process(Inputs inputs, ActorRef<Reply> replyTo) implements Command {
    }

    public record Finish(ActorRef<Reply> replyTo) implements Command {
    }

    /** The stage's answer: what it emitted, and for sources whether more may come. */
    public sealed interface Reply permits Emitted, Failed {
    }

    public record Emitted(List<Emission> emissions, boolean more) implements Reply {
    }

    public record Failed(StageFailureException failure) implements Reply {
    }

    private final StageHost host;
    private final StageMetrics metrics;
    private Stage stage;
    private boolean exhausted;

    private StageActor(ActorContext<Command> context, StageHost host) {
        super(context);
        this.host = host;
        this.metrics = host.metrics();
    }

    public static Behavior<Command> create(StageHost host) {
        return Behaviors.setup(ctx -> new StageActor(ctx, host));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Produce.class, m -> reply(m.replyTo(), "producing", -1, () -> {
                    if (exhausted) {
                        return new Emitted(List.of(), false);
                    }
                    Collector out = new Collector(host.outputPorts());
                    boolean more = stage().produce(out);
                    exhausted = !more;
                    metrics.messagesOut(out.emissions.size());
                    if (exhausted) {
                        metrics.finished();
                    }
                    return new Emitted(out.emissions, more);
                }))
                .onMessage(Process.class, m -> reply(m.replyTo(), "processing input " + describe(m.inputs()),
                        m.inputs().frameIndex(), () -> {
                    metrics.messageIn();
                    Collector out = new Collector(host.outputPorts());
                    stage().process(m.inputs(), out);
                    metrics.messagesOut(out.emissions.size());
                    return new Emitted(out.emissions, true);
                }))
                .onMessage(Finish.class, m -> reply(m.replyTo(), "finishing", -1, () -> {
                    Collector out = new Collector(host.outputPorts());
                    stage().finish(out);
                    metrics.messagesOut(out.emissions.size());
                    metrics.finished();
                    return new Emitted(out.emissions, false);
                }))
                .onSignal(PostStop.class, s -> {
                    closeStage();
                    return this;
                })
                .build();
    }

    private static String describe(Inputs in) {
        StringBuilder sb = new StringBuilder();
        in.byPort().forEach((port, msg) -> sb.append(sb.length() == 0 ? "" : ", ").append(port).append('=')
                .append(msg.getClass().getSimpleName()));
        return sb.toString();
    }

    private Stage stage() throws Exception {
        if (stage == null) {
            stage = host.instantiate();
            if (host.seekFrom() > 0) {
                // Resume: the source skips the frames that journals downstream already hold.
                stage.seek(host.seekFrom());
            }
        }
        return stage;
    }

    private Behavior<Command> reply(ActorRef<Reply> to, String phase, long frameIndex, Callable<Emitted> work) {
        long start = System.nanoTime();
        try {
            Emitted result = work.call();
            metrics.processingNanos(System.nanoTime() - start);
            to.tell(result);
            return this;
        } catch (Throwable t) {
            StageFailureException failure = t instanceof StageFailureException sfe ? sfe
                    : new StageFailureException(host.name(), host.typeName(), phase, frameIndex, t);
            metrics.failed(failure.getMessage());
            to.tell(new Failed(failure));
            closeStage();
            return Behaviors.stopped();
        }
    }

    private void closeStage() {
        if (stage != null) {
            Stage s = stage;
            stage = null;
            try {
                s.close();
            } catch (Exception e) {
                getContext().getLog().warn("stage '{}' failed to close: {}", host.name(), e.toString());
            }
        }
    }

    /** Collects emissions and rejects ports the stage type did not declare. */
    private final class Collector implements Emitter {
        final List<Emission> emissions = new ArrayList<>();
        private final Set<String> ports;

        Collector(Set<String> ports) {
            this.ports = ports;
        }

        @Override
        public void emit(String port, Indexed message) {
            if (!ports.contains(port)) {
                throw new IllegalArgumentException("stage '" + host.name() + "' emitted on undeclared port '" + port
                        + "' (declared: " + ports + ")");
            }
            emissions.add(new Emission(port, message));
        }
    }
}
