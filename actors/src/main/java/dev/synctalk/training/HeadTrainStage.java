package dev.synctalk.training;

import dev.synctalk.compute.StageBackends;
import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.gpu.cuda.CudaBackend;
import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.monitoring.SteadyRate;
import dev.synctalk.nerf.Checkpoint;
import dev.synctalk.nerf.CpuHeadTraining;
import dev.synctalk.nerf.FrameConditioning;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.HeadTraining;
import dev.synctalk.nerf.HeadTrainingData;
import dev.synctalk.nerf.HeadTrainingPlan;
import dev.synctalk.nerf.Renderer;
import dev.synctalk.nerf.TrainStepResult;
import dev.synctalk.nerf.TrainingPhase;
import dev.synctalk.nerf.cuda.CudaHeadTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;

/**
 * The head NeRF's training as a stage. Each input {@link TrainStepTicket} is one step (frame index = step);
 * the trainer draws the step's frame and rays from the step number itself, so the same steps train on the
 * same pixels on either placement: on the CPU (the reference, {@link CpuHeadTraining}) or, placed on
 * {@code gpu:N}, the device-resident trainer ({@link CudaHeadTrainer}: the dataset uploaded once, sampling,
 * marching, the fused fp16 networks, losses and AdamW on the device). Phases by step: coarse below
 * coarse-iters, fine (patches of patch-size) up to iters, then lips-iters steps of the lips fine-tune (see
 * {@link TrainingPhase}, {@link HeadTrainingPlan}). Every checkpoint-every steps the whole trainer state is
 * written atomically to {@code checkpoints/<stage>/<step>.ckpt} (the newest keep-checkpoints are kept), which
 * is how a resumed run continues bit-identically. At the end the final state goes to {@code outputs/head.ckpt}
 * with {@code model.json} beside it; checkpoints of either placement load in the other.
 *
 * <p>A step whose loss or parameters are not finite stops the run with an error naming the step and phase,
 * before any checkpoint of that state is written (the newest checkpoint stays the last good one).
 *
 * <p>LPIPS: when the lpips-weights file exists it is loaded as {@link LpipsAlex} and the fine phase
 * adds lpips-weight x mean LPIPS(rendered patch, target patch) to the loss, its gradient flowing into
 * the rendered colours of the patch rays and on into the NeRF. When the file is missing the stage says
 * so with a warning in the run log and the fine phase trains with MSE on its patches.
 *
 * <p>Lips fine-tune: lips-iters steps after iters, one patch around the frame's lips (landmarks 48-67) per
 * step, LPIPS weighted lips-lpips-weight and lr x 0.05^(k / lips-iters), as the reference's --finetune_lips.
 *
 * <p>The torso is trained afterwards by {@link TorsoTrainStage} (graph-definitions/train-torso.conf);
 * the head is trained over each frame's torso over bc.jpg, so it does not learn the torso.
 */
public final class HeadTrainStage implements Stage {
    static final String CHECKPOINT_SUFFIX = ".ckpt";
    /** GPU memory goes into the metrics every this many steps. */
    private static final int MEMORY_EVERY = 50;
    /** Steps of each phase left out of its steady-state rate, and how often the rate goes to the curves. */
    private static final int STARTUP_STEPS = 100;
    private static final int RATE_EVERY = 500;

