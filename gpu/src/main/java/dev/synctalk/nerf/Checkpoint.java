package dev.synctalk.nerf;

import dev.synctalk.gpu.optim.AdamWState;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Tensor;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;

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
 * Writing goes to {@code <name>.tmp} in the same directory, which is flushed, synced and then renamed
 * over the target in one atomic move, so a reader sees either the old or the new checkpoint, never a
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
        byte[] body = encode(trainer);
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            try (OutputStream out = wrap.apply(Files.newOutputStream(temp))) {
                out.write(body);
            }
            try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw new IOException("could not write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    private static byte[] encode(HeadTrainer trainer) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        LittleEndianOutput out = new LittleEndianOutput(new DataOutputStream(new BufferedOutputStream(bytes)));
        out.bytes(MAGIC);
        out.int32(VERSION);
        out.int64(trainer.step());
        long[] rng = trainer.randomState();
        out.int64(rng[0]);
        out.int64(rng[1]);
        List<ParamGroup> groups = trainer.optimizer().groups();
        List<AdamWState> states = trainer.optimizer().exportState();
        out.int32(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = groups.get(g);
            byte[] name = group.name().getBytes(StandardCharsets.UTF_8);
            out.int32(name.length);
            out.bytes(name);
            out.int64(states.get(g).step());
            out.int32(group.params().size());
            for (int i = 0; i < group.params().size(); i++) {
                float[] p = group.params().get(i).data();
                out.int32(p.length);
                out.floats(p);
                out.floats(states.get(g).expAvg().get(i));
                out.floats(states.get(g).expAvgSq().get(i));
            }
        }
        OccupancyGrid grid = trainer.grid();
        out.int32(grid.resolution());
        out.int64(grid.updates());
        out.float32(grid.meanDensity());
        out.floats(grid.density().data());
        out.floats(grid.occupancy().data());
        out.flush();
        byte[] body = bytes.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(body);
        ByteBuffer withCrc = ByteBuffer.allocate(body.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        withCrc.put(body).putLong(crc.getValue());
        return withCrc.array();
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
        if (all.length < MAGIC.length + 4 + 8) {
            throw new IOException(where + " is truncated: " + all.length + " bytes");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (all[i] != MAGIC[i]) {
                throw new IOException(where + " is not a SyncTalk NeRF checkpoint (bad magic)");
            }
        }
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        in.position(MAGIC.length);
        int version = in.getInt();
        if (version != VERSION) {
            throw new IOException(where + " has format version " + version + ", this reader supports " + VERSION);
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = ByteBuffer.wrap(all, all.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (stored != crc.getValue()) {
            throw new IOException(where + " is corrupt: CRC-32 " + Long.toHexString(crc.getValue())
                    + " does not match the stored " + Long.toHexString(stored));
        }
        try {
            long step = in.getLong();
            long[] rng = {in.getLong(), in.getLong()};
            List<ParamGroup> groups = trainer.optimizer().groups();
            int groupCount = in.getInt();
            if (groupCount != groups.size()) {
                throw new IOException(where + " has " + groupCount + " parameter groups, the trainer has " + groups.size());
            }
            List<float[]> params = new ArrayList<>();
            List<AdamWState> states = new ArrayList<>();
            for (int g = 0; g < groupCount; g++) {
                ParamGroup group = groups.get(g);
                byte[] nameBytes = new byte[in.getInt()];
                in.get(nameBytes);
                String name = new String(nameBytes, StandardCharsets.UTF_8);
                if (!name.equals(group.name())) {
                    throw new IOException(where + " group " + g + " is '" + name + "', the trainer's is '"
                            + group.name() + "'");
                }
                long adamStep = in.getLong();
                int tensors = in.getInt();
                if (tensors != group.params().size()) {
                    throw new IOException(where + " group '" + name + "' has " + tensors + " tensors, the trainer's has "
                            + group.params().size());
                }
                List<float[]> m = new ArrayList<>();
                List<float[]> v = new ArrayList<>();
                for (int i = 0; i < tensors; i++) {
                    int n = in.getInt();
                    if (n != group.params().get(i).size()) {
                        throw new IOException(where + " group '" + name + "' tensor " + i + " has " + n
                                + " elements, the trainer's has " + group.params().get(i).size());
                    }
                    params.add(floats(in, n));
                    m.add(floats(in, n));
                    v.add(floats(in, n));
                }
                states.add(new AdamWState(name, adamStep, m, v));
            }
            OccupancyGrid grid = trainer.grid();
            int resolution = in.getInt();
            if (resolution != grid.resolution()) {
                throw new IOException(where + " has a " + resolution + "^3 occupancy grid, the trainer's is "
                        + grid.resolution() + "^3");
            }
            long updates = in.getLong();
            float mean = in.getFloat();
            float[] density = floats(in, grid.cellCount());
            float[] occupancy = floats(in, grid.cellCount());
            if (in.remaining() != 8) {
                throw new IOException(where + " has " + (in.remaining() - 8) + " unexpected bytes before its checksum");
            }
            // everything parsed and checked: now apply
            int k = 0;
            for (ParamGroup group : groups) {
                for (Tensor p : group.params()) {
                    float[] saved = params.get(k++);
                    System.arraycopy(saved, 0, p.data(), 0, saved.length);
                }
            }
            trainer.optimizer().importState(states);
            grid.restore(density, occupancy, updates, mean);
            trainer.restoreProgress(step, rng);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException(where + " is truncated inside its data", e);
        }
    }

    private static float[] floats(ByteBuffer in, int n) {
        float[] out = new float[n];
        in.asFloatBuffer().get(out);
        in.position(in.position() + 4 * n);
        return out;
    }

    /** Little-endian primitives over a DataOutputStream (which is big-endian). */
    private static final class LittleEndianOutput {
        private final DataOutputStream out;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        LittleEndianOutput(DataOutputStream out) {
            this.out = out;
        }

        void bytes(byte[] b) throws IOException {
            out.write(b);
        }

        void int32(int v) throws IOException {
            scratch.clear();
            out.write(scratch.putInt(v).array(), 0, 4);
        }

        void int64(long v) throws IOException {
            scratch.clear();
            out.write(scratch.putLong(v).array(), 0, 8);
        }

        void float32(float v) throws IOException {
            scratch.clear();
            out.write(scratch.putFloat(v).array(), 0, 4);
        }

        void floats(float[] values) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            buffer.asFloatBuffer().put(values);
            out.write(buffer.array());
        }

        void flush() throws IOException {
            out.flush();
        }
    }
}
