package dev.synctalk.training;

import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A simple file of named float32 tensors, the format pretrained weights (the AVE audio net) are
 * loaded from. All numbers little-endian:
 * <pre>
 *   magic   8 bytes "STNTNSR1"
 *   count   int32
 *   count x { nameLength int32, name UTF-8, rank int32, dims int32[rank], data float32[prod(dims)] }
 * </pre>
 * A PyTorch state dict converts with a few lines of numpy (name, shape, {@code tobytes()} of the
 * float32 little-endian array).
 */
public final class NamedTensorFile {
    static final byte[] MAGIC = "STNTNSR1".getBytes(StandardCharsets.US_ASCII);

    /** One tensor: its shape and row-major values. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            if (Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b) != data.length) {
                throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " cannot hold "
                        + data.length + " values");
            }
        }
    }

    private NamedTensorFile() {
    }

    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        int size = MAGIC.length + 4;
        for (var e : tensors.entrySet()) {
            size += 8 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4 * e.getValue().shape().length
                    + 4 * e.getValue().data().length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putInt(tensors.size());
        for (var e : tensors.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            out.putInt(name.length).put(name).putInt(e.getValue().shape().length);
            for (int d : e.getValue().shape()) {
                out.putInt(d);
            }
            for (float v : e.getValue().data()) {
                out.putFloat(v);
            }
        }
        AtomicFiles.write(file, out.array());
    }

    /** Reads every tensor, in file order; fails naming the file and what is wrong. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "named-tensor file missing");
        }
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + " is not a named-tensor file (magic must be STNTNSR1)");
            }
            int count = in.getInt();
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (int t = 0; t < count; t++) {
                byte[] name = new byte[in.getInt()];
                in.get(name);
                int[] shape = new int[in.getInt()];
                long n = 1;
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.getInt();
                    n *= shape[d];
                }
                if (n < 0 || 4 * n > in.remaining()) {
                    throw new IOException(file + ": tensor " + t + " of shape " + Arrays.toString(shape)
                            + " runs past the end of the file");
                }
                float[] data = new float[(int) n];
                in.asFloatBuffer().get(data);
                in.position(in.position() + 4 * data.length);
                out.put(new String(name, StandardCharsets.UTF_8), new Tensor(shape, data));
            }
            if (in.hasRemaining()) {
                throw new IOException(file + " has " + in.remaining() + " bytes after its " + count + " tensors");
            }
            return out;
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            throw new IOException(file + " is truncated", e);
        }
    }
}