    public record Config(
            @Param(doc = "dataset folder (SyncTalk layout)") Path dataset,
            @Param(defaultValue = "sync-talk", doc = "model sizes: sync-talk (the reference's) or tiny (CPU only)")
            ModelPreset preset,
            @Param(defaultValue = "mel", doc = "audio features: mel (log-mel of aud.wav) or ave (aud_ave.npy)")
            AudioFeatureKind audioFeatures,
            @Param(defaultValue = Param.NONE, doc = "AVE audio-net weights (named-tensor file) to start from; ave only")
            Path aveCheckpoint,
            @Param(defaultValue = Param.NONE, doc = "the audio-visual encoder that made aud_ave.npy (ave.stnt from"
                    + " train-ave.conf); checked against it and kept next to the model for head-render; ave only")
            Path aveEncoder,
            @Param(defaultValue = "2000", doc = "steps of the coarse and fine phases (lr decay and loss schedule)", min = 1)
            long iters,
            @Param(defaultValue = "-1", doc = "steps of the coarse phase; the rest are fine; -1 = all coarse")
            long coarseIters,
            @Param(defaultValue = "4096", doc = "rays per step (a fine step takes as many whole patches as fit)",
                    min = 1, max = 1048576)
            int raysPerStep,
            @Param(defaultValue = "1", doc = "side of the fine phase's square patches; 1 = single rays", min = 1, max = 512)
            int patchSize,
            @Param(defaultValue = "1e-3", doc = "AdamW lr of the networks", min = 0) double lr,
            @Param(defaultValue = "1e-2", doc = "AdamW lr of the hash grids", min = 0) double gridLr,
            @Param(defaultValue = "8", doc = "audio frames per attention window") int window,
            @Param(defaultValue = Param.NONE, doc = "AlexNet-LPIPS backbone weights for the fine phase") Path lpipsWeights,
            @Param(defaultValue = "0.1", doc = "weight of LPIPS in the fine phase; 0 = MSE only", min = 0)
            double lpipsWeight,
            @Param(defaultValue = "0", doc = "lips fine-tune steps after iters (must match the schedule's)", min = 0)
            long lipsIters,
            @Param(defaultValue = "0.01", doc = "weight of LPIPS in the lips fine-tune", min = 0) double lipsLpipsWeight,
            @Param(defaultValue = "500", doc = "write a checkpoint every this many steps", min = 1) int checkpointEvery,
            @Param(defaultValue = "3", doc = "checkpoints kept (at least 3: the newest may be ahead of the journals)",
                    min = 3)
            int keepCheckpoints,
            @Param(defaultValue = "100", doc = "a preview render every this many steps; 0 = none", min = 0) int previewEvery,
            @Param(defaultValue = "1", doc = "seed of parameters and the trainer's random numbers") long seed,
            @Param(defaultValue = "0", doc = "CPU threads; 0 = all processors", min = 0, max = 1024) int threads,
            @Param(defaultValue = "\"head.ckpt\"", doc = "final model file, relative to the run's outputs", output = true) Path model) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("head-train", "trains the head NeRF one step per ticket (on the CPU or gpu:N); checkpoints for"
                            + " bit-identical resume",
                    Config.class,
                    List.of(PortSpec.of("tickets", TrainStepTicket.class, "the steps to run (step number, phase)")),
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
        public void verifyCheckpoint(Config config, Path dir, long through) throws IOException {
            Checkpoint.verify(dir.resolve(through + CHECKPOINT_SUFFIX));
        }

        @Override
        public List<String> warnings(Config config) {
            boolean lpipsPhases = config.coarseIters() >= 0 && config.coarseIters() < config.iters()
                    || config.lipsIters() > 0;
            if (lpipsPhases && config.lpipsWeight() > 0 && !lpipsAvailable(config)) {
                return List.of("the LPIPS backbone weights "
                        + (config.lpipsWeights() == null ? "(param lpips-weights) are not set"
                                : config.lpipsWeights().toAbsolutePath().normalize() + " are missing")
                        + "; the fine and lips phases will train with MSE only (see the README on LPIPS weights)");
            }
            return List.of();
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new HeadTrainStage(config, context);
        }
    }

