package dev.synctalk.nerf;

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
 * CRC and atomic write: {@link CheckpointFormat}), without an occupancy grid.
 *
 * <h2>Format (version 1, all numbers little-endian)</h2>
 * <pre>
 *   magic    8 bytes  "STTORSCK"
 *   version  int32    1
 *   step     int64    steps done
 *   rng      2 x int64  {@link TrainingRandom} state
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
    public static void write(TorsoTrainer trainer, Path target) throws IOException {
        write(trainer, target, UnaryOperator.identity());
    }

    static void write(TorsoTrainer trainer, Path target, UnaryOperator<OutputStream> wrap) throws IOException {
        CheckpointFormat.LittleEndianOutput out = new CheckpointFormat.LittleEndianOutput();
        out.bytes(MAGIC);
        out.int32(VERSION);
        out.int64(trainer.step());
        long[] rng = trainer.randomState();
        out.int64(rng[0]);
        out.int64(rng[1]);
        CheckpointFormat.writeGroups(out, trainer.optimizer());
        CheckpointFormat.writeAtomically(target, out.toByteArray(), wrap);
    }

    /**
     * Checks that {@code file} is a complete torso checkpoint: magic, version and CRC-32 of every byte.
     *
     * @throws IOException naming the file and what is wrong
     */
    public static void verify(Path file) throws IOException {
        CheckpointFormat.verified(Files.readAllBytes(file), MAGIC, VERSION, "SyncTalk torso", "torso checkpoint " + file);
    }

    /**
     * Restores {@code source} into {@code trainer}, which must have been built with the same torso
     * sizes. Nothing is changed unless the whole file is valid.
     *
     * @throws IOException naming the file and what is wrong when it is truncated, corrupt or does not match
     */
    public static void restore(TorsoTrainer trainer, Path source) throws IOException {
        byte[] all = Files.readAllBytes(source);
        String where = "torso checkpoint " + source;
        ByteBuffer in = CheckpointFormat.verified(all, MAGIC, VERSION, "SyncTalk torso", where);
        try {
            long step = in.getLong();
            long[] rng = {in.getLong(), in.getLong()};
            CheckpointFormat.Groups groups = CheckpointFormat.readGroups(in, trainer.optimizer(), where);
            if (in.remaining() != 8) {
                throw new IOException(where + " has " + (in.remaining() - 8) + " unexpected bytes before its checksum");
            }
            groups.applyTo(trainer.optimizer());
            trainer.restoreProgress(step, rng);
        } catch (BufferUnderflowException e) {
            throw new IOException(where + " is truncated inside its data", e);
        }
    }
}
