package dev.synctalk.sync;

import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.facesync.FaceSyncSampling;

import java.nio.file.Path;
import java.util.List;

/**
 * Source of Face-Sync training: one {@link SyncSamples} per step (frame index = step), the clip and frame
 * indices of the step's batch, a pure function of (clips, holdout, seed, step) ({@link FaceSyncSampling}),
 * so {@link #seek} to any step is exact and a resumed run sees the same batches as an uninterrupted one.
 * {@code mode} expert draws in-sync and off-sync pairs for {@code sync-expert-train}, {@code ave} windows
 * with reference frames for {@code ave-train}. Reads only the clips' frame counts.
 */
public final class SyncBatchSamplerStage implements Stage {

    /** Which trainer the samples are for. */
    public enum Mode {
        EXPERT, AVE
    }

    public record Config(
            @Param(doc = "clip folders, or folders of them (aud.wav + ori_imgs/N.jpg + N.lms each)") List<Path> clips,
            @Param(defaultValue = "0.0909090909", doc = "fraction of each clip's frames held out at its end (1/11)")
            double holdout,
            @Param(defaultValue = "expert", doc = "expert (sync-expert-train) or ave (ave-train)") Mode mode,
            @Param(defaultValue = "2000", doc = "training steps", min = 1) long iters,
            @Param(defaultValue = "16", doc = "samples per step (expert pairs, or AVE windows of 5 frames)", min = 1) int batch,
            @Param(defaultValue = "0.5", doc = "expert: share of off-sync windows whose audio comes from another clip"
                    + " (with few clips these teach voices apart rather than sync; 0 = shifted windows only)", min = 0, max = 1)
            double otherClipNegatives,
            @Param(defaultValue = "1", doc = "seed of the sampling") long seed) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("sync-batch-sampler", "clips -> the clip and frame indices of each Face-Sync training step,"
                    + " deterministic per (seed, step)", Config.class, List.of(),
                    List.of(PortSpec.of("samples", SyncSamples.class, "the samples of one training step")));
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new SyncBatchSamplerStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final int[] trainFrames;
    private long next;

    private SyncBatchSamplerStage(Config config, StageContext context) throws Exception {
        String name = "sync-batch-sampler '" + context.stageName() + "'";
        if (!(config.otherClipNegatives() >= 0 && config.otherClipNegatives() <= 1)) {
            throw new IllegalArgumentException(name + ": other-clip-negatives must be in [0, 1], got "
                    + config.otherClipNegatives());
        }
        if (config.iters() < 1 || config.batch() < 2) {
            throw new IllegalArgumentException(name + ": iters must be positive and batch at least 2, got iters "
                    + config.iters() + ", batch " + config.batch());
        }
        this.config = config;
        this.context = context;
        // the trainers skip the same short clips, so indices agree
        List<SyncClips.ClipFolder> clips = SyncClips.discover(config.clips(), config.holdout(), skipped -> { });
        this.trainFrames = clips.stream().mapToInt(SyncClips.ClipFolder::trainFrames).toArray();
        FaceSyncSampling.requireUsable(clips.stream().map(SyncClips.ClipFolder::name).toList(), trainFrames);
        context.log().info("{}: {} clip(s), {} training frames", name, clips.size(),
                java.util.Arrays.stream(trainFrames).sum());
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
        out.emit("samples", sample(next));
        context.progress().advance(1);
        next++;
        return next < config.iters();
    }

    SyncSamples sample(long step) {
        return config.mode() == Mode.EXPERT
                ? new SyncSamples(step, FaceSyncSampling.expertSamples(trainFrames, config.batch(), config.seed(), step,
                        config.otherClipNegatives()), List.of())
                : new SyncSamples(step, List.of(), FaceSyncSampling.aveSamples(trainFrames, config.batch(), config.seed(),
                        step));
    }
}
