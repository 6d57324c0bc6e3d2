package dev.synctalk.gpu.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A dense float32 tensor: one flat {@code float[]} in row-major order plus its shape.
 *
 * <p>Deliberately minimal: no views, strides or broadcasting. Ops read and write the flat array
 * directly with the layouts documented on each op, the same way the CUDA kernels address device
 * memory, so that CPU and GPU code stay one-to-one.
 */
public final class Tensor {
    private final float[] data;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
        long count = elementCount(shape);
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " elements but the data array has " + data.length);
        }
        this.data = data;
        this.shape = shape.clone();
    }

    /** A zero-filled tensor of the given shape. */
    public static Tensor zeros(int... shape) {
        long count = elementCount(shape);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large for one array");
        }
        return new Tensor(new float[(int) count], shape);
    }

    /** Wraps {@code data} (not copied) with the given shape. */
    public static Tensor wrap(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    /** A tensor of independent uniform samples in [lo, hi) drawn from {@code rng} in index order. */
    public static Tensor uniform(SplittableRandom rng, float lo, float hi, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return t;
    }

    /** A tensor filled with one value. */
    public static Tensor filled(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    private static long elementCount(int[] shape) {
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("negative extent " + shape[i] + " at axis " + i
                        + " of shape " + Arrays.toString(shape));
            }
            count *= shape[i];
        }
        return count;
    }

    /** The backing array (shared, not copied): ops write into it. */
    public float[] data() {
        return data;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int size() {
        return data.length;
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    public void fillZero() {
        Arrays.fill(data, 0f);
    }

    /** Copies {@code other}'s values into this tensor; shapes must match. */
    public void copyFrom(Tensor other) {
        requireShape("copy source", other, shape);
        System.arraycopy(other.data, 0, data, 0, data.length);
    }

    /**
     * Checks that {@code tensor} has exactly {@code expected} as its shape; the message names the
     * argument so a shape error points at the call site's operand.
     */
    public static void requireShape(String name, Tensor tensor, int... expected) {
        if (tensor == null) {
            throw new IllegalArgumentException(name + " is required but was null");
        }
        if (!Arrays.equals(tensor.shape, expected)) {
            throw new IllegalArgumentException(name + " must have shape " + Arrays.toString(expected)
                    + " but has " + Arrays.toString(tensor.shape));
        }
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