    private static boolean lpipsAvailable(Config config) {
        return config.lpipsWeights() != null && Files.isRegularFile(config.lpipsWeights());
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
    private final HeadTrainingPlan plan;
    private final HeadTraining training;
    private final SyncTalkDataset dataset;
    private final HeadTrainingData data;
    private final LpipsAlex lpips;
    private boolean fineAnnounced;
    private final EnumMap<TrainingPhase, SteadyRate> phaseRates = new EnumMap<>(TrainingPhase.class);
    private TrainingPhase lastPhase;
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
        this.plan = new HeadTrainingPlan(config.iters(), config.coarseIters(), config.lipsIters(), config.raysPerStep(),
                config.patchSize(), config.lpipsWeight(), config.lipsLpipsWeight());
        this.lpips = lpipsAvailable(config) ? LpipsAlex.load(config.lpipsWeights()) : null;
        this.dataset = DatasetReader.read(config.dataset());
        this.data = HeadTrainingDatasets.load(config.dataset(), config.audioFeatures(), config.window(),
                config.lipsIters() > 0);
        this.spec = new HeadModelSpec(config.preset(), config.audioFeatures(), data.frameCount(),
                data.featureShape(), config.window(), config.raysPerStep(), config.iters(), config.seed(),
                config.gridLr(), config.lr());
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
        this.backend = StageBackends.open(context, config.threads());
        HeadTraining opened = null;
        try {
            boolean onDevice = backend instanceof CudaBackend;
            // on a GPU the host trainer only holds the state between the device and the checkpoint files
            HeadTrainer trainer = spec.newTrainer(onDevice ? new CpuBackend(1) : backend);
            if (config.aveCheckpoint() != null) {
                if (config.audioFeatures() != AudioFeatureKind.AVE) {
                    throw new IllegalArgumentException(name + ": ave-checkpoint is given but audio-features is "
                            + config.audioFeatures());
                }
                AveCheckpoint.load(config.aveCheckpoint(), trainer.conditioner().featureNet());
                context.log().info("{}: AVE audio net initialised from {}", name, config.aveCheckpoint());
            }
            if (onDevice) {
                int every = Math.max(1, data.frameCount() / 10);
                context.log().info("{}: uploading {} training frames of {}x{} ({} MiB as bytes) to the GPU", name,
                        data.frameCount(), data.width(), data.height(), data.pixelBytes() >> 20);
                opened = new CudaHeadTrainer(((CudaBackend) backend).device(), trainer, data, plan, lpips, (done, all) -> {
                    if (done % every == 0 || done.equals(all)) {
                        context.log().info("{}: uploaded {}/{} training frames", name, done, all);
                    }
                });
            } else {
                opened = new CpuHeadTraining(trainer, data, plan, lpips);
            }
            this.training = opened;
            context.log().info("{}: training on {}", name, training.description());
            logMemory(-1);
            if (context.restoreFrom().isPresent()) {
                Path file = checkpointFile(context.restoreFrom().getAsLong());
                training.restoreCheckpoint(file);
                context.log().info("{}: resumed from {} (step {})", name, file, training.step());
            }
        } catch (IOException | RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            backend.close();
            throw e;
        }
        context.progress().total(plan.totalSteps(), "steps");
        context.progress().advance(training.step());
    }

    private Path checkpointFile(long step) {
        return context.checkpointDir().resolve(step + CHECKPOINT_SUFFIX);
    }

    /** GPU memory (used and total, GiB) into the metrics and, at start, the log. */
    private void logMemory(long step) {
        if (training.deviceMemoryUsedBytes().isEmpty()) {
            return;
        }
        double used = training.deviceMemoryUsedBytes().getAsLong() / (double) (1L << 30);
        double total = training.deviceMemoryTotalBytes().getAsLong() / (double) (1L << 30);
        if (step < 0) {
            context.log().info("head-train '{}': GPU memory {} GiB used of {} GiB", context.stageName(),
                    String.format(Locale.ROOT, "%.2f", used), String.format(Locale.ROOT, "%.2f", total));
        } else {
            context.curve("gpu_memory_used_gib", step, used);
            context.curve("gpu_memory_total_gib", step, total);
        }
    }

    /**
     * Steps per second of each phase in steady state (its first {@link #STARTUP_STEPS} steps, which hold
     * kernel loading and first allocations, left out): logged when the phase ends and as a curve.
     */
    private SteadyRate phaseRate(TrainingPhase phase) {
        return phaseRates.computeIfAbsent(phase, p -> new SteadyRate(STARTUP_STEPS, System::nanoTime));
    }

