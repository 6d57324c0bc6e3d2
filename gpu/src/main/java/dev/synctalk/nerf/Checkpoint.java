package dev.synctalk.nerf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Head-trainer checkpoints: everything a bit-identical resume needs.
 *
 * <h2>Format (version 1, all numbers little-endian)</h2>
 * <pre>
 *   magic    8 bytes  "STNERFCK"
 *   version  int32    1
 *   step     int64    steps done
 *   rng      2 x int64  {@link TrainingRandom} state
 *   groups   int32    optimiser parameter groups, then per group:
 *       name       int32 byte length + UTF-8
 *       adamStep   int64
 *       tensors    int32, then per tensor: elements int32, params float32[elements],
 *                  expAvg float32[elements], expAvgSq float32[elements]
 *   grid     resolution int32, updates int64, meanDensity float32,
 *            density float32[G^3], occupancy float32[G^3]
 *   crc32    int64    CRC-32 of every byte before it
 * </pre>
 * The header, optimiser section, checksum and atomic write are {@link CheckpointFormat}'s, shared
 * with {@link TorsoCheckpoint}. Writing goes to {@code <name>.tmp} in the same directory, which is
 * flushed, synced and then renamed over the target in one atomic move, so a reader sees either the old or the new checkpoint, never a
 * partial one.
 */
public final class Checkpoint {
    static final byte[] MAGIC = "STNERFCK".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    private Checkpoint() {
    }

    /** Writes the trainer's state to {@code target} atomically. */
    public static void write(HeadTrainer trainer, Path target) throws IOException {
        write(trainer, target, UnaryOperator.identity());
    }

    /** As {@link #write(HeadTrainer, Path)}, with the temp file's stream wrapped (tests inject failures). */
    static void write(HeadTrainer trainer, Path target, UnaryOperator<OutputStream> wrap) throws IOException {
        CheckpointFormat.writeAtomically(target, encode(trainer), wrap);
    }

    private static byte[] encode(HeadTrainer trainer) throws IOException {
        CheckpointFormat.LittleEndianOutput out = new CheckpointFormat.LittleEndianOutput();
        out.bytes(MAGIC);
        out.int32(VERSION);
        out.int64(trainer.step());
        long[] rng = trainer.randomState();
        out.int64(rng[0]);
        out.int64(rng[1]);
        CheckpointFormat.writeGroups(out, trainer.optimizer());
        OccupancyGrid grid = trainer.grid();
        out.int32(grid.resolution());
        out.int64(grid.updates());
        out.float32(grid.meanDensity());
        out.floats(grid.density().data());
        out.floats(grid.occupancy().data());
        return out.toByteArray();
    }

    /**
     * Checks that {@code file} is a complete head checkpoint of this format: magic, version and CRC-32 of every
     * byte, without a trainer to restore into (resume picks the newest checkpoint that passes).
     *
     * @throws IOException naming the file and what is wrong
     */
    public static void verify(Path file) throws IOException {
        CheckpointFormat.verified(Files.readAllBytes(file), MAGIC, VERSION, "SyncTalk NeRF", "checkpoint " + file);
    }

    /**
     * Restores {@code source} into {@code trainer}, which must have been built with the same model,
     * audio nets and grid sizes. Nothing is changed unless the whole file is valid.
     *
     * @throws IOException naming the file and what is wrong when it is truncated, corrupt or does not match
     */
    public static void restore(HeadTrainer trainer, Path source) throws IOException {
        byte[] all = Files.readAllBytes(source);
        String where = "checkpoint " + source;
        ByteBuffer in = CheckpointFormat.verified(all, MAGIC, VERSION, "SyncTalk NeRF", where);
        try {
            long step = in.getLong();
            long[] rng = {in.getLong(), in.getLong()};
            CheckpointFormat.Groups groups = CheckpointFormat.readGroups(in, trainer.optimizer(), where);
            OccupancyGrid grid = trainer.grid();
            int resolution = in.getInt();
            if (resolution != grid.resolution()) {
                throw new IOException(where + " has a " + resolution + "^3 occupancy grid, the trainer's is "
                        + grid.resolution() + "^3");
            }
            long updates = in.getLong();
            float mean = in.getFloat();
            float[] density = CheckpointFormat.floats(in, grid.cellCount());
            float[] occupancy = CheckpointFormat.floats(in, grid.cellCount());
            if (in.remaining() != 8) {
                throw new IOException(where + " has " + (in.remaining() - 8) + " unexpected bytes before its checksum");
            }
            // everything parsed and checked: now apply
            groups.applyTo(trainer.optimizer());
            grid.restore(density, occupancy, updates, mean);
            trainer.restoreProgress(step, rng);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException(where + " is truncated inside its data", e);
        }
    }
}
