package dev.synctalk.training;

import dev.synctalk.engine.stage.AbstractStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.nerf.TrainingPhase;
import java.util.List;

/**
 * Source of head training: one {@link TrainStepTicket} per step, step k with the phase the schedule gives it
 * (coarse below coarse-iters, fine up to iters, then lips-iters steps of the lips fine-tune). A pure function
 * of the step, so {@link #seek} to any step is exact and a resumed run gets the tickets an uninterrupted one
 * would. What a step trains on is drawn by head-train from the step number.
 */
public final class TrainScheduleStage implements Stage {

    public record Config(
            @Param(defaultValue = "2000", doc = "steps of the coarse and fine phases") long iters,
            @Param(defaultValue = "-1", doc = "steps of the coarse phase; -1 = all coarse") long coarseIters,
            @Param(defaultValue = "0", doc = "lips fine-tune steps after iters; 0 = none") long lipsIters) {
    }

    public static final class Type extends AbstractStageType<Config> {
        public Type() {
            super("train-schedule", "the steps of head training as tickets (step number, phase)", Config.class,
                    List.of(),
                    List.of(PortSpec.of("tickets", TrainStepTicket.class, "one ticket per training step")));
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new TrainScheduleStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private long next;

    private TrainScheduleStage(Config config, StageContext context) {
        if (config.iters() < 1 || config.lipsIters() < 0) {
            throw new IllegalArgumentException("train-schedule '" + context.stageName() + "': iters must be positive and"
                    + " lips-iters not negative, got " + config.iters() + " and " + config.lipsIters());
        }
        this.config = config;
        this.context = context;
        context.progress().total(totalSteps(), "steps");
    }

    private long totalSteps() {
        return config.iters() + config.lipsIters();
    }

    @Override
    public void seek(long fromFrameIndex) {
        next = fromFrameIndex;
        context.progress().advance(Math.min(fromFrameIndex, totalSteps()));
    }

    @Override
    public boolean produce(Emitter out) {
        if (next >= totalSteps()) {
            return false;
        }
        out.emit("tickets", new TrainStepTicket(next, TrainingPhase.ofStep(next, config.coarseIters(), config.iters())));
        context.progress().advance(1);
        next++;
        return next < totalSteps();
    }
}
