package dev.synctalk.training;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.engine.stage.StageType;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Source of head training: one {@link TrainRays} per step, frame index = step. Step k's frame and
 * pixels are drawn from a generator seeded by (seed, k) alone, so {@link #seek} to any step is exact
 * and a resumed run sees the same rays as an uninterrupted one. Steps before {@code patch-from} draw
 * single pixels uniformly; later steps (the fine phase) draw square patches of {@code patch-size}.
 * Each ray's background is the frame's torso over bc.jpg ({@link TrainingSet.Image#torsoBackground}).
 */
public final class RayBatchSamplerStage implements Stage {

    public record Config(
            @Param(doc = "dataset folder (SyncTalk layout)") Path dataset,
            @Param(defaultValue = "2000", doc = "training steps") long iters,
            @Param(defaultValue = "4096", doc = "rays per step") int raysPerStep,
            @Param(defaultValue = "1", doc = "side of the square patches of the fine phase; 1 = single pixels") int patchSize,
            @Param(defaultValue = "0", doc = "first step that samples patches (the fine phase); 0 = never") long patchFrom,
            @Param(defaultValue = "mel", doc = "audio features: mel (log-mel of aud.wav) or ave (aud_ave.npy)")
            AudioFeatureKind audioFeatures,
            @Param(defaultValue = "8", doc = "audio frames per attention window") int window,
            @Param(defaultValue = "1", doc = "seed of the frame and pixel choice") long seed) {
    }

    public static final class Type implements StageType<Config> {
        @Override
        public String name() {
            return "ray-batch-sampler";
        }

        @Override
        public String description() {
            return "dataset -> one batch of training rays per step, deterministic per (seed, step)";
        }

        @Override
        public Class<Config> configType() {
            return Config.class;
        }

        @Override
        public List<PortSpec> inputs() {
            return List.of();
        }

        @Override
        public List<PortSpec> outputs() {
            return List.of(PortSpec.of("rays", TrainRays.class, "rays of one training step"));
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new RayBatchSamplerStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final TrainingSet set;
    private long next;

    private RayBatchSamplerStage(Config config, StageContext context) throws Exception {
        if (config.iters() < 1 || config.raysPerStep() < 1 || config.patchSize() < 1 || config.window() < 1) {
            throw new IllegalArgumentException("ray-batch-sampler '" + context.stageName() + "': iters, rays-per-step,"
                    + " patch-size and window must be positive");
        }
        this.config = config;
        this.context = context;
        this.set = TrainingSet.load(config.dataset(), config.audioFeatures());
        if (set.images().isEmpty()) {
            throw new IllegalArgumentException("ray-batch-sampler '" + context.stageName() + "': dataset "
                    + config.dataset() + " has no training frames");
        }
        if (config.patchSize() > Math.min(set.camera().width(), set.camera().height())) {
            throw new IllegalArgumentException("ray-batch-sampler '" + context.stageName() + "': patch-size "
                    + config.patchSize() + " exceeds the " + set.camera().width() + "x" + set.camera().height()
                    + " images");
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
        out.emit("rays", sample(next));
        context.progress().advance(1);
        next++;
        return next < config.iters();
    }

    /** The rays of step {@code step}: a pure function of (dataset, config, step). */
    TrainRays sample(long step) {
        SplittableRandom rng = new SplittableRandom(config.seed() + step * 0x9E3779B97F4A7C15L);
        TrainingSet.Image image = set.images().get(rng.nextInt(set.images().size()));
        int w = set.camera().width();
        int h = set.camera().height();
        int[] pixels = new int[config.raysPerStep()];
        boolean patches = config.patchSize() > 1 && config.patchFrom() > 0 && step >= config.patchFrom();
        if (patches) {
            int p = config.patchSize();
            int perPatch = p * p;
            int patchCount = Math.max(1, config.raysPerStep() / perPatch);
            pixels = new int[patchCount * perPatch];
            for (int k = 0; k < patchCount; k++) {
                int x0 = rng.nextInt(w - p + 1);
                int y0 = rng.nextInt(h - p + 1);
                for (int dy = 0; dy < p; dy++) {
                    for (int dx = 0; dx < p; dx++) {
                        pixels[k * perPatch + dy * p + dx] = (y0 + dy) * w + x0 + dx;
                    }
                }
            }
        } else {
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = rng.nextInt(w * h);
            }
        }
        int r = pixels.length;
        float[] origins = new float[3 * r];
        float[] directions = new float[3 * r];
        set.camera().generate(image.pose(), pixels, origins, directions, 0, r);
        float[] target = new float[3 * r];
        float[] background = new float[3 * r];
        float[] face = new float[r];
        float[] lower = new float[r];
        for (int i = 0; i < r; i++) {
            int p = pixels[i];
            System.arraycopy(image.rgb(), 3 * p, target, 3 * i, 3);
            System.arraycopy(image.torsoBackground(), 3 * p, background, 3 * i, 3);
            face[i] = image.faceMask()[p];
            lower[i] = image.lowerFaceMask()[p];
        }
        int[] frameShape = set.audio().frameShape();
        int[] windowShape = new int[frameShape.length + 1];
        windowShape[0] = config.window();
        System.arraycopy(frameShape, 0, windowShape, 1, frameShape.length);
        return new TrainRays(step, image.imageId(), image.codeIndex(), origins, directions, target, background, face,
                lower, windowShape, set.audio().window(image.audioId(), config.window()), image.expression());
    }
}
