package dev.synctalk.training;

import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.nerf.TorsoCheckpoint;
import dev.synctalk.nerf.TorsoStepResult;
import dev.synctalk.nerf.TorsoTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The torso's training step as a stage (the reference's --torso stage): its actor owns the
 * {@link TorsoTrainer}. Each input {@link TorsoTrainImage} is one step (frame index = step); the loss
 * compares torso over bc.jpg with the frame's torso over bc.jpg target, so the head is frozen by
 * construction and not read at all (it is composited over the torso at render time). Checkpoints work as
 * head-train's: every checkpoint-every steps the whole trainer state goes atomically to
 * {@code checkpoints/<stage>/<step>.ckpt} (newest keep-checkpoints kept), which is how a resumed run
 * continues bit-identically. At the end the final state goes to {@code outputs/torso.ckpt} with
 * {@code torso.json} beside it. Each step emits a {@link TrainStepReport} of phase TORSO.
 */
public final class TorsoTrainStage implements Stage {

    public record Config(
            @Param(doc = "dataset folder the sampler reads (frame count, previews)") Path dataset,
            @Param(defaultValue = "sync-talk", doc = "model sizes: sync-talk (the reference's) or tiny") ModelPreset preset,
            @Param(defaultValue = "2000", doc = "planned steps (lr decay)", min = 1) long iters,
            @Param(defaultValue = "65536", doc = "pixels per step, drawn by the trainer from the step's image")
            int pixelsPerStep,
            @Param(defaultValue = "1e-3", doc = "AdamW lr of the networks, anchors and torso codes", min = 0, max = 1) double lr,
            @Param(defaultValue = "1e-2", doc = "AdamW lr of the colour grid", min = 0, max = 1) double gridLr,
            @Param(defaultValue = "1e-4", doc = "weight of the torso alpha entropy; 0 = as the SyncTalk code")
            double alphaEntropy,
            @Param(defaultValue = "500", doc = "write a checkpoint every this many steps", min = 1) int checkpointEvery,
            @Param(defaultValue = "3", doc = "checkpoints kept (at least 3: the newest may be ahead of the journals)", min = 3)
            int keepCheckpoints,
            @Param(defaultValue = "100", doc = "a preview render every this many steps; 0 = none", min = 0) int previewEvery,
            @Param(defaultValue = "1", doc = "seed of parameters and the trainer's random numbers") long seed,
            @Param(defaultValue = "0", doc = "CPU threads; 0 = all processors", min = 0, max = 1024) int threads,
            @Param(defaultValue = "\"torso.ckpt\"", doc = "final model file, relative to the run's outputs", output = true) Path model) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("torso-train", "trains the torso (head frozen) one step per image; checkpoints for bit-identical resume",
                    Config.class,
                    List.of(PortSpec.of("images", TorsoTrainImage.class, "the training image of one step")),
                    List.of(PortSpec.of("steps", TrainStepReport.class, "loss and PSNR of each step")));
        }

        @Override
        public int lookbackFrames() {
            return ALL_HISTORY;
        }

        @Override
        public List<Long> checkpoints(Config config, Path dir) {
            return HeadTrainStage.listCheckpoints(dir);
        }

        @Override
        public void verifyCheckpoint(Config config, Path dir, long through) throws IOException {
            TorsoCheckpoint.verify(dir.resolve(through + HeadTrainStage.CHECKPOINT_SUFFIX));
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new TorsoTrainStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final CpuBackend backend;
    private final TorsoModelSpec spec;
    private final TorsoTrainer trainer;
    private final SyncTalkDataset dataset;

    private TorsoTrainStage(Config config, StageContext context) throws IOException {
        String name = "torso-train '" + context.stageName() + "'";
        if (config.keepCheckpoints() < 3) {
            throw new IllegalArgumentException(name + ": keep-checkpoints must be at least 3, got "
                    + config.keepCheckpoints());
        }
        if (config.checkpointEvery() < 1) {
            throw new IllegalArgumentException(name + ": checkpoint-every must be positive");
        }
        this.config = config;
        this.context = context;
        this.dataset = DatasetReader.read(config.dataset());
        this.spec = new TorsoModelSpec(config.preset(), dataset.train().size(), config.pixelsPerStep(), config.iters(),
                config.seed(), config.gridLr(), config.lr(), config.alphaEntropy());
        this.backend = new CpuBackend(config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors());
        this.trainer = spec.newTrainer(backend);
        if (context.restoreFrom().isPresent()) {
            Path file = checkpointFile(context.restoreFrom().getAsLong());
            TorsoCheckpoint.restore(trainer, file);
            context.log().info("{}: resumed from {} (step {})", name, file, trainer.step());
        }
        context.progress().total(config.iters(), "steps");
        context.progress().advance(trainer.step());
    }

    private Path checkpointFile(long step) {
        return context.checkpointDir().resolve(step + HeadTrainStage.CHECKPOINT_SUFFIX);
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        TorsoTrainImage image = (TorsoTrainImage) in.only();
        if (image.frameIndex() != trainer.step()) {
            throw new IllegalStateException("torso-train '" + context.stageName() + "': image of step "
                    + image.frameIndex() + " arrived but the trainer has done " + trainer.step() + " steps");
        }
        long step = image.frameIndex();
        TorsoStepResult result = trainer.trainStep(image.toTrainFrame());
        double lrFactor = Math.pow(0.5, (double) step / config.iters());
        out.emit("steps", new TrainStepReport(step, TrainingPhase.TORSO, result.loss(), result.mse(), result.psnr(),
                config.pixelsPerStep(), lrFactor, 0));
        context.curve("torso-loss", step, result.loss());
        context.curve("torso-psnr", step, result.psnr());
        context.progress().advance(1);
        if ((step + 1) % config.checkpointEvery() == 0) {
            writeCheckpoint(step);
        }
        if (config.previewEvery() > 0 && (step + 1) % config.previewEvery() == 0) {
            context.preview("torso", ImageFiles.encode(renderPreview(image), "png"));
        }
    }

    private void writeCheckpoint(long step) throws IOException {
        Files.createDirectories(context.checkpointDir());
        TorsoCheckpoint.write(trainer, checkpointFile(step));
        List<Long> all = HeadTrainStage.listCheckpoints(context.checkpointDir());
        for (int i = 0; i < all.size() - config.keepCheckpoints(); i++) {
            Files.deleteIfExists(checkpointFile(all.get(i)));
        }
    }

    /** The step's frame rendered as torso over the background (the head is not part of this stage). */
    private FloatImage renderPreview(TorsoTrainImage image) {
        int pixels = image.width() * image.height();
        Tensor rgb = Tensor.zeros(pixels, 3);
        Tensor alpha = Tensor.zeros(pixels);
        trainer.model().render(backend, image.width(), image.height(), Tensor.wrap(image.pose().clone(), 4, 4),
                image.codeIndex(), Tensor.wrap(image.background().clone(), pixels, 3), rgb, alpha);
        float[] data = rgb.data().clone();
        for (int i = 0; i < data.length; i++) {
            data[i] = Math.min(1f, Math.max(0f, data[i]));
        }
        return new FloatImage(image.width(), image.height(), 3, data);
    }

    @Override
    public void finish(Emitter out) throws IOException {
        Path modelFile = context.output(config.model());
        Files.createDirectories(modelFile.toAbsolutePath().getParent());
        TorsoCheckpoint.write(trainer, modelFile);
        spec.write(modelFile.resolveSibling(TorsoModelSpec.FILE_NAME));
        context.log().info("torso-train '{}': {} steps done, model written to {}", context.stageName(), trainer.step(),
                modelFile);
    }

    @Override
    public void close() {
        backend.close();
    }
}
