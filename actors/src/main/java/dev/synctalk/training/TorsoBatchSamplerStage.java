package dev.synctalk.training;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Source of torso training: one {@link TorsoTrainImage} per step, frame index = step. Step k's training
 * frame is drawn from a generator seeded by (seed, k) alone, so {@link #seek} to any step is exact and a
 * resumed run sees the same frames as an uninterrupted one. The pixels of a step are drawn by the torso
 * trainer (its random state is part of its checkpoints), which is why whole images travel here.
 */
public final class TorsoBatchSamplerStage implements Stage {

    public record Config(
            @Param(doc = "dataset folder (SyncTalk layout with torso_imgs and bc.jpg)") Path dataset,
            @Param(defaultValue = "2000", doc = "training steps") long iters,
            @Param(defaultValue = "1", doc = "seed of the frame choice") long seed) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("torso-batch-sampler", "dataset -> one torso training image (torso over background target) per step, deterministic per" + " (seed, step)",
                    Config.class,
                    List.of(),
                    List.of(PortSpec.of("images", TorsoTrainImage.class, "the training image of one torso step")));
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new TorsoBatchSamplerStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final TrainingSet set;
    private long next;

    private TorsoBatchSamplerStage(Config config, StageContext context) throws Exception {
        if (config.iters() < 1) {
            throw new IllegalArgumentException("torso-batch-sampler '" + context.stageName() + "': iters must be"
                    + " positive, got " + config.iters());
        }
        this.config = config;
        this.context = context;
        // audio features are loaded but unused: the torso does not listen; mel needs only aud.wav
        this.set = TrainingSet.load(config.dataset(), AudioFeatureKind.MEL);
        if (set.images().isEmpty()) {
            throw new IllegalArgumentException("torso-batch-sampler '" + context.stageName() + "': dataset "
                    + config.dataset() + " has no training frames");
        }
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
        out.emit("images", sample(next));
        context.progress().advance(1);
        next++;
        return next < config.iters();
    }

    /** The image of step {@code step}: a pure function of (dataset, config, step). */
    TorsoTrainImage sample(long step) {
        SplittableRandom rng = new SplittableRandom(config.seed() + step * 0x9E3779B97F4A7C15L);
        TrainingSet.Image image = set.images().get(rng.nextInt(set.images().size()));
        return new TorsoTrainImage(step, image.imageId(), image.codeIndex(), set.camera().width(),
                set.camera().height(), image.pose(), image.torsoBackground(), set.background());
    }
}