    private void logPhaseRate(TrainingPhase phase) {
        SteadyRate rate = phaseRates.get(phase);
        if (rate != null) {
            context.log().info("head-train '{}': {} phase on {}: {}", context.stageName(),
                    phase.name().toLowerCase(Locale.ROOT), training.description(), rate.summary("steps"));
        }
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        long started = System.nanoTime();
        TrainStepTicket ticket = (TrainStepTicket) in.only();
        long step = ticket.frameIndex();
        if (step != training.step()) {
            throw new IllegalStateException("head-train '" + context.stageName() + "': step " + step
                    + " arrived but the trainer has done " + training.step() + " steps");
        }
        TrainingPhase phase = plan.phase(step);
        if (ticket.phase() != phase) {
            throw new IllegalArgumentException("head-train '" + context.stageName() + "': the schedule puts step " + step
                    + " in the " + ticket.phase() + " phase but this stage's iters / coarse-iters / lips-iters put it in"
                    + " the " + phase + " phase; give both stages the same values");
        }
        if (lastPhase != null && lastPhase != phase) {
            logPhaseRate(lastPhase);
        }
        lastPhase = phase;
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
        TrainStepResult result = training.trainStep();
        double lrFactor = plan.learningRateFactor(step);
        out.emit("steps", new TrainStepReport(step, phase, result.loss(), result.mse(), result.psnr(),
                result.samples(), lrFactor, result.imageLoss()));
        context.curve("loss", step, result.loss());
        context.curve("psnr", step, result.psnr());
        context.progress().advance(1);
        if (step % MEMORY_EVERY == 0) {
            logMemory(step);
        }
        if ((step + 1) % config.checkpointEvery() == 0) {
            writeCheckpoint(step);
        }
        if (config.previewEvery() > 0 && (step + 1) % config.previewEvery() == 0) {
            context.preview("head", ImageFiles.encode(renderPreview(), "png"));
        }
        SteadyRate rate = phaseRate(phase);
        rate.completed(1);
        rate.busy(System.nanoTime() - started);
        if (rate.steadyUnits() > 0 && rate.steadyUnits() % RATE_EVERY == 0) {
            context.curve("steps_per_s", step, rate.perSecond());
        }
    }

    private void announceFinePhase() {
        if (config.lpipsWeight() <= 0 || config.patchSize() <= 1) {
            context.log().info("head-train '{}': fine phase from step {} with MSE on {} (lpips-weight {}, patch-size {})",
                    context.stageName(), config.coarseIters(), config.patchSize() > 1 ? "patches" : "rays",
                    config.lpipsWeight(), config.patchSize());
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
        training.writeCheckpoint(checkpointFile(step));
        List<Long> all = listCheckpoints(context.checkpointDir());
        for (int i = 0; i < all.size() - config.keepCheckpoints(); i++) {
            Files.deleteIfExists(checkpointFile(all.get(i)));
        }
    }

    /** The first training frame rendered over the background, as the dashboard's preview. */
    private FloatImage renderPreview() throws IOException {
        var f = dataset.train().get(0);
        var camera = TrainingSet.camera(dataset);
        FrameConditioning trainConditioning = data.conditioning(0);
        FrameConditioning conditioning = new FrameConditioning(trainConditioning.audioWindow(),
                trainConditioning.expression(), 0);
        float[] background = TrainingSet.background(dataset);
        Renderer.Frame frame = training.renderer().render(camera,
                Tensor.wrap(NerfPoses.toTrainer(f.transformMatrix()), 4, 4), conditioning,
                Tensor.wrap(background, camera.width() * camera.height(), 3));
        float[] rgb = frame.image().data().clone();
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = Math.min(1f, Math.max(0f, rgb[i]));
        }
        return new FloatImage(camera.width(), camera.height(), 3, rgb);
    }

    @Override
    public void finish(Emitter out) throws IOException {
        if (lastPhase != null) {
            logPhaseRate(lastPhase);
        }
        Path modelFile = context.output(config.model());
        Files.createDirectories(modelFile.toAbsolutePath().getParent());
        training.writeCheckpoint(modelFile);
        spec.write(modelFile.resolveSibling(HeadModelSpec.FILE_NAME));
        if (config.aveEncoder() != null) {
            // the encoder travels with the model: head-render runs it on new speech
            dev.synctalk.output.AtomicFiles.write(modelFile.resolveSibling(dev.synctalk.sync.HeadAve.ENCODER_FILE),
                    Files.readAllBytes(config.aveEncoder()));
        }
        context.log().info("head-train '{}': {} steps done, model written to {}", context.stageName(), training.step(),
                modelFile);
    }

    @Override
    public void close() {
        training.close();
        backend.close();
    }
}
