package dev.synctalk.gpu.tensor;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A file of named float32 tensors: the exchange format for pretrained weights converted from PyTorch
 * (torch's own .pth is a pickle and is not read on the JVM).
 *
 * <h2>Format (version 1, every number little-endian)</h2>
 * <pre>
 *   magic    4 bytes  "STNT"
 *   version  int32    1
 *   count    int32    number of tensors, then per tensor:
 *       name    int32 byte length, then that many bytes of UTF-8
 *       rank    int32 (0..8)
 *       shape   int32[rank]
 *       data    float32[product of shape], row-major (C order, as torch's contiguous())
 * </pre>
 * Names are unique. A PyTorch state dict converts with a few lines where torch is installed:
 * <pre>{@code
 * import struct, torch
 * def save_stnt(state_dict, path):
 *     items = [(k, v) for k, v in state_dict.items() if v.is_floating_point()]
 *     with open(path, 'wb') as f:
 *         f.write(b'STNT'); f.write(struct.pack('<ii', 1, len(items)))
 *         for name, t in items:
 *             b = name.encode('utf-8'); f.write(struct.pack('<i', len(b))); f.write(b)
 *             f.write(struct.pack('<i', t.dim())); f.write(struct.pack('<%di' % t.dim(), *t.shape))
 *             f.write(t.detach().cpu().float().contiguous().numpy().astype('<f4').tobytes())
 * }</pre>
 */
public final class NamedTensorFile {
    static final byte[] MAGIC = "STNT".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    private static final int MAX_RANK = 8;

    private final Map<String, Tensor> tensors;

    private NamedTensorFile(Map<String, Tensor> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Tensors in file order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}; throws naming the tensor and the file's contents when it is absent. */
    public Tensor require(String name, String source) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(source + ": missing tensor '" + name + "' (the file holds "
                    + tensors.size() + " tensors" + (tensors.isEmpty() ? "" : ", e.g. '" + tensors.keySet().iterator().next() + "'")
                    + ")");
        }
        return t;
    }

    /** Writes {@code tensors} (in iteration order) to {@code target}. */
    public static void write(Map<String, Tensor> tensors, Path target) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target))) {
            write(tensors, out);
        }
    }

    /**
     * Writes {@code tensors} so that no reader ever sees a partial file: into a temporary sibling, then
     * renamed over {@code target} (atomically where the file system can).
     */
    public static void writeAtomically(Map<String, Tensor> tensors, Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp))) {
                write(tensors, out);
            }
            try {
                Files.move(temp, absolute, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static void write(Map<String, Tensor> tensors, OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        out.write(MAGIC);
        writeIntLe(out, VERSION);
        writeIntLe(out, tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            writeIntLe(out, name.length);
            out.write(name);
            Tensor t = e.getValue();
            writeIntLe(out, t.rank());
            for (int d = 0; d < t.rank(); d++) {
                writeIntLe(out, t.dim(d));
            }
            ByteBuffer data = ByteBuffer.allocate(4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
            data.asFloatBuffer().put(t.data());
            out.write(data.array());
        }
        out.flush();
    }

    private static void writeIntLe(DataOutputStream out, int value) throws IOException {
        out.writeInt(Integer.reverseBytes(value));
    }

    /** Reads a whole file; errors name the file, the tensor index and what was wrong. */
    public static NamedTensorFile read(Path source) throws IOException {
        return parse(Files.readAllBytes(source), source.toString());
    }

    static NamedTensorFile parse(byte[] bytes, String source) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int index = -1;
        try {
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException(source + ": not a named tensor file (magic "
                        + new String(magic, StandardCharsets.ISO_8859_1) + ", expected STNT)");
            }
            int version = in.getInt();
            if (version != VERSION) {
                throw new IllegalArgumentException(source + ": named tensor file version " + version
                        + " is not supported (this reader knows version " + VERSION + ")");
            }
            int count = in.getInt();
            if (count < 0) {
                throw new IllegalArgumentException(source + ": negative tensor count " + count);
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (index = 0; index < count; index++) {
                int nameLength = in.getInt();
                if (nameLength < 0 || nameLength > in.remaining()) {
                    throw new IllegalArgumentException(source + ": tensor " + index + " has a name length of " + nameLength);
                }
                byte[] name = new byte[nameLength];
                in.get(name);
                String key = new String(name, StandardCharsets.UTF_8);
                int rank = in.getInt();
                if (rank < 0 || rank > MAX_RANK) {
                    throw new IllegalArgumentException(source + ": tensor " + index + " '" + key + "' has rank " + rank);
                }
                int[] shape = new int[rank];
                long elements = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.getInt();
                    if (shape[d] < 0) {
                        throw new IllegalArgumentException(source + ": tensor " + index + " '" + key
                                + "' has negative extent " + shape[d]);
                    }
                    elements *= shape[d];
                }
                if (elements * 4 > in.remaining()) {
                    throw new IllegalArgumentException(source + ": tensor " + index + " '" + key + "' of shape "
                            + Arrays.toString(shape) + " needs " + elements * 4 + " bytes, the file has " + in.remaining()
                            + " left (truncated?)");
                }
                float[] data = new float[(int) elements];
                in.asFloatBuffer().get(data);
                in.position(in.position() + 4 * data.length);
                if (tensors.put(key, Tensor.wrap(data, shape)) != null) {
                    throw new IllegalArgumentException(source + ": tensor name '" + key + "' appears twice");
                }
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(source + ": " + in.remaining() + " bytes after the last of "
                        + count + " tensors");
            }
            return new NamedTensorFile(tensors);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException(source + ": truncated " + (index < 0 ? "header" : "at tensor " + index), e);
        }
    }
}
