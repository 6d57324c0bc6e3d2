package dev.synctalk.sync;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.facesync.AveTrainer;
import dev.synctalk.facesync.FaceSyncBatches;
import dev.synctalk.facesync.FaceSyncSampling;
import dev.synctalk.facesync.FaceSyncSizes;
import dev.synctalk.facesync.LinearProbe;
import dev.synctalk.facesync.SyncClip;
import dev.synctalk.facesync.SyncExpert;
import dev.synctalk.nerf.audio.AudioVisualEncoder;
import dev.synctalk.output.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Pretrains the audio-visual encoder (the Face-Sync Controller's AVE: the reference's 13-block conv stack,
 * 16c features per frame) with a face encoder and decoder under the frozen lip-sync expert, one
 * {@link SyncSamples} batch of five-frame windows per step: L1 reconstruction of the lower face from
 * Conv(A) + Conv(F) (paper Eq. 3) plus sync-weight x the expert's sync loss (Eq. 2) on the generated
 * windows ({@link AveTrainer}). The crop size is the expert's. cuDNN on {@code gpu:N}, the CPU reference
 * ops otherwise; checkpoints as sync-expert-train's (bit-identical resume on the CPU); the checkpoint
 * remembers the expert, so a resume under another expert is refused.
 *
 * <p>At the end: {@code ave.stnt} (what head-train and head-render take as {@code ave-encoder}),
 * {@code aud_ave.npy} written into every training clip that is a SyncTalk dataset (unless
 * {@code dataset-features = false}), and {@code ave-report.json}: per clip, on its held-out frames, the
 * reconstruction loss, the expert's mean P_sync of the generated windows, and how well a linear probe on
 * the AVE features predicts the landmarks' mouth opening, next to the same probe on the raw mel windows.
 */
public final class AveTrainStage implements Stage {

    public record Config(
            @Param(doc = "clip folders, or folders of them (the sampler's)") List<Path> clips,
            @Param(defaultValue = "0.0909090909", doc = "fraction of each clip held out at its end (the sampler's)")
            double holdout,
            @Param(doc = "the trained lip-sync expert (sync_expert.stnt from train-sync-expert.conf)") Path expert,
            @Param(defaultValue = "8", doc = "base channels c of the AVE (16c features; the reference's is 32)", min = 1, max = 1024)
            int channels,
            @Param(defaultValue = "3e-4", doc = "Adam learning rate", min = 0) double lr,
            @Param(defaultValue = "0.03", doc = "weight of the expert's sync loss (Eq. 2) against the L1 (Eq. 3)", min = 0)
            double syncWeight,
            @Param(defaultValue = "2000", doc = "planned steps", min = 1) long iters,
            @Param(defaultValue = "500", doc = "write a checkpoint every this many steps", min = 1) int checkpointEvery,
            @Param(defaultValue = "3", doc = "checkpoints kept (at least 3: the newest may be ahead of the journals)", min = 3)
            int keepCheckpoints,
            @Param(defaultValue = "1", doc = "seed of the initial weights") long seed,
            @Param(defaultValue = "0", doc = "CPU threads; 0 = all processors", min = 0, max = 1024) int threads,
            @Param(defaultValue = "true", doc = "write aud_ave.npy into the training clips that are SyncTalk datasets")
            boolean datasetFeatures,
            @Param(defaultValue = "20", doc = "clips evaluated on their held-out frames at the end (the first ones)", min = 0)
            int reportClips,
            @Param(defaultValue = "\"ave.stnt\"", doc = "the trained AVE, relative to the run's outputs", output = true) Path model,
            @Param(defaultValue = "\"ave-report.json\"", doc = "held-out evaluation, relative to the run's outputs", output = true)
            Path report) {
    }

    public static final class Type extends SyncTrainerType<Config> {
        public Type() {
            super("ave-train", "pretrains the audio-visual encoder (reconstruction + sync loss under the frozen expert;"
                    + " cuDNN on a GPU); writes ave.stnt and aud_ave.npy", Config.class, "losses of each step");
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new AveTrainStage(config, context);
        }
    }

    /** Frames per batch of the held-out evaluation. */
    private static final int EVAL_WINDOWS = 8;
    private static final double PROBE_RIDGE = 1.0;

