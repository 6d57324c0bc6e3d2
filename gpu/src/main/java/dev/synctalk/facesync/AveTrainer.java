package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.ConvBuffer;
import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.audio.AudioVisualEncoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Pretrains the audio-visual encoder ({@link AveModel}) one batch of five-frame windows per step, as the
 * paper's Face-Sync Controller does: each frame's mel window goes through the AVE, the decoder rebuilds
 * the frame's lower face from Conv(A) + Conv(F) ({@link FaceSyncGenerator}), and the loss is
 * <pre>  L = L_recon (Eq. 3, {@link ReconstructionLoss}) + syncWeight x L_sync (Eq. 2 with y = 1)</pre>
 * where L_sync is the frozen lip-sync expert's verdict on the five generated crops against the window's
 * audio: its gradient flows through the expert's face tower (no expert tensor changes) into the decoder
 * and the AVE. Adam as {@link SyncExpertTrainer}'s (Wav2Lip's generator: lr 1e-4).
 *
 * <p>The checkpoint records a CRC-32 of the expert's tensors, so a resumed run refuses another expert.
 */
public final class AveTrainer implements AutoCloseable {
    static final String EXPERT_CRC = "trainer.expert_crc32";

    /** @param syncWeight weight of the expert's sync loss against the reconstruction (Wav2Lip: 0.03) */
    public record Settings(FaceSyncSizes sizes, double learningRate, double syncWeight, long seed) {
        public Settings {
            if (!(syncWeight >= 0)) {
                throw new IllegalArgumentException("sync weight must be >= 0, got " + syncWeight);
            }
        }
    }

    /**
     * @param loss                 the optimised total
     * @param reconstruction       Eq. 3 over the batch
     * @param sync                 Eq. 2 of the generated windows (y = 1)
     * @param meanSyncProbability  mean P_sync the expert gives the generated windows
     */
    public record StepResult(long step, double loss, double reconstruction, double sync, double meanSyncProbability) {
    }

    private final ConvOps ops;
    private final Settings settings;
    private final AveModel model;
    private final SyncExpert expert;
    private final long expertCrc;
    private final ConvAdam adam;

    /** @param expert the frozen expert (loaded untrained; not closed by this trainer) */
    public AveTrainer(ConvOps ops, Settings settings, SyncExpert expert) {
        if (expert.params().trained()) {
            throw new IllegalArgumentException("the lip-sync expert must be frozen while the AVE trains");
        }
        if (expert.sizes().cropHeight() != settings.sizes().cropHeight()) {
            throw new IllegalArgumentException("the lip-sync expert judges " + expert.sizes().cropHeight() + "x"
                    + expert.sizes().cropWidth() + " crops but the AVE is set to train on " + settings.sizes().cropHeight()
                    + "x" + settings.sizes().cropWidth() + "; use the expert's crop size");
        }
        this.ops = ops;
        this.settings = settings;
        this.model = AveModel.create(ops, settings.sizes(), settings.seed());
        this.expert = expert;
        this.expertCrc = fingerprint(expert.stateDict());
        this.adam = new ConvAdam(ops, model.params().trainable(),
                new AdamWConfig(settings.learningRate(), 0.9, 0.999, 1e-8, 0));
    }

