package dev.synctalk.tflite;

import java.util.Arrays;

/**
 * A tensor's value while the interpreter runs: a shape and row-major elements of one type. Float32
 * carries activations and weights, int32 carries shapes, axes and permutations, float16 only appears
 * as stored weights waiting for DEQUANTIZE.
 */
record TensorData(int[] shape, TensorType type, float[] floats, int[] ints, short[] halfs) {

    static TensorData ofFloats(int[] shape, float[] values) {
        check(shape, values.length);
        return new TensorData(shape.clone(), TensorType.FLOAT32, values, null, null);
    }

    static TensorData ofInts(int[] shape, int[] values) {
        check(shape, values.length);
        return new TensorData(shape.clone(), TensorType.INT32, null, values, null);
    }

    static TensorData ofHalfs(int[] shape, short[] bits) {
        check(shape, bits.length);
        return new TensorData(shape.clone(), TensorType.FLOAT16, null, null, bits);
    }

    private static void check(int[] shape, int length) {
        if (elementCount(shape) != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + elementCount(shape)
                    + " elements, data has " + length);
        }
    }

    static int elementCount(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    int rank() {
        return shape.length;
    }

    int size() {
        return elementCount(shape);
    }

    float[] requireFloats(String where) {
        if (floats == null) {
            throw new IllegalArgumentException(where + ": expected a float32 tensor, got " + type);
        }
        return floats;
    }

    int[] requireInts(String where) {
        if (ints == null) {
            throw new IllegalArgumentException(where + ": expected an int32 tensor, got " + type);
        }
        return ints;
    }

    /** Row-major strides of {@code shape}. */
    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = stride;
            stride *= shape[i];
        }
        return s;
    }

    @Override
    public String toString() {
        return type + Arrays.toString(shape);
    }
}
