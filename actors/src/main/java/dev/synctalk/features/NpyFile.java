package dev.synctalk.features;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} format version 1.0 for little-endian float32 C-order arrays, the layout numpy.save
 * writes: magic {@code \x93NUMPY}, version 1.0, a uint16 header length, then an ASCII dict padded with
 * spaces and ended by a newline so that the data starts on a 64-byte boundary.
 */
public final class NpyFile {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGNMENT = 64;
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** A float32 array with its shape. */
    public record Array(int[] shape, float[] data) {
        public Array {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, data has "
                        + data.length);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Array a && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(shape) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "NpyFile.Array" + Arrays.toString(shape);
        }
    }

    private NpyFile() {
    }

    /** The header bytes (magic through the newline) numpy writes for a float32 array of {@code shape}. */
    public static byte[] header(int[] shape) {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            dims.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        if (shape.length == 1) {
            dims.append(',');
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        String text = dict + " ".repeat(padding) + "\n";
        if (text.length() > 0xffff) {
            throw new IllegalArgumentException("npy header too long for format 1.0: shape " + Arrays.toString(shape));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(1);
        out.write(0);
        out.write(text.length() & 0xff);
        out.write(text.length() >>> 8);
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Writes header and data; rows are appended by the caller through {@link #writeFloats}. */
    public static void writeHeader(OutputStream out, int[] shape) throws IOException {
        out.write(header(shape));
    }

    public static void writeFloats(OutputStream out, float[] values) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        out.write(bytes.array());
    }

    public static void write(OutputStream out, Array array) throws IOException {
        writeHeader(out, array.shape());
        writeFloats(out, array.data());
    }

    public static Array read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        if (bytes.length < 10) {
            throw new IOException(file + " is not a .npy file (too short)");
        }
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(file + " is not a .npy file (bad magic)");
        }
        int major = in.get();
        in.get();
        int headerLength = major == 1 ? Short.toUnsignedInt(in.getShort()) : in.getInt();
        if (in.remaining() < headerLength) {
            throw new IOException(file + ": truncated .npy header");
        }
        String header = new String(bytes, in.position(), headerLength, StandardCharsets.US_ASCII);
        in.position(in.position() + headerLength);
        if (!header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False")) {
            throw new IOException(file + ": only little-endian float32 C-order arrays are supported, header " + header.trim());
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) {
            throw new IOException(file + ": no shape in .npy header " + header.trim());
        }
        int[] shape = Arrays.stream(m.group(1).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (in.remaining() != count * 4) {
            throw new IOException(file + ": shape " + Arrays.toString(shape) + " needs " + count * 4 + " data bytes, file has "
                    + in.remaining());
        }
        float[] data = new float[(int) count];
        in.asFloatBuffer().get(data);
        return new Array(shape, data);
    }
}
