package dev.synctalk.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import dev.synctalk.journal.TensorWire;
import java.util.Arrays;

/**
 * The journal's little-endian payload layout for tensors: scalars as written, then each tensor as
 * {@code int rank, int dims[rank]} followed by its elements (float32 or uint8), so a reader needs no
 * out-of-band schema to know the shape.
 */
public final class TensorPayload {
    private TensorPayload() {
    }

    public static int floatTensorBytes(int[] shape) {
        return TensorWire.byteSize(shape);
    }

    public static int byteTensorBytes(int[] shape) {
        return TensorWire.byteTensorSize(shape);
    }

    public static int elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor too large: shape " + Arrays.toString(shape));
        }
        return (int) n;
    }

    public static ByteBuffer allocate(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static ByteBuffer wrap(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes in the journal's tensor layout ({@link TensorWire}), the one every reader of journals expects. */
    public static void putFloats(ByteBuffer out, int[] shape, float[] data) {
        TensorWire.writeFloats(out, shape, data);
    }

    public static void putBytes(ByteBuffer out, int[] shape, byte[] data) {
        TensorWire.writeBytes(out, shape, data);
    }

    public static int[] getShape(ByteBuffer in) {
        int rank = in.getInt();
        if (rank < 0 || rank > 16 || rank * 4 > in.remaining()) {
            throw new IllegalArgumentException("corrupt tensor payload: rank " + rank);
        }
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = in.getInt();
        }
        return shape;
    }

    /** Reads the elements of a float tensor whose shape was just read with {@link #getShape}. */
    public static float[] getFloats(ByteBuffer in, int[] shape) {
        int n = elementCount(shape);
        if (n * 4L > in.remaining()) {
            throw new IllegalArgumentException("corrupt tensor payload: shape " + Arrays.toString(shape)
                    + " needs " + n * 4L + " bytes, " + in.remaining() + " left");
        }
        float[] data = new float[n];
        in.asFloatBuffer().get(data);
        in.position(in.position() + 4 * n);
        return data;
    }

    public static byte[] getBytes(ByteBuffer in, int[] shape) {
        int n = elementCount(shape);
        if (n > in.remaining()) {
            throw new IllegalArgumentException("corrupt tensor payload: shape " + Arrays.toString(shape)
                    + " needs " + n + " bytes, " + in.remaining() + " left");
        }
        byte[] data = new byte[n];
        in.get(data);
        return data;
    }

    public static void requireRank(int[] shape, int rank, String what) {
        if (shape.length != rank) {
            throw new IllegalArgumentException(what + ": expected a rank-" + rank + " tensor, payload has shape "
                    + Arrays.toString(shape));
        }
    }

    public static void requireFullyRead(ByteBuffer in, String what) {
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(what + ": " + in.remaining() + " trailing bytes in payload");
        }
    }
}
