package dev.synctalk.training;

import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.engine.stage.AbstractStageType;
import dev.synctalk.compute.StageBackends;
import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.nerf.Checkpoint;
import dev.synctalk.nerf.FrameConditioning;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.Renderer;
import dev.synctalk.nerf.TrainStepResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The head NeRF's training step as a stage: its actor owns the {@link HeadTrainer}. Each input
 * {@link TrainRays} is one step (frame index = step); steps below coarse-iters are the coarse phase,
 * the rest the fine phase (see {@link TrainingPhase}). Every checkpoint-every steps the whole trainer
 * state is written atomically to {@code checkpoints/<stage>/<step>.ckpt} (the newest keep-checkpoints
 * are kept), which is how a resumed run continues bit-identically. At the end the final trainer state
 * goes to {@code outputs/head.ckpt} with {@code model.json} beside it.
 *
 * <p>LPIPS: when the lpips-weights file exists it is loaded as {@link LpipsAlex} and the fine phase
 * adds lpips-weight x mean LPIPS(rendered patch, target patch) to the loss, its gradient flowing into
 * the rendered colours of the patch rays and on into the NeRF. When the file is missing the stage says
 * so with a warning in the run log and the fine phase trains with MSE on its patches.
 *
 * <p>Lips fine-tune: lips-iters steps after iters (the sampler sends one patch around the lips per
 * step), with LPIPS weighted lips-lpips-weight and lr x 0.05^(k / lips-iters), k counted from the
 * phase's first step, as the reference's --finetune_lips run.
 *
 * <p>The torso is trained afterwards by {@link TorsoTrainStage} (graph-definitions/train-torso.conf);
 * the head is trained over each frame's torso over bc.jpg, so it does not learn the torso.
 */
public final class HeadTrainStage implements Stage {
    static final String CHECKPOINT_SUFFIX = ".ckpt";

    public record Config(
            @Param(doc = "dataset folder the sampler reads (frame count, audio feature shape, previews)") Path dataset,
            @Param(defaultValue = "sync-talk", doc = "model sizes: sync-talk (the reference's) or tiny") ModelPreset preset,
            @Param(defaultValue = "mel", doc = "audio features: mel or ave (must match the sampler)")
            AudioFeatureKind audioFeatures,
            @Param(defaultValue = Param.NONE, doc = "AVE audio-net weights (named-tensor file) to start from; ave only")
            Path aveCheckpoint,
            @Param(defaultValue = Param.NONE, doc = "the audio-visual encoder that made aud_ave.npy (ave.stnt from"
                    + " train-ave.conf); checked against it and kept next to the model for head-render; ave only")
            Path aveEncoder,
            @Param(defaultValue = "2000", doc = "planned steps (lr decay and loss schedule)") long iters,
            @Param(defaultValue = "-1", doc = "steps of the coarse phase; the rest are fine; -1 = all coarse")
            long coarseIters,
            @Param(defaultValue = "4096", doc = "rays per step (recorded in model.json)") int raysPerStep,
            @Param(defaultValue = "1e-3", doc = "AdamW lr of the networks") double lr,
            @Param(defaultValue = "1e-2", doc = "AdamW lr of the hash grids") double gridLr,
            @Param(defaultValue = "8", doc = "audio frames per attention window") int window,
            @Param(defaultValue = Param.NONE, doc = "AlexNet-LPIPS backbone weights for the fine phase") Path lpipsWeights,
            @Param(defaultValue = "0.1", doc = "weight of LPIPS in the fine phase; 0 = MSE only") double lpipsWeight,
            @Param(defaultValue = "0", doc = "lips fine-tune steps after iters (must match the sampler's)") long lipsIters,
            @Param(defaultValue = "0.01", doc = "weight of LPIPS in the lips fine-tune") double lipsLpipsWeight,
            @Param(defaultValue = "500", doc = "write a checkpoint every this many steps") int checkpointEvery,
            @Param(defaultValue = "3", doc = "checkpoints kept (at least 3: the newest may be ahead of the journals)")
            int keepCheckpoints,
            @Param(defaultValue = "100", doc = "a preview render every this many steps; 0 = none") int previewEvery,
            @Param(defaultValue = "1", doc = "seed of parameters and the trainer's random numbers") long seed,
            @Param(defaultValue = "0", doc = "CPU threads; 0 = all processors") int threads,
            @Param(defaultValue = "\"head.ckpt\"", doc = "final model file, relative to the run's outputs") Path model) {
    }

    public static final class Type extends AbstractStageType<Config> {
        public Type() {
            super("head-train", "trains the head NeRF one step per ray batch; checkpoints for bit-identical resume",
                    Config.class,
                    List.of(PortSpec.of("rays", TrainRays.class, "rays of one step")),
                    List.of(PortSpec.of("steps", TrainStepReport.class, "loss and PSNR of each step")));
        }

        @Override
        public int lookbackFrames() {
            return ALL_HISTORY;
        }

