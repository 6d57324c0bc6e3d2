package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.ConvBuffer;
import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.nerf.audio.AudioVisualEncoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Trains the lip-sync expert ({@link SyncExpert}) one batch per step: both towers forward on the device,
 * Eq. 1-2 ({@link SyncLoss}) on the host over the embeddings, their gradients back through both towers,
 * then Adam (betas 0.9 / 0.999, eps 1e-8, no weight decay, a constant learning rate: Wav2Lip's expert).
 * Checkpoints ({@link TrainerCheckpoint}) hold the whole state.
 */
public final class SyncExpertTrainer implements AutoCloseable {

    /** @param learningRate Adam's learning rate (Wav2Lip's expert: 1e-4) */
    public record Settings(FaceSyncSizes sizes, double learningRate, long seed) {
    }

    /**
     * @param loss        Eq. 2 over the batch
     * @param accuracy    fraction of pairs with P_sync on the right side of 0.5
     * @param meanInSync  mean P_sync of the in-sync pairs
     * @param meanOffSync mean P_sync of the off-sync pairs
     */
    public record StepResult(long step, double loss, double accuracy, double meanInSync, double meanOffSync) {
    }

    private final ConvOps ops;
    private final SyncExpert expert;
    private final ConvAdam adam;

    public SyncExpertTrainer(ConvOps ops, Settings settings) {
        this.ops = ops;
        this.expert = SyncExpert.create(ops, settings.sizes(), settings.seed(), true);
        this.adam = new ConvAdam(ops, expert.params().trainable(),
                new AdamWConfig(settings.learningRate(), 0.9, 0.999, 1e-8, 0));
    }

    public SyncExpert expert() {
        return expert;
    }

    /** Steps done. */
    public long step() {
        return adam.steps();
    }

    public StepResult step(FaceSyncBatches.ExpertBatch batch) {
        FaceSyncSizes sizes = expert.sizes();
        int n = batch.size();
        int dim = expert.embeddingDim();
        expert.params().zeroGrad();
        SyncLoss.Result loss;
        try (Tape tape = new Tape(ops); ConvBuffer faces = ops.upload(batch.faces());
             ConvBuffer mels = ops.upload(batch.mels())) {
            Tape.Node f = expert.embedFaces(tape, tape.input(faces, n, 3 * FaceSyncSizes.WINDOW_FRAMES,
                    sizes.cropHeight(), sizes.cropWidth(), false));
            Tape.Node a = expert.embedAudio(tape, tape.input(mels, n, 1, AudioVisualEncoder.MEL_BANDS,
                    AudioVisualEncoder.WINDOW_FRAMES, false));
            float[] fe = new float[n * dim];
            float[] ae = new float[n * dim];
            ops.download(f.value(), fe);
            ops.download(a.value(), ae);
            loss = SyncLoss.evaluate(fe, ae, batch.labels(), n, dim, true);
            try (ConvBuffer gf = ops.upload(loss.gradFace()); ConvBuffer ga = ops.upload(loss.gradAudio())) {
                Map<Tape.Node, ConvBuffer> seeds = new IdentityHashMap<>();
                seeds.put(f, gf);
                seeds.put(a, ga);
                tape.backward(seeds);
            }
        }
        adam.step(1.0);
        double in = 0;
        double off = 0;
        int inCount = 0;
        for (int i = 0; i < n; i++) {
            if (batch.labels()[i] > 0.5f) {
                in += loss.probability()[i];
                inCount++;
            } else {
                off += loss.probability()[i];
            }
        }
        return new StepResult(adam.steps() - 1, loss.loss(), loss.accuracy(batch.labels()),
                inCount == 0 ? Double.NaN : in / inCount, inCount == n ? Double.NaN : off / (n - inCount));
    }

    /** Writes the whole training state (atomically). */
    public void writeCheckpoint(Path file) throws IOException {
        TrainerCheckpoint.write(file, expert.stateDict(), adam, Map.of());
    }

    /** Restores a checkpoint of a trainer with the same sizes; nothing changes unless every tensor fits. */
    public void restoreCheckpoint(Path file) throws IOException {
        String what = "lip-sync expert training checkpoint";
        TrainerCheckpoint.restore(TrainerCheckpoint.read(file, what, SyncExpert.KIND, expert.sizes()), what + " " + file,
                expert.params(), adam);
    }

    @Override
    public void close() {
        adam.close();
        expert.close();
    }
}
