package dev.synctalk.nerf;

import dev.synctalk.gpu.optim.AdamW;
import dev.synctalk.gpu.tensor.CpuBackend;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Torso-trainer checkpoints, the same family as {@link Checkpoint} (shared header, optimiser section,
 * CRC and atomic write: {@link CheckpointFormat}), without an occupancy grid. One format for both trainers
 * ({@link TorsoTrainerState}): a checkpoint written on the GPU resumes on the CPU and the other way round.
 *
 * <h2>Format (version 1, all numbers little-endian)</h2>
 * <pre>
 *   magic    8 bytes  "STTORSCK"
 *   version  int32    1
 *   step     int64    steps done
 *   rng      2 x int64  the {@link TorsoPixelSampler} key, then 0 (files written before the sampler was
 *                       counter-based hold a {@link TrainingRandom} state; its first word then serves as key)
 *   groups   the optimiser section of {@link CheckpointFormat} (torso.grid, torso.networks,
 *            torso.anchors[, torso.individual_codes])
 *   crc32    int64    CRC-32 of every byte before it
 * </pre>
 */
public final class TorsoCheckpoint {
    static final byte[] MAGIC = "STTORSCK".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    private TorsoCheckpoint() {
    }

    /** Writes the trainer's state to {@code target} atomically. */
    public static void write(TorsoTrainerState trainer, Path target) throws IOException {
        write(trainer, target, UnaryOperator.identity());
    }

    static void write(TorsoTrainerState trainer, Path target, UnaryOperator<OutputStream> wrap) throws IOException {
        CheckpointFormat.LittleEndianOutput out = new CheckpointFormat.LittleEndianOutput();
        out.bytes(MAGIC);
        out.int32(VERSION);
        out.int64(trainer.step());
        long[] rng = trainer.randomState();
        out.int64(rng[0]);
        out.int64(rng[1]);
        CheckpointFormat.writeGroups(out, trainer.hostOptimizer());
        CheckpointFormat.writeAtomically(target, out.toByteArray(), wrap);
    }

    /**
     * The parameters of {@code source} into {@code model}, built with the checkpoint's sizes (what inference
     * needs); the optimiser moments and progress are read, checked and dropped.
     *
     * @throws IOException naming the file and what is wrong when it is truncated, corrupt or does not match
     */
    public static void restoreModel(TorsoModel model, Path source) throws IOException {
        try (CpuBackend unused = new CpuBackend(1)) {
            AdamW optimizer = new AdamW(unused, model.paramGroups());
            restore(new TorsoTrainerState() {
                @Override
                public long step() {
                    return 0;
                }

                @Override
                public long[] randomState() {
                    return new long[2];
                }

                @Override
                public AdamW hostOptimizer() {
                    return optimizer;
                }

                @Override
                public void restoreProgress(long savedStep, long[] savedRandomState) {
                }
            }, source);
        }
    }

    /**
     * Restores {@code source} into {@code trainer}, which must have been built with the same torso
     * sizes. Nothing is changed unless the whole file is valid.
     *
     * @throws IOException naming the file and what is wrong when it is truncated, corrupt or does not match
     */
    public static void restore(TorsoTrainerState trainer, Path source) throws IOException {
        byte[] all = Files.readAllBytes(source);
        String where = "torso checkpoint " + source;
        ByteBuffer in = CheckpointFormat.verified(all, MAGIC, VERSION, "SyncTalk torso", where);
        try {
            long step = in.getLong();
            long[] rng = {in.getLong(), in.getLong()};
            AdamW optimizer = trainer.hostOptimizer();
            CheckpointFormat.Groups groups = CheckpointFormat.readGroups(in, optimizer, where);
            if (in.remaining() != 8) {
                throw new IOException(where + " has " + (in.remaining() - 8) + " unexpected bytes before its checksum");
            }
            groups.applyTo(optimizer);
            trainer.restoreProgress(step, rng);
        } catch (BufferUnderflowException e) {
            throw new IOException(where + " is truncated inside its data", e);
        }
    }
}
