package dev.synctalk.dataset;

import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A float32 or float64 C-order array as numpy.save writes it ({@code .npy} format versions 1.0-3.0,
 * little-endian). SyncTalk stores blendshapes ({@code bs.npy}, float64 [N, 52]) and audio features
 * ({@code aud_*.npy}, float32 [N, ...]) this way. Values are held as doubles so float64 files round-trip.
 */
public record NpyArray(Dtype dtype, int[] shape, double[] data) {

    public enum Dtype {
        FLOAT32("<f4", 4), FLOAT64("<f8", 8);

        final String descr;
        final int bytes;

        Dtype(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    public NpyArray {
        shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, data has "
                    + data.length);
        }
    }

    public static NpyArray ofFloats(int[] shape, float[] values) {
        double[] data = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = values[i];
        }
        return new NpyArray(Dtype.FLOAT32, shape, data);
    }

    /** Rows of a [N, ...] array. */
    public int rows() {
        if (shape.length == 0) {
            throw new IllegalStateException("a scalar array has no rows");
        }
        return shape[0];
    }

    /** Values per row of a [N, ...] array. */
    public int rowLength() {
        return rows() == 0 ? 0 : data.length / rows();
    }

    /** Row {@code i} of a [N, ...] array, flattened, as floats. */
    public float[] row(int i) {
        if (i < 0 || i >= rows()) {
            throw new IndexOutOfBoundsException("row " + i + " of an array with " + rows() + " rows");
        }
        int n = rowLength();
        float[] out = new float[n];
        for (int k = 0; k < n; k++) {
            out[k] = (float) data[i * n + k];
        }
        return out;
    }

    public static NpyArray read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "npy file missing");
        }
        return parse(Files.readAllBytes(file), file.toString());
    }

    static NpyArray parse(byte[] bytes, String name) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IOException(name + ": not a .npy file (bad magic)");
        }
        int major = bytes[6];
        in.position(8);
        long headerLength = major == 1 ? Short.toUnsignedInt(in.getShort()) : Integer.toUnsignedLong(in.getInt());
        if (major < 1 || major > 3 || headerLength > in.remaining()) {
            throw new IOException(name + ": unsupported .npy version " + major + " or truncated header");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        in.get(headerBytes);
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, "descr", name);
        Dtype dtype = Arrays.stream(Dtype.values()).filter(d -> d.descr.equals(descr)
                || d.descr.replace('<', '=').equals(descr)).findFirst().orElseThrow(() -> new IOException(name
                        + ": dtype '" + descr + "' is not supported (need little-endian float32 '<f4' or float64 '<f8')"));
        if (group(FORTRAN, header, "fortran_order", name).equals("True")) {
            throw new IOException(name + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
        }
        String dims = group(SHAPE, header, "shape", name).trim();
        int[] shape = dims.isEmpty() ? new int[0]
                : Arrays.stream(dims.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt)
                        .toArray();
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (count * dtype.bytes != in.remaining()) {
            throw new IOException(name + ": shape " + Arrays.toString(shape) + " of " + descr + " needs "
                    + count * dtype.bytes + " data bytes, file has " + in.remaining());
        }
        double[] data = new double[(int) count];
        for (int i = 0; i < data.length; i++) {
            data[i] = dtype == Dtype.FLOAT32 ? in.getFloat() : in.getDouble();
        }
        return new NpyArray(dtype, shape, data);
    }

    private static String group(Pattern pattern, String header, String key, String name) throws IOException {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new IOException(name + ": .npy header has no '" + key + "': " + header.trim());
        }
        return m.group(1);
    }

    /** The bytes numpy.save writes for this array (format 1.0, header padded to 64 bytes). */
    public byte[] toBytes() {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            dims.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        if (shape.length == 1) {
            dims.append(',');
        }
        String dict = "{'descr': '" + dtype.descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = MAGIC.length + 4 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + data.length * dtype.bytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.US_ASCII));
        for (double v : data) {
            if (dtype == Dtype.FLOAT32) {
                out.putFloat((float) v);
            } else {
                out.putDouble(v);
            }
        }
        return out.array();
    }

    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toBytes());
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && dtype == a.dtype && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() {
        return (dtype.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