    private final Config config;
    private final StageContext context;
    private final String name;
    private final FaceSyncCompute compute;
    private final SyncExpert expert;
    private final AveTrainer trainer;
    private final List<SyncClips.ClipFolder> folders;
    private final List<SyncClip> clips;

    private AveTrainStage(Config config, StageContext context) throws IOException {
        this.name = "ave-train '" + context.stageName() + "'";
        SyncCheckpoints.requireSchedule(name, config.checkpointEvery(), config.keepCheckpoints());
        this.config = config;
        this.context = context;
        this.compute = FaceSyncCompute.open(context, config.threads());
        try {
            this.expert = SyncExpert.load(compute.ops(), config.expert(), false);
            FaceSyncSizes sizes = SyncExpertTrainStage.sizes(name, config.channels(), expert.sizes().cropHeight());
            this.folders = SyncClips.discover(config.clips(), config.holdout(),
                    skipped -> SyncExpertTrainStage.skippedClip(context, name, skipped));
            this.clips = SyncExpertTrainStage.loadClips(context, name, folders, sizes);
            this.trainer = new AveTrainer(compute.ops(), new AveTrainer.Settings(sizes, config.lr(), config.syncWeight(),
                    config.seed()), expert);
            if (context.restoreFrom().isPresent()) {
                Path file = SyncCheckpoints.file(context.checkpointDir(), context.restoreFrom().getAsLong());
                trainer.restoreCheckpoint(file);
                context.log().info("{}: resumed from {} (step {})", name, file, trainer.step());
            }
            context.log().info("{}: AVE of {} ({} values in AVE, face encoder and decoder) under the expert {} on {}",
                    name, sizes, trainer.model().params().parameterCount(), config.expert(), compute.ops().name());
        } catch (IOException | RuntimeException e) {
            compute.close();
            throw e;
        }
        context.progress().total(config.iters(), "steps");
        context.progress().advance(trainer.step());
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        SyncSamples samples = (SyncSamples) in.only();
        if (samples.frameIndex() != trainer.step()) {
            throw new IllegalStateException(name + ": samples of step " + samples.frameIndex() + " arrived but the"
                    + " trainer has done " + trainer.step() + " steps");
        }
        if (samples.ave().isEmpty()) {
            throw new IllegalArgumentException(name + ": step " + samples.frameIndex() + " carries expert samples; set"
                    + " the sampler's mode to ave");
        }
        long step = samples.frameIndex();
        AveTrainer.StepResult r = trainer.step(FaceSyncBatches.ave(clips, samples.ave()));
        out.emit("steps", new SyncStepReport(step, SyncStepReport.Kind.AVE, r.loss(), Double.NaN,
                r.meanSyncProbability(), Double.NaN, r.reconstruction(), r.sync()));
        context.curve("ave-loss", step, r.loss());
        context.curve("ave-reconstruction", step, r.reconstruction());
        context.curve("ave-sync", step, r.sync());
        context.progress().advance(1);
        SyncCheckpoints.afterStep(context.checkpointDir(), step, config.checkpointEvery(), config.keepCheckpoints(),
                trainer::writeCheckpoint);
    }

    @Override
    public void finish(Emitter out) throws IOException {
        Path model = context.output(config.model());
        trainer.model().save(model);
        context.log().info("{}: {} steps done, AVE written to {}", name, trainer.step(), model);
        AudioVisualEncoder encoder = trainer.model().toEncoder();
        StringBuilder json = new StringBuilder("{\n  \"format\": \"synctalk-ave-report\",\n  \"steps\": ")
                .append(trainer.step()).append(",\n  \"features\": ").append(encoder.featureDim())
                .append(",\n  \"expert\": ").append(SyncReports.quote(config.expert().toString()))
                .append(",\n  \"clips\": [");
        int evaluated = Math.min(clips.size(), Math.max(0, config.reportClips()));
        for (int k = 0; k < evaluated; k++) {
            json.append(k == 0 ? "\n" : ",\n").append("    ").append(heldOut(k, encoder));
        }
        json.append("\n  ]\n}\n");
        AtomicFiles.write(context.output(config.report()), json.toString().getBytes(StandardCharsets.UTF_8));
        if (config.datasetFeatures()) {
            for (SyncClips.ClipFolder folder : folders) {
                if (AveFeatures.isDataset(folder.folder())) {
                    int rows = AveFeatures.writeForDataset(folder.folder(), encoder, compute);
                    context.log().info("{}: {} rows of AVE features written to {}", name, rows,
                            folder.folder().resolve(dev.synctalk.training.DatasetAudioFeatures.AVE_FILE));
                }
            }
        }
    }

