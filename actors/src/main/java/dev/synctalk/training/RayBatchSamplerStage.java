package dev.synctalk.training;

import dev.synctalk.dataset.Landmarks;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.gpu.lpips.LpipsAlex;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Source of head training: one {@link TrainRays} per step, frame index = step. Step k's frame and
 * pixels are drawn from a generator seeded by (seed, k) alone, so {@link #seek} to any step is exact
 * and a resumed run sees the same rays as an uninterrupted one. Steps before {@code patch-from} draw
 * single pixels uniformly; later steps (the fine phase) draw square patches of {@code patch-size}.
 * Each ray's background is the frame's torso over bc.jpg ({@link TrainingSet.Image#torsoBackground}).
 * After {@code iters} steps come {@code lips-iters} steps of the lips fine-tune: one square patch per
 * step centred on the frame's lips (landmarks 48-67 of ori_imgs/N.lms), of the lips' larger extent but
 * at least {@link #LIPS_MIN_SIDE} px (AlexNet-LPIPS needs 31), within the image.
 */
public final class RayBatchSamplerStage implements Stage {
    /** Smallest side of a lips patch, the reference's padding of the lips rectangle. */
    public static final int LIPS_MIN_SIDE = 32;

    public record Config(
            @Param(doc = "dataset folder (SyncTalk layout)") Path dataset,
            @Param(defaultValue = "2000", doc = "training steps") long iters,
            @Param(defaultValue = "4096", doc = "rays per step") int raysPerStep,
            @Param(defaultValue = "1", doc = "side of the square patches of the fine phase; 1 = single pixels") int patchSize,
            @Param(defaultValue = "0", doc = "first step that samples patches (the fine phase); 0 = never") long patchFrom,
            @Param(defaultValue = "mel", doc = "audio features: mel (log-mel of aud.wav) or ave (aud_ave.npy)")
            AudioFeatureKind audioFeatures,
            @Param(defaultValue = "8", doc = "audio frames per attention window") int window,
            @Param(defaultValue = "1", doc = "seed of the frame and pixel choice") long seed,
            @Param(defaultValue = "0", doc = "lips fine-tune steps after iters (one lips patch each); 0 = none")
            long lipsIters) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("ray-batch-sampler", "dataset -> one batch of training rays per step, deterministic per (seed, step)",
                    Config.class,
                    List.of(),
                    List.of(PortSpec.of("rays", TrainRays.class, "rays of one training step")));
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new RayBatchSamplerStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final TrainingSet set;
    /** Per training image (by position) the lips patch: x0, y0, side; empty without a lips phase. */
    private final int[][] lipsPatches;
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
        if (config.lipsIters() < 0) {
            throw new IllegalArgumentException("ray-batch-sampler '" + context.stageName() + "': lips-iters must not be"
                    + " negative, got " + config.lipsIters());
        }
        this.lipsPatches = new int[config.lipsIters() > 0 ? set.images().size() : 0][];
        for (int k = 0; k < lipsPatches.length; k++) {
            Path lms = set.dataset().layout().landmarks(set.images().get(k).imageId());
            lipsPatches[k] = lipsPatch(Landmarks.read(lms), set.camera().width(), set.camera().height(), lms);
        }
        context.progress().total(totalSteps(), "steps");
    }

    private long totalSteps() {
        return config.iters() + config.lipsIters();
    }

    /**
     * The square around landmarks 48-67 (the mouth): centred on their bounding box, side = the box's
     * larger extent rounded up, at least {@link #LIPS_MIN_SIDE} and at most the image; shifted inside the
     * image. Returns x0, y0, side.
     */
    static int[] lipsPatch(float[][] landmarks, int width, int height, Path source) {
        if (landmarks.length < 68) {
            throw new IllegalArgumentException(source + ": the lips patch needs 68 landmarks, the file has "
                    + landmarks.length);
        }
        float xMin = Float.POSITIVE_INFINITY;
        float xMax = Float.NEGATIVE_INFINITY;
        float yMin = Float.POSITIVE_INFINITY;
        float yMax = Float.NEGATIVE_INFINITY;
        for (int i = 48; i < 68; i++) {
            xMin = Math.min(xMin, landmarks[i][0]);
            xMax = Math.max(xMax, landmarks[i][0]);
            yMin = Math.min(yMin, landmarks[i][1]);
            yMax = Math.max(yMax, landmarks[i][1]);
        }
        int limit = Math.min(width, height);
        if (limit < LpipsAlex.MIN_SIDE) {
            throw new IllegalArgumentException(source + ": the lips patch needs images of at least " + LpipsAlex.MIN_SIDE
                    + " px, they are " + width + "x" + height);
        }
        int side = Math.min(limit, Math.max(LIPS_MIN_SIDE, (int) Math.ceil(Math.max(xMax - xMin, yMax - yMin))));
        int x0 = clamp(Math.round((xMin + xMax) / 2 - side / 2f), 0, width - side);
        int y0 = clamp(Math.round((yMin + yMax) / 2 - side / 2f), 0, height - side);
        return new int[] {x0, y0, side};
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
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
        out.emit("rays", sample(next));
        context.progress().advance(1);
        next++;
        return next < totalSteps();
    }

    /** The rays of step {@code step}: a pure function of (dataset, config, step). */
    TrainRays sample(long step) {
        SplittableRandom rng = new SplittableRandom(config.seed() + step * 0x9E3779B97F4A7C15L);
        int imageIndex = rng.nextInt(set.images().size());
        TrainingSet.Image image = set.images().get(imageIndex);
        int w = set.camera().width();
        int h = set.camera().height();
        int[] pixels = new int[config.raysPerStep()];
        boolean patches = config.patchSize() > 1 && config.patchFrom() > 0 && step >= config.patchFrom();
        int patchSide = patches ? config.patchSize() : 0;
        if (step >= config.iters()) {
            int[] lips = lipsPatches[imageIndex];
            patchSide = lips[2];
            pixels = new int[patchSide * patchSide];
            for (int dy = 0; dy < patchSide; dy++) {
                for (int dx = 0; dx < patchSide; dx++) {
                    pixels[dy * patchSide + dx] = (lips[1] + dy) * w + lips[0] + dx;
                }
            }
        } else if (patches) {
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
                lower, windowShape, set.audio().window(image.audioId(), config.window()), image.expression(), patchSide);
    }
}
