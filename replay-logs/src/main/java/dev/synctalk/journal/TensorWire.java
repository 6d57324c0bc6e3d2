package dev.synctalk.journal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Tensors on the wire: {@code int rank, int dims[rank]}, then the elements in row-major order, all
 * little-endian. Float tensors hold float32 elements, byte tensors (e.g. uint8 images) one byte each.
 * The helpers read and write little-endian whatever order the caller's buffer is set to, and advance its position.
 */
public final class TensorWire {

    /** Guards readers against garbage: no tensor in SyncTalk has more dimensions. */
    public static final int MAX_RANK = 16;

    private TensorWire() {
    }

    /** A float32 tensor; equality compares shape and elements. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(data, "data");
            long elements = elementCount(shape);
            if (elements != data.length) {
                throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " holds " + elements
                        + " elements but data has " + data.length);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Tensor that && Arrays.equals(shape, that.shape) && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Tensor[shape=" + Arrays.toString(shape) + "]";
        }
    }

    /** A byte tensor (uint8 images); equality compares shape and elements. */
    public record ByteTensor(int[] shape, byte[] data) {
        public ByteTensor {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(data, "data");
            long elements = elementCount(shape);
            if (elements != data.length) {
                throw new IllegalArgumentException("byte tensor shape " + Arrays.toString(shape) + " holds "
                        + elements + " elements but data has " + data.length);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ByteTensor that && Arrays.equals(shape, that.shape) && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "ByteTensor[shape=" + Arrays.toString(shape) + "]";
        }
    }

    public static void writeFloats(ByteBuffer out, int[] shape, float[] data) {
        long elements = elementCount(shape);
        if (elements != data.length) {
            throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " holds " + elements
                    + " elements but data has " + data.length);
        }
        ByteBuffer le = littleEndianView(out);
        writeShape(le, shape);
        le.asFloatBuffer().put(data);
        out.position(le.position() + Float.BYTES * data.length);
    }

    public static Tensor readFloats(ByteBuffer in) {
        ByteBuffer le = littleEndianView(in);
        int[] shape = readShape(le);
        int elements = (int) elementCount(shape);
        requireRemaining(le, (long) elements * Float.BYTES, shape);
        float[] data = new float[elements];
        le.asFloatBuffer().get(data);
        in.position(le.position() + Float.BYTES * elements);
        return new Tensor(shape, data);
    }

    /** Bytes {@link #writeFloats} takes for a float tensor of {@code shape}. */
    public static int byteSize(int[] shape) {
        return Math.toIntExact(shapeBytes(shape) + elementCount(shape) * Float.BYTES);
    }

    /** Bytes {@link #writeBytes} takes for a byte tensor of {@code shape}. */
    public static int byteTensorSize(int[] shape) {
        return Math.toIntExact(shapeBytes(shape) + elementCount(shape));
    }

    public static void writeBytes(ByteBuffer out, int[] shape, byte[] data) {
        long elements = elementCount(shape);
        if (elements != data.length) {
            throw new IllegalArgumentException("byte tensor shape " + Arrays.toString(shape) + " holds " + elements
                    + " elements but data has " + data.length);
        }
        ByteBuffer le = littleEndianView(out);
        writeShape(le, shape);
        le.put(data);
        out.position(le.position());
    }

    public static ByteTensor readBytes(ByteBuffer in) {
        ByteBuffer le = littleEndianView(in);
        int[] shape = readShape(le);
        int elements = (int) elementCount(shape);
        requireRemaining(le, elements, shape);
        byte[] data = new byte[elements];
        le.get(data);
        in.position(le.position());
        return new ByteTensor(shape, data);
    }

    private static ByteBuffer littleEndianView(ByteBuffer buffer) {
        return buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void writeShape(ByteBuffer le, int[] shape) {
        le.putInt(shape.length);
        for (int dim : shape) {
            le.putInt(dim);
        }
    }

    private static int[] readShape(ByteBuffer le) {
        if (le.remaining() < Integer.BYTES) {
            throw new BufferUnderflowException();
        }
        int rank = le.getInt();
        if (rank < 0 || rank > MAX_RANK) {
            throw new IllegalArgumentException("tensor rank " + rank + " is outside 0.." + MAX_RANK);
        }
        requireRemaining(le, (long) rank * Integer.BYTES, null);
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = le.getInt();
        }
        elementCount(shape);
        return shape;
    }

    private static void requireRemaining(ByteBuffer le, long bytes, int[] shape) {
        if (le.remaining() < bytes) {
            throw new IllegalArgumentException("tensor " + (shape == null ? "shape" : Arrays.toString(shape))
                    + " needs " + bytes + " bytes but only " + le.remaining() + " remain");
        }
    }

    private static long shapeBytes(int[] shape) {
        return Integer.BYTES * (1L + shape.length);
    }

    /** Product of the dimensions; rejects negative dimensions and products beyond an int. */
    private static long elementCount(int[] shape) {
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("tensor rank " + shape.length + " is above " + MAX_RANK);
        }
        long product = 1;
        for (int dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            product *= dim;
            if (product > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " holds more than "
                        + Integer.MAX_VALUE + " elements");
            }
        }
        return product;
    }
}