    /** The held-out evaluation of clip k as a JSON object. */
    private String heldOut(int k, AudioVisualEncoder encoder) throws IOException {
        SyncClip clip = clips.get(k);
        int train = clip.trainFrames();
        int heldOut = clip.frames() - train;
        String head = "{\"clip\": " + SyncReports.quote(clip.name()) + ", \"frames\": " + clip.frames()
                + ", \"held_out_frames\": " + heldOut;
        if (heldOut < FaceSyncSizes.WINDOW_FRAMES || train < FaceSyncSampling.MIN_TRAIN_FRAMES) {
            return head + ", \"note\": \"too few held-out or training frames: not evaluated\"}";
        }
        // held-out windows, each frame with a reference from the training part (a fixed spread of frames)
        double reconstruction = 0;
        double pSync = 0;
        int batches = 0;
        List<FaceSyncSampling.AveSample> window = new ArrayList<>();
        for (int t = train; t + FaceSyncSizes.WINDOW_FRAMES <= clip.frames(); t += FaceSyncSizes.WINDOW_FRAMES) {
            int[] references = new int[FaceSyncSizes.WINDOW_FRAMES];
            for (int j = 0; j < references.length; j++) {
                references[j] = (int) ((37L * (t + j)) % train);
            }
            window.add(new FaceSyncSampling.AveSample(k, t, references));
            if (window.size() == EVAL_WINDOWS || t + 2 * FaceSyncSizes.WINDOW_FRAMES > clip.frames()) {
                AveTrainer.StepResult r = trainer.evaluate(FaceSyncBatches.ave(clips, window));
                reconstruction += r.reconstruction();
                pSync += r.meanSyncProbability();
                batches++;
                window.clear();
            }
        }
        float[] ave = compute.encode(encoder, clip.melWindows(0, clip.frames()), clip.frames());
        float[] mel = clip.melWindows(0, clip.frames());
        double[] opening = SyncClips.mouthOpenings(folders.get(k));
        double aveProbe = probe(ave, encoder.featureDim(), opening, train);
        double melProbe = probe(mel, AudioVisualEncoder.MEL_BANDS * AudioVisualEncoder.WINDOW_FRAMES, opening, train);
        context.log().info("{}: held-out frames of {}: L1 {}, expert P_sync of the reconstructions {}, mouth-opening"
                        + " probe r = {} from AVE features, {} from mel windows", name, clip.name(),
                SyncReports.number(reconstruction / batches), SyncReports.number(pSync / batches),
                SyncReports.number(aveProbe), SyncReports.number(melProbe));
        return head + ", \"reconstruction_l1\": " + SyncReports.number(reconstruction / batches)
                + ", \"expert_p_sync\": " + SyncReports.number(pSync / batches)
                + ", \"mouth_opening_probe_r_ave\": " + SyncReports.number(aveProbe)
                + ", \"mouth_opening_probe_r_mel\": " + SyncReports.number(melProbe) + "}";
    }

    /** Held-out correlation of a ridge probe from per-frame features [frames * dim] to the mouth opening. */
    static double probe(float[] features, int dim, double[] opening, int train) {
        int frames = opening.length;
        float[][] fit = new float[train][];
        float[][] test = new float[frames - train][];
        for (int i = 0; i < frames; i++) {
            float[] row = java.util.Arrays.copyOfRange(features, i * dim, (i + 1) * dim);
            if (i < train) {
                fit[i] = row;
            } else {
                test[i - train] = row;
            }
        }
        return LinearProbe.heldOutCorrelation(fit, java.util.Arrays.copyOf(opening, train), test,
                java.util.Arrays.copyOfRange(opening, train, frames), PROBE_RIDGE);
    }

    @Override
    public void close() {
        trainer.close();
        expert.close();
        compute.close();
    }
}
