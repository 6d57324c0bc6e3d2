package dev.synctalk.nerf;

import dev.synctalk.gpu.optim.AdamW;
import dev.synctalk.gpu.optim.AdamWState;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;

/**
 * The conventions every trainer checkpoint shares ({@link Checkpoint}, {@link TorsoCheckpoint}):
 * an 8-byte magic, an int32 version, the body, and an int64 CRC-32 of every byte before it, all
 * little-endian; written to {@code <name>.tmp}, synced and atomically renamed over the target.
 * The optimiser section is the same in every kind:
 * <pre>
 *   groups   int32, then per group:
 *       name       int32 byte length + UTF-8
 *       adamStep   int64
 *       tensors    int32, then per tensor: elements int32, params float32[elements],
 *                  expAvg float32[elements], expAvgSq float32[elements]
 * </pre>
 */
final class CheckpointFormat {

    private CheckpointFormat() {
    }

    /** Writes magic + version + body + CRC to {@code target} atomically (the stream wrap lets tests inject failures). */
    static void writeAtomically(Path target, byte[] body, UnaryOperator<OutputStream> wrap) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(body);
        byte[] all = ByteBuffer.allocate(body.length + 8).order(ByteOrder.LITTLE_ENDIAN).put(body)
                .putLong(crc.getValue()).array();
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            try (OutputStream out = wrap.apply(Files.newOutputStream(temp))) {
                out.write(all);
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw new IOException("could not write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks magic, version and CRC of a whole checkpoint file's bytes; returns a little-endian buffer
     * positioned after the version.
     */
    static ByteBuffer verified(byte[] all, byte[] magic, int version, String kind, String where) throws IOException {
        if (all.length < magic.length + 4 + 8) {
            throw new IOException(where + " is truncated: " + all.length + " bytes");
        }
        for (int i = 0; i < magic.length; i++) {
            if (all[i] != magic[i]) {
                throw new IOException(where + " is not a " + kind + " checkpoint (bad magic)");
            }
        }
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        in.position(magic.length);
        int stored = in.getInt();
        if (stored != version) {
            throw new IOException(where + " has format version " + stored + ", this reader supports " + version);
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long storedCrc = ByteBuffer.wrap(all, all.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (storedCrc != crc.getValue()) {
            throw new IOException(where + " is corrupt: CRC-32 " + Long.toHexString(crc.getValue())
                    + " does not match the stored " + Long.toHexString(storedCrc));
        }
        return in;
    }

    static void writeGroups(LittleEndianOutput out, AdamW optimizer) throws IOException {
        List<ParamGroup> groups = optimizer.groups();
        List<AdamWState> states = optimizer.exportState();
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
    }

    /** Parsed, checked optimiser section, applied only once the whole file has been read. */
    record Groups(List<float[]> params, List<AdamWState> states) {
        void applyTo(AdamW optimizer) {
            int k = 0;
            for (ParamGroup group : optimizer.groups()) {
                for (Tensor p : group.params()) {
                    float[] saved = params.get(k++);
                    System.arraycopy(saved, 0, p.data(), 0, saved.length);
                }
            }
            optimizer.importState(states);
        }
    }

    static Groups readGroups(ByteBuffer in, AdamW optimizer, String where) throws IOException {
        List<ParamGroup> groups = optimizer.groups();
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
                throw new IOException(where + " group " + g + " is '" + name + "', the trainer's is '" + group.name()
                        + "'");
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
        return new Groups(params, states);
    }

    static float[] floats(ByteBuffer in, int n) {
        float[] out = new float[n];
        in.asFloatBuffer().get(out);
        in.position(in.position() + 4 * n);
        return out;
    }

    /** Little-endian primitives into a byte array (DataOutputStream alone is big-endian). */
    static final class LittleEndianOutput {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

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

        byte[] toByteArray() throws IOException {
            out.flush();
            return bytes.toByteArray();
        }
    }
}
