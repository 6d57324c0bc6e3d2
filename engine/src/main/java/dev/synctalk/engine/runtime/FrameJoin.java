package dev.synctalk.engine.runtime;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.engine.stage.Inputs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.UniformFanInShape;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * Fan-in joined by frame index: holds at most one message per input (so memory stays bounded and a
 * branch that runs ahead is backpressured), emits an {@link Inputs} tuple when all heads carry the same
 * index, and drops a head whose index is lower than another's (that frame is missing on some branch).
 * Inputs must arrive in ascending frame order, which every stage preserves. Completes as soon as one
 * input completes with nothing pending: no further complete tuple can form.
 */
public final class FrameJoin extends GraphStage<UniformFanInShape<Indexed, Inputs>> {
    private final List<String> ports;
    private final LongConsumer onDropped;
    private final UniformFanInShape<Indexed, Inputs> shape;

    public FrameJoin(List<String> ports, LongConsumer onDropped) {
        this.ports = List.copyOf(ports);
        this.onDropped = onDropped;
        @SuppressWarnings("unchecked")
        Inlet<Indexed>[] ins = new Inlet[ports.size()];
        for (int i = 0; i < ins.length; i++) {
            ins[i] = Inlet.create("FrameJoin.in." + ports.get(i));
        }
        this.shape = new UniformFanInShape<>(Outlet.create("FrameJoin.out"), ins);
    }

    @Override
    public UniformFanInShape<Indexed, Inputs> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attrs) {
        return new GraphStageLogic(shape) {
            private final Indexed[] heads = new Indexed[ports.size()];

            {
                for (int i = 0; i < ports.size(); i++) {
                    final int slot = i;
                    final Inlet<Indexed> in = shape.in(i);
                    setHandler(in, new AbstractInHandler() {
                        @Override
                        public void onPush() {
                            heads[slot] = grab(in);
                            tryJoin();
                        }

                        @Override
                        public void onUpstreamFinish() {
                            if (heads[slot] == null) {
                                completeStage();
                            }
                        }
                    });
                }
                setHandler(shape.out(), new AbstractOutHandler() {
                    @Override
                    public void onPull() {
                        pullMissing();
                    }
                });
            }

            private void pullMissing() {
                for (int i = 0; i < heads.length; i++) {
                    Inlet<Indexed> in = shape.in(i);
                    if (heads[i] == null) {
                        if (isClosed(in)) {
                            completeStage();
                            return;
                        }
                        if (!hasBeenPulled(in)) {
                            pull(in);
                        }
                    }
                }
            }

            private void tryJoin() {
                long max = Long.MIN_VALUE;
                for (Indexed h : heads) {
                    if (h == null) {
                        return;
                    }
                    max = Math.max(max, h.frameIndex());
                }
                boolean dropped = false;
                for (int i = 0; i < heads.length; i++) {
                    if (heads[i].frameIndex() < max) {
                        onDropped.accept(heads[i].frameIndex());
                        heads[i] = null;
                        dropped = true;
                    }
                }
                if (dropped) {
                    pullMissing();
                    return;
                }
                Map<String, Indexed> byPort = new LinkedHashMap<>();
                for (int i = 0; i < heads.length; i++) {
                    byPort.put(ports.get(i), heads[i]);
                    heads[i] = null;
                }
                push(shape.out(), new Inputs(max, byPort));
                List<Integer> closed = new ArrayList<>();
                for (int i = 0; i < heads.length; i++) {
                    if (isClosed(shape.in(i))) {
                        closed.add(i);
                    }
                }
                if (!closed.isEmpty()) {
                    completeStage();
                }
            }
        };
    }
}
