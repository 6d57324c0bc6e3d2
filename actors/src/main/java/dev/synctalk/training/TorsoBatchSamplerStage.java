package dev.synctalk.training;

import dev.synctalk.engine.stage.AbstractStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import java.util.List;

/**
 * Source of torso training: one {@link TorsoStepTicket} per step, frame index = step. The torso trainer draws
 * the step's frame and pixels from the step number with a counter-based generator (on the GPU when it runs
 * there), so {@link #seek} to any step is exact, a resumed run trains on what an uninterrupted one would, and
 * no images travel the stream.
 */
public final class TorsoBatchSamplerStage implements Stage {

    public record Config(@Param(defaultValue = "2000", doc = "training steps") long iters) {
    }

    public static final class Type extends AbstractStageType<Config> {
        public Type() {
            super("torso-batch-sampler", "one torso step ticket per step; the trainer samples frame and pixels from the"
                            + " step number",
                    Config.class,
                    List.of(),
                    List.of(PortSpec.of("tickets", TorsoStepTicket.class, "the step number of one torso step")));
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new TorsoBatchSamplerStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private long next;

    private TorsoBatchSamplerStage(Config config, StageContext context) {
        if (config.iters() < 1) {
            throw new IllegalArgumentException("torso-batch-sampler '" + context.stageName() + "': iters must be"
                    + " positive, got " + config.iters());
        }
        this.config = config;
        this.context = context;
        context.progress().total(config.iters(), "steps");
    }

    @Override
    public void seek(long fromFrameIndex) {
        next = fromFrameIndex;
        context.progress().advance(Math.min(fromFrameIndex, config.iters()));
    }

    @Override
    public boolean produce(Emitter out) {
        if (next >= config.iters()) {
            return false;
        }
        out.emit("tickets", new TorsoStepTicket(next));
        context.progress().advance(1);
        next++;
        return next < config.iters();
    }
}
