package dev.synctalk.sync;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.facesync.FaceSyncBatches;
import dev.synctalk.facesync.FaceSyncSizes;
import dev.synctalk.facesync.SyncClip;
import dev.synctalk.facesync.SyncExpertTrainer;
import dev.synctalk.facesync.SyncScoring;
import dev.synctalk.output.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains the lip-sync expert (a SyncNet-style discriminator: five lower-face crops against their 0.2 s
 * mel window, cosine similarity and BCE, paper Eq. 1-2) one {@link SyncSamples} batch per step; its actor
 * owns the {@link SyncExpertTrainer} and the clips. Placed on {@code gpu:N} the networks run on cuDNN,
 * otherwise on the CPU reference ops (bit-reproducible). Every checkpoint-every steps the whole training
 * state goes atomically to {@code checkpoints/<stage>/<step>.ckpt} (a named tensor file), which is how a
 * resumed run continues bit-identically on the CPU.
 *
 * <p>At the end: the expert ({@code sync_expert.stnt}, what ave-train and the sync-confidence API load)
 * and a report ({@code sync-expert-report.json}): per clip, on its held-out frames, the in-sync and
 * off-sync accuracy and the audio offset the expert finds with its confidence ({@link SyncScoring}).
 */
public final class SyncExpertTrainStage implements Stage {

    public record Config(
            @Param(doc = "clip folders, or folders of them (the sampler's)") List<Path> clips,
            @Param(defaultValue = "0.0909090909", doc = "fraction of each clip held out at its end (the sampler's)")
            double holdout,
            @Param(defaultValue = "8", doc = "base channels c (16c features; the reference size is 32)", min = 1, max = 1024) int channels,
            @Param(defaultValue = "24", doc = "lower-face crop height H (width 2H): 24, 48 (the reference) or 96", min = 8, max = 512)
            int cropHeight,
            @Param(defaultValue = "3e-4", doc = "Adam learning rate", min = 0) double lr,
            @Param(defaultValue = "2000", doc = "planned steps", min = 1) long iters,
            @Param(defaultValue = "500", doc = "write a checkpoint every this many steps", min = 1) int checkpointEvery,
            @Param(defaultValue = "3", doc = "checkpoints kept (at least 3: the newest may be ahead of the journals)", min = 3)
            int keepCheckpoints,
            @Param(defaultValue = "15", doc = "largest audio offset (frames) the held-out evaluation tries", min = 1) int maxOffset,
            @Param(defaultValue = "20", doc = "clips evaluated on their held-out frames at the end (the first ones)", min = 0)
            int reportClips,
            @Param(defaultValue = "1", doc = "seed of the initial weights") long seed,
            @Param(defaultValue = "0", doc = "CPU threads; 0 = all processors", min = 0, max = 1024) int threads,
            @Param(defaultValue = "\"sync_expert.stnt\"", doc = "the trained expert, relative to the run's outputs", output = true)
            Path model,
            @Param(defaultValue = "\"sync-expert-report.json\"", doc = "held-out evaluation, relative to the outputs", output = true)
            Path report) {
    }

