package dev.synctalk.training;

import dev.synctalk.compute.StageBackends;
import dev.synctalk.engine.stage.AbstractStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.gpu.cuda.CudaBackend;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.nerf.TorsoCheckpoint;
import dev.synctalk.nerf.TorsoDivergedException;
import dev.synctalk.nerf.TorsoStepResult;
import dev.synctalk.nerf.TorsoTraining;
import dev.synctalk.nerf.TorsoTrainingData;
import dev.synctalk.nerf.TrainingPhase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The torso's training step as a stage (the reference's --torso stage): its actor owns the torso trainer, on
 * the device the graph places it: {@code gpu:N} gives the device-resident trainer (the dataset's torso images
 * uploaded once, pixels drawn on the GPU, one download of the loss per step), {@code cpu} the CPU reference.
 * Both train the same model with the same sampler and checkpoint format. Each input {@link TorsoStepTicket}
 * is one step (frame index = step); the trainer draws the step's frame and pixels from the step number. The
 * loss compares torso over bc.jpg with the frame's torso over bc.jpg, so the head is frozen by construction
 * and not read at all (it is composited over the torso at render time). Checkpoints work as head-train's:
 * every checkpoint-every steps the whole trainer state goes atomically to
 * {@code checkpoints/<stage>/<step>.ckpt} (newest keep-checkpoints kept), which is how a resumed run
 * continues (bit-identically on the CPU). A loss or parameter that is not finite stops the run naming the
 * step, before anything of that step is saved. At the end the final state goes to {@code outputs/torso.ckpt}
 * with {@code torso.json} beside it. Each step emits a {@link TrainStepReport} of phase TORSO.
 */
public final class TorsoTrainStage implements Stage {

    public record Config(
            @Param(doc = "dataset folder (SyncTalk layout with torso_imgs and bc.jpg)") Path dataset,
            @Param(defaultValue = "sync-talk", doc = "model sizes: sync-talk (the reference's) or tiny") ModelPreset preset,
            @Param(defaultValue = "2000", doc = "planned steps (lr decay)") long iters,
            @Param(defaultValue = "65536", doc = "pixels per step, drawn by the trainer from the step's frame")
            int pixelsPerStep,
            @Param(defaultValue = "1e-3", doc = "AdamW lr of the networks, anchors and torso codes") double lr,
            @Param(defaultValue = "1e-2", doc = "AdamW lr of the colour grid") double gridLr,
            @Param(defaultValue = "1e-4", doc = "weight of the torso alpha entropy; 0 = as the SyncTalk code")
            double alphaEntropy,
            @Param(defaultValue = "500", doc = "write a checkpoint every this many steps") int checkpointEvery,
            @Param(defaultValue = "3", doc = "checkpoints kept (at least 3: the newest may be ahead of the journals)")
            int keepCheckpoints,
            @Param(defaultValue = "100", doc = "a preview render every this many steps; 0 = none") int previewEvery,
            @Param(defaultValue = "1", doc = "seed of the parameters and of the frame and pixel choice") long seed,
            @Param(defaultValue = "0", doc = "CPU threads; 0 = all processors") int threads,
            @Param(defaultValue = "\"torso.ckpt\"", doc = "final model file, relative to the run's outputs") Path model) {
    }

