package dev.synctalk.engine.runtime;

import java.util.function.LongConsumer;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * A one-slot pass-through placed on a stage's output that measures backpressure: the time an element
 * the stage produced waits because nothing downstream asked for it yet.
 */
public final class OutletMeter<T> extends GraphStage<FlowShape<T, T>> {
    private final Inlet<T> in = Inlet.create("OutletMeter.in");
    private final Outlet<T> out = Outlet.create("OutletMeter.out");
    private final FlowShape<T, T> shape = FlowShape.of(in, out);
    private final LongConsumer blockedNanos;

    public OutletMeter(LongConsumer blockedNanos) {
        this.blockedNanos = blockedNanos;
    }

    @Override
    public FlowShape<T, T> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attrs) {
        return new GraphStageLogic(shape) {
            private T pending;
            private long waitingSince;

            {
                setHandler(in, new AbstractInHandler() {
                    @Override
                    public void onPush() {
                        T element = grab(in);
                        if (isAvailable(out)) {
                            push(out, element);
                            pull(in);
                        } else {
                            pending = element;
                            waitingSince = System.nanoTime();
                        }
                    }

                    @Override
                    public void onUpstreamFinish() {
                        if (pending == null) {
                            completeStage();
                        }
                    }
                });
                setHandler(out, new AbstractOutHandler() {
                    @Override
                    public void onPull() {
                        if (pending != null) {
                            T element = pending;
                            pending = null;
                            blockedNanos.accept(System.nanoTime() - waitingSince);
                            push(out, element);
                            if (isClosed(in)) {
                                completeStage();
                            } else if (!hasBeenPulled(in)) {
                                pull(in);
                            }
                        } else if (!hasBeenPulled(in) && !isClosed(in)) {
                            pull(in);
                        }
                    }
                });
            }

            @Override
            public void preStart() {
                pull(in);
            }
        };
    }
}