    public static final class Type extends SyncTrainerType<Config> {
        public Type() {
            super("sync-expert-train", "trains the lip-sync expert one batch per step (cuDNN on a GPU); checkpoints for"
                    + " bit-identical resume; held-out sync accuracy and offset at the end", Config.class,
                    "loss and accuracy of each step");
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new SyncExpertTrainStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final String name;
    private final List<SyncClip> clips;
    private final FaceSyncCompute compute;
    private final SyncExpertTrainer trainer;

    private SyncExpertTrainStage(Config config, StageContext context) throws IOException {
        this.name = "sync-expert-train '" + context.stageName() + "'";
        SyncCheckpoints.requireSchedule(name, config.checkpointEvery(), config.keepCheckpoints());
        this.config = config;
        this.context = context;
        FaceSyncSizes sizes = sizes(name, config.channels(), config.cropHeight());
        this.clips = loadClips(context, name, SyncClips.discover(config.clips(), config.holdout(),
                skipped -> skippedClip(context, name, skipped)), sizes);
        this.compute = FaceSyncCompute.open(context, config.threads());
        try {
            this.trainer = new SyncExpertTrainer(compute.ops(), new SyncExpertTrainer.Settings(sizes, config.lr(),
                    config.seed()));
            if (context.restoreFrom().isPresent()) {
                Path file = SyncCheckpoints.file(context.checkpointDir(), context.restoreFrom().getAsLong());
                trainer.restoreCheckpoint(file);
                context.log().info("{}: resumed from {} (step {})", name, file, trainer.step());
            }
        } catch (IOException | RuntimeException e) {
            compute.close();
            throw e;
        }
        context.log().info("{}: expert of {} ({} tensors, {} values) on {}", name, sizes,
                trainer.expert().params().params().size(), trainer.expert().params().parameterCount(),
                compute.ops().name());
        context.progress().total(config.iters(), "steps");
        context.progress().advance(trainer.step());
    }

    static FaceSyncSizes sizes(String name, int channels, int cropHeight) {
        try {
            return new FaceSyncSizes(channels, cropHeight, 2 * cropHeight);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    static void skippedClip(StageContext context, String name, SyncClips.ClipFolder clip) {
        context.log().warn("{}: {} skipped: {} training frames, fewer than {}", name, clip.name(), clip.trainFrames(),
                dev.synctalk.facesync.FaceSyncSampling.MIN_TRAIN_FRAMES);
    }

    /** The clips found, cropped at {@code sizes}, with a log line each. */
    static List<SyncClip> loadClips(StageContext context, String name, List<SyncClips.ClipFolder> found,
                                    FaceSyncSizes sizes) throws IOException {
        List<SyncClip> out = new ArrayList<>();
        for (SyncClips.ClipFolder clip : found) {
            out.add(SyncClips.load(clip, sizes.cropHeight(), sizes.cropWidth(), i -> { }));
            context.log().info("{}: {} ({} frames, {} held out)", name, clip.name(), clip.frames(),
                    clip.frames() - clip.trainFrames());
        }
        return out;
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        SyncSamples samples = (SyncSamples) in.only();
        if (samples.frameIndex() != trainer.step()) {
            throw new IllegalStateException(name + ": samples of step " + samples.frameIndex() + " arrived but the"
                    + " trainer has done " + trainer.step() + " steps");
        }
        if (samples.expert().isEmpty()) {
            throw new IllegalArgumentException(name + ": step " + samples.frameIndex() + " carries AVE samples; set the"
                    + " sampler's mode to expert");
        }
        long step = samples.frameIndex();
        SyncExpertTrainer.StepResult r = trainer.step(FaceSyncBatches.expert(clips, samples.expert()));
        out.emit("steps", new SyncStepReport(step, SyncStepReport.Kind.EXPERT, r.loss(), r.accuracy(), r.meanInSync(),
                r.meanOffSync(), Double.NaN, Double.NaN));
        context.curve("expert-loss", step, r.loss());
        context.curve("expert-accuracy", step, r.accuracy());
        context.progress().advance(1);
        SyncCheckpoints.afterStep(context.checkpointDir(), step, config.checkpointEvery(), config.keepCheckpoints(),
                trainer::writeCheckpoint);
    }

    @Override
    public void finish(Emitter out) throws IOException {
        Path model = context.output(config.model());
        trainer.expert().save(model);
        context.log().info("{}: {} steps done, expert written to {}", name, trainer.step(), model);
        StringBuilder json = new StringBuilder("{\n  \"format\": \"synctalk-sync-expert-report\",\n");
        json.append("  \"label\": \"lip-sync expert trained on these clips, not SyncNet\",\n");
        json.append("  \"steps\": ").append(trainer.step()).append(",\n");
        json.append("  \"sizes\": {\"channels\": ").append(trainer.expert().sizes().channels()).append(", \"crop\": [")
                .append(trainer.expert().sizes().cropHeight()).append(", ").append(trainer.expert().sizes().cropWidth())
                .append("]},\n  \"max_offset\": ").append(config.maxOffset()).append(",\n  \"clips\": [");
        int evaluated = Math.min(clips.size(), Math.max(0, config.reportClips()));
        for (int k = 0; k < evaluated; k++) {
            SyncClip clip = clips.get(k);
            json.append(k == 0 ? "\n" : ",\n").append("    ").append(SyncReports.heldOut(trainer.expert(), clip,
                    config.maxOffset(), context, name));
        }
        if (evaluated < clips.size()) {
            context.log().info("{}: {} of {} clips evaluated (report-clips)", name, evaluated, clips.size());
        }
        json.append("\n  ]\n}\n");
        AtomicFiles.write(context.output(config.report()), json.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        trainer.close();
        compute.close();
    }
}