    /** CRC-32 of every tensor's name and float bits, in order. */
    static long fingerprint(Map<String, Tensor> tensors) {
        CRC32 crc = new CRC32();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            crc.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * e.getValue().size())
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(e.getValue().data());
            crc.update(bytes.array());
        }
        return crc.getValue();
    }

    public AveModel model() {
        return model;
    }

    public long step() {
        return adam.steps();
    }

    /** One training step: forward, Eq. 3 + weighted Eq. 2, backward, Adam. */
    public StepResult step(FaceSyncBatches.AveBatch batch) {
        return run(batch, true);
    }

    /** The same losses on a batch without training (held-out evaluation); the step count stays. */
    public StepResult evaluate(FaceSyncBatches.AveBatch batch) {
        return run(batch, false);
    }

    private StepResult run(FaceSyncBatches.AveBatch batch, boolean train) {
        FaceSyncSizes sizes = settings.sizes();
        int n = batch.frames();
        int windows = batch.size();
        int h = sizes.cropHeight();
        int w = sizes.cropWidth();
        int dim = expert.embeddingDim();
        model.params().zeroGrad();
        double reconstruction;
        SyncLoss.Result sync;
        try (Tape tape = new Tape(ops); ConvBuffer mels = ops.upload(batch.mels());
             ConvBuffer faceInputs = ops.upload(batch.faceInputs()); ConvBuffer expertMels = ops.upload(batch.expertMels())) {
            Tape.Node audio = model.encoder().forward(tape, tape.input(mels, n, 1, AudioVisualEncoder.MEL_BANDS,
                    AudioVisualEncoder.WINDOW_FRAMES, false));
            Tape.Node image = model.generator().forward(tape,
                    tape.input(faceInputs, n, FaceSyncGenerator.INPUT_CHANNELS, h, w, false), audio);
            Tape.Node face = expert.embedFaces(tape, tape.view(image, windows, 3 * FaceSyncSizes.WINDOW_FRAMES, h, w));
            Tape.Node heard = expert.embedAudio(tape, tape.input(expertMels, windows, 1, AudioVisualEncoder.MEL_BANDS,
                    AudioVisualEncoder.WINDOW_FRAMES, false));
            float[] generated = new float[n * sizes.cropFloats()];
            ops.download(image.value(), generated);
            float[] gradImage = new float[generated.length];
            reconstruction = ReconstructionLoss.l1(generated, batch.targets(), generated.length, train ? gradImage : null,
                    1.0);
            float[] fe = new float[windows * dim];
            float[] ae = new float[windows * dim];
            ops.download(face.value(), fe);
            ops.download(heard.value(), ae);
            float[] ones = new float[windows];
            java.util.Arrays.fill(ones, 1f);
            sync = SyncLoss.evaluate(fe, ae, ones, windows, dim, train && settings.syncWeight() > 0);
            if (!train) {
                return new StepResult(adam.steps(), reconstruction + settings.syncWeight() * sync.loss(), reconstruction,
                        sync.loss(), mean(sync.probability()));
            }
            Map<Tape.Node, ConvBuffer> seeds = new IdentityHashMap<>();
            try (ConvBuffer gi = ops.upload(gradImage);
                 ConvBuffer gf = settings.syncWeight() > 0 ? ops.upload(scaled(sync.gradFace(), settings.syncWeight())) : null) {
                seeds.put(image, gi);
                if (gf != null) {
                    seeds.put(face, gf);
                }
                tape.backward(seeds);
            }
        }
        adam.step(1.0);
        return new StepResult(adam.steps() - 1, reconstruction + settings.syncWeight() * sync.loss(), reconstruction,
                sync.loss(), mean(sync.probability()));
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static float[] scaled(float[] values, double scale) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) (values[i] * scale);
        }
        return out;
    }

    public void writeCheckpoint(Path file) throws IOException {
        TrainerCheckpoint.write(file, model.stateDict(), adam, Map.of(EXPERT_CRC, StepCount.encode(expertCrc)));
    }

    /** Restores a checkpoint written with the same sizes and the same expert; nothing changes unless all fits. */
    public void restoreCheckpoint(Path file) throws IOException {
        String what = "AVE training checkpoint";
        String source = what + " " + file;
        Map<String, Tensor> tensors = TrainerCheckpoint.read(file, what, AveModel.KIND, settings.sizes());
        long crc = StepCount.decode(tensors.get(EXPERT_CRC), EXPERT_CRC, source);
        if (crc != expertCrc) {
            throw new IllegalArgumentException(source + " was trained under another lip-sync expert (tensor '"
                    + EXPERT_CRC + "' is " + Long.toHexString(crc) + ", this expert's is " + Long.toHexString(expertCrc)
                    + ")");
        }
        TrainerCheckpoint.restore(tensors, source, model.params(), adam);
    }

    @Override
    public void close() {
        adam.close();
        model.close();
    }
}