        @Override
        public List<Long> checkpoints(Config config, Path dir) {
            return listCheckpoints(dir);
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new HeadTrainStage(config, context);
        }
    }

    static List<Long> listCheckpoints(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(CHECKPOINT_SUFFIX) && n.substring(0, n.length() - 5).matches("\\d+"))
                    .map(n -> Long.parseLong(n.substring(0, n.length() - CHECKPOINT_SUFFIX.length()))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private final Config config;
    private final StageContext context;
    private final Backend backend;
    private final HeadModelSpec spec;
    private final HeadTrainer trainer;
    private final SyncTalkDataset dataset;
    private final DatasetAudioFeatures audio;
    private final LpipsAlex lpips;
    private boolean fineAnnounced;
    private boolean lipsAnnounced;

    private HeadTrainStage(Config config, StageContext context) throws IOException {
        String name = "head-train '" + context.stageName() + "'";
        if (config.keepCheckpoints() < 3) {
            throw new IllegalArgumentException(name + ": keep-checkpoints must be at least 3, got "
                    + config.keepCheckpoints());
        }
        if (config.checkpointEvery() < 1) {
            throw new IllegalArgumentException(name + ": checkpoint-every must be positive");
        }
        if (config.lipsIters() < 0) {
            throw new IllegalArgumentException(name + ": lips-iters must not be negative, got " + config.lipsIters());
        }
        this.config = config;
        this.context = context;
        this.lpips = config.lpipsWeights() != null && Files.isRegularFile(config.lpipsWeights())
                ? LpipsAlex.load(config.lpipsWeights()) : null;
        this.dataset = DatasetReader.read(config.dataset());
        this.audio = DatasetAudioFeatures.load(config.dataset(), config.audioFeatures());
        this.spec = new HeadModelSpec(config.preset(), config.audioFeatures(), dataset.train().size(),
                audio.frameShape(), config.window(), config.raysPerStep(), config.iters(), config.seed(),
                config.gridLr(), config.lr());
        this.backend = StageBackends.open(context, config.threads());
        this.trainer = spec.newTrainer(backend);
        if (config.aveCheckpoint() != null) {
            if (config.audioFeatures() != AudioFeatureKind.AVE) {
                throw new IllegalArgumentException(name + ": ave-checkpoint is given but audio-features is "
                        + config.audioFeatures());
            }
            AveCheckpoint.load(config.aveCheckpoint(), trainer.conditioner().featureNet());
            context.log().info("{}: AVE audio net initialised from {}", name, config.aveCheckpoint());
        }
        if (config.aveEncoder() != null) {
            if (config.audioFeatures() != AudioFeatureKind.AVE) {
                throw new IllegalArgumentException(name + ": ave-encoder is given but audio-features is "
                        + config.audioFeatures());
            }
            var encoder = dev.synctalk.sync.HeadAve.loadEncoder(config.aveEncoder(), name);
            try (var cpu = dev.synctalk.sync.FaceSyncCompute.cpu(config.threads())) {
                dev.synctalk.sync.HeadAve.checkDatasetFeatures(config.dataset(), encoder, config.aveEncoder(), cpu, name);
            }
            context.log().info("{}: aud_ave.npy matches the audio-visual encoder {} ({} features)", name,
                    config.aveEncoder(), encoder.featureDim());
        }
        if (context.restoreFrom().isPresent()) {
            Path file = checkpointFile(context.restoreFrom().getAsLong());
            Checkpoint.restore(trainer, file);
            context.log().info("{}: resumed from {} (step {})", name, file, trainer.step());
        }
        context.progress().total(config.iters() + config.lipsIters(), "steps");
        context.progress().advance(trainer.step());
    }

    private Path checkpointFile(long step) {
        return context.checkpointDir().resolve(step + CHECKPOINT_SUFFIX);
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        TrainRays rays = (TrainRays) in.only();
        if (rays.frameIndex() != trainer.step()) {
            throw new IllegalStateException("head-train '" + context.stageName() + "': rays of step " + rays.frameIndex()
                    + " arrived but the trainer has done " + trainer.step() + " steps");
        }
        long step = rays.frameIndex();
        TrainingPhase phase = TrainingPhase.ofStep(step, config.coarseIters(), config.iters());
        if (phase == TrainingPhase.FINE && !fineAnnounced) {
            fineAnnounced = true;
            announceFinePhase();
        }
        if (phase == TrainingPhase.LIPS && !lipsAnnounced) {
            lipsAnnounced = true;
            context.log().info("head-train '{}': lips fine-tune from step {} for {} steps ({})", context.stageName(),
                    config.iters(), config.lipsIters(), lpips == null ? "MSE only, no LPIPS weights"
                            : "LPIPS weight " + config.lipsLpipsWeight());
        }
        double lpipsWeight = phase == TrainingPhase.LIPS ? config.lipsLpipsWeight()
                : phase == TrainingPhase.FINE ? config.lpipsWeight() : 0;
        if (lpips != null && lpipsWeight > 0 && rays.isPatches() && rays.patchSide() < LpipsAlex.MIN_SIDE) {
            throw new IllegalArgumentException("head-train '" + context.stageName() + "': step " + step + " has "
                    + rays.patchSide() + "x" + rays.patchSide() + " patches, but LPIPS with AlexNet needs at least "
                    + LpipsAlex.MIN_SIDE + " px (raise the sampler's patch-size or set lpips-weight = 0)");
        }
        HeadTrainer.ImageLoss imageLoss = lpips != null && lpipsWeight > 0 && rays.isPatches()
                ? new PatchLpipsLoss(lpips, lpipsWeight, rays.patchSide()) : null;
        double lrFactor = phase == TrainingPhase.LIPS
                ? Math.pow(0.05, (double) (step - config.iters()) / config.lipsIters())
                : trainer.scheduledLearningRateFactor();
        TrainStepResult result = trainer.trainStep(rays.toRayBatch(), imageLoss, lrFactor);
        out.emit("steps", new TrainStepReport(step, phase, result.loss(), result.mse(), result.psnr(), result.samples(),
                lrFactor, result.imageLoss()));
        context.curve("loss", step, result.loss());
        context.curve("psnr", step, result.psnr());
        context.progress().advance(1);
        if ((step + 1) % config.checkpointEvery() == 0) {
            writeCheckpoint(step);
        }
        if (config.previewEvery() > 0 && (step + 1) % config.previewEvery() == 0) {
            context.preview("head", ImageFiles.encode(renderPreview(), "png"));
        }
    }

    private void announceFinePhase() {
        if (config.lpipsWeight() <= 0) {
            context.log().info("head-train '{}': fine phase from step {} with MSE on patches (lpips-weight is 0)",
                    context.stageName(), config.coarseIters());
            return;
        }
        if (lpips == null) {
            context.log().warn("head-train '{}': the fine phase asks for LPIPS (lpips-weight {}) but the LPIPS backbone"
                    + " weights {} are missing; falling back to MSE", context.stageName(), config.lpipsWeight(),
                    config.lpipsWeights() == null ? "(param lpips-weights not set)" : config.lpipsWeights().toAbsolutePath());
        } else {
            context.log().info("head-train '{}': fine phase from step {}: MSE + {} x LPIPS (AlexNet, weights {}) on"
                    + " patches", context.stageName(), config.coarseIters(), config.lpipsWeight(), config.lpipsWeights());
        }
    }

    private void writeCheckpoint(long step) throws IOException {
        Files.createDirectories(context.checkpointDir());
        Checkpoint.write(trainer, checkpointFile(step));
        List<Long> all = listCheckpoints(context.checkpointDir());
        for (int i = 0; i < all.size() - config.keepCheckpoints(); i++) {
            Files.deleteIfExists(checkpointFile(all.get(i)));
        }
    }

    /** The first training frame rendered over the background, as the dashboard's preview. */
    private FloatImage renderPreview() throws IOException {
        var f = dataset.train().get(0);
        var camera = TrainingSet.camera(dataset);
        int[] shape = audio.frameShape();
        int[] windowShape = new int[shape.length + 1];
        windowShape[0] = config.window();
        System.arraycopy(shape, 0, windowShape, 1, shape.length);
        FrameConditioning conditioning = new FrameConditioning(
                Tensor.wrap(audio.window(f.audioId(), config.window()), windowShape),
                Tensor.wrap(dataset.expression(f.imageId()), 7), 0);
        float[] background = TrainingSet.background(dataset);
        Renderer.Frame frame = trainer.renderer().render(camera, Tensor.wrap(NerfPoses.toTrainer(f.transformMatrix()), 4, 4),
                conditioning, Tensor.wrap(background, camera.width() * camera.height(), 3));
        float[] rgb = frame.image().data().clone();
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = Math.min(1f, Math.max(0f, rgb[i]));
        }
        return new FloatImage(camera.width(), camera.height(), 3, rgb);
    }

    @Override
    public void finish(Emitter out) throws IOException {
        Path modelFile = context.output(config.model());
        Files.createDirectories(modelFile.toAbsolutePath().getParent());
        Checkpoint.write(trainer, modelFile);
        spec.write(modelFile.resolveSibling(HeadModelSpec.FILE_NAME));
        if (config.aveEncoder() != null) {
            // the encoder travels with the model: head-render runs it on new speech
            dev.synctalk.output.AtomicFiles.write(modelFile.resolveSibling(dev.synctalk.sync.HeadAve.ENCODER_FILE),
                    Files.readAllBytes(config.aveEncoder()));
        }
        context.log().info("head-train '{}': {} steps done, model written to {}", context.stageName(), trainer.step(),
                modelFile);
    }

    @Override
    public void close() {
        backend.close();
    }
}