    public static final class Type extends AbstractStageType<Config> {
        public Type() {
            super("torso-train", "trains the torso (head frozen) one step per ticket, on the CPU or device-resident on"
                            + " gpu:N; checkpoints for resume",
                    Config.class,
                    List.of(PortSpec.of("tickets", TorsoStepTicket.class, "the step to train")),
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
        public Stage create(Config config, StageContext context) throws Exception {
            return new TorsoTrainStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final String name;
    private final Backend backend;
    private final TorsoModelSpec spec;
    private final TorsoTraining trainer;

    private TorsoTrainStage(Config config, StageContext context) throws IOException {
        this.name = "torso-train '" + context.stageName() + "'";
        if (config.keepCheckpoints() < 3) {
            throw new IllegalArgumentException(name + ": keep-checkpoints must be at least 3, got "
                    + config.keepCheckpoints());
        }
        if (config.checkpointEvery() < 1) {
            throw new IllegalArgumentException(name + ": checkpoint-every must be positive");
        }
        this.config = config;
        this.context = context;
        TorsoTrainingData data = TorsoTrainingSet.load(config.dataset());
        this.spec = new TorsoModelSpec(config.preset(), data.frameCount(), config.pixelsPerStep(), config.iters(),
                config.seed(), config.gridLr(), config.lr(), config.alphaEntropy());
        this.backend = StageBackends.open(context, config.threads());
        try {
            this.trainer = backend instanceof CudaBackend cuda ? openOnDevice(cuda, data) : spec.newTrainer(backend, data);
            context.log().info("{}: {} frames of {}x{}, {} pixels per step, {}", name, data.frameCount(), data.width(),
                    data.height(), config.pixelsPerStep(), trainer.description());
            if (context.restoreFrom().isPresent()) {
                Path file = checkpointFile(context.restoreFrom().getAsLong());
                TorsoCheckpoint.restore(trainer, file);
                context.log().info("{}: resumed from {} (step {})", name, file, trainer.step());
            }
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
        context.progress().total(config.iters(), "steps");
        context.progress().advance(trainer.step());
    }

    private TorsoTraining openOnDevice(CudaBackend cuda, TorsoTrainingData data) {
        int frames = data.frameCount();
        long started = System.nanoTime();
        context.log().info("{}: uploading {} torso frames of {}x{} to {}", name, frames, data.width(), data.height(),
                cuda.device());
        TorsoTraining t = spec.newCudaTrainer(cuda.device(), data, uploaded -> {
            if (uploaded % Math.max(1, frames / 4) == 0 && uploaded < frames) {
                context.log().info("{}: {} of {} torso frames on the device", name, uploaded, frames);
            }
        });
        context.log().info("{}: training data on the device in {} ms; device memory {} MiB in use, {} MiB free", name,
                (System.nanoTime() - started) / 1_000_000, cuda.device().memoryStats().bytesInUse() >> 20,
                cuda.device().freeMemoryBytes() >> 20);
        return t;
    }

    private Path checkpointFile(long step) {
        return context.checkpointDir().resolve(step + HeadTrainStage.CHECKPOINT_SUFFIX);
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        TorsoStepTicket ticket = (TorsoStepTicket) in.only();
        if (ticket.frameIndex() != trainer.step()) {
            throw new IllegalStateException(name + ": ticket of step " + ticket.frameIndex()
                    + " arrived but the trainer has done " + trainer.step() + " steps");
        }
        long step = ticket.frameIndex();
        TorsoStepResult result;
        try {
            result = trainer.trainStep();
        } catch (TorsoDivergedException e) {
            List<Long> saved = HeadTrainStage.listCheckpoints(context.checkpointDir());
            throw new IllegalStateException(name + ": " + e.getMessage() + "; nothing of this step was saved, the newest"
                    + " checkpoint is " + (saved.isEmpty() ? "none (no checkpoint was written yet)"
                    : checkpointFile(saved.get(saved.size() - 1)) + " (after step " + saved.get(saved.size() - 1) + ")")
                    + "; lower lr or grid-lr before training again", e);
        }
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
            context.preview("torso", ImageFiles.encode(renderPreview(trainer.frameOfStep(step)), "png"));
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

    /** Training frame {@code frame} rendered as torso over the background (the head is not part of this stage). */
    private FloatImage renderPreview(int frame) {
        float[] data = trainer.renderFrame(frame);
        for (int i = 0; i < data.length; i++) {
            data[i] = Math.min(1f, Math.max(0f, data[i]));
        }
        return new FloatImage(trainer.data().width(), trainer.data().height(), 3, data);
    }

    @Override
    public void finish(Emitter out) throws IOException {
        Path modelFile = context.output(config.model());
        Files.createDirectories(modelFile.toAbsolutePath().getParent());
        TorsoCheckpoint.write(trainer, modelFile);
        spec.write(modelFile.resolveSibling(TorsoModelSpec.FILE_NAME));
        context.log().info("{}: {} steps done, model written to {}", name, trainer.step(), modelFile);
    }

    @Override
    public void close() {
        trainer.close();
        backend.close();
    }
}
