package dev.synctalk.tflite;

import dev.synctalk.tflite.OperatorOptions.Activation;
import dev.synctalk.tflite.OperatorOptions.Conv2D;
import dev.synctalk.tflite.OperatorOptions.Padding;
import dev.synctalk.tflite.OperatorOptions.StridedSlice;
import java.util.Arrays;
import java.util.List;

/**
 * Float32 reference kernels with TFLite semantics for the ops the interpreter supports. Each takes
 * {@code where} (model, op index and name) for its error messages.
 */
final class TfliteKernels {

    @FunctionalInterface
    interface FloatBinary {
        float apply(float a, float b);
    }

    @FunctionalInterface
    interface FloatUnary {
        float apply(float x);
    }

    private TfliteKernels() {
    }

    static float activate(float x, Activation activation) {
        return switch (activation) {
            case NONE -> x;
            case RELU -> Math.max(0f, x);
            case RELU_N1_TO_1 -> Math.max(-1f, Math.min(1f, x));
            case RELU6 -> Math.max(0f, Math.min(6f, x));
            case TANH -> (float) Math.tanh(x);
            case SIGN_BIT -> throw new IllegalArgumentException("fused activation SIGN_BIT is not defined for float32");
        };
    }

    private static void activateInPlace(float[] values, Activation activation) {
        if (activation != Activation.NONE) {
            for (int i = 0; i < values.length; i++) {
                values[i] = activate(values[i], activation);
            }
        }
    }

    /** Numpy-style broadcast shape of two shapes (dimensions aligned from the right, 1 stretches). */
    static int[] broadcastShape(int[] a, int[] b, String where) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(where + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides of {@code shape} seen through {@code outShape}: 0 where the dimension is broadcast. */
    private static int[] broadcastStrides(int[] shape, int[] outShape) {
        int[] own = TensorData.strides(shape);
        int[] out = new int[outShape.length];
        int offset = outShape.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            out[i + offset] = shape[i] == 1 ? 0 : own[i];
        }
        return out;
    }

    static TensorData binary(TensorData a, TensorData b, FloatBinary op, Activation activation, String where) {
        float[] x = a.requireFloats(where);
        float[] y = b.requireFloats(where);
        int[] shape = broadcastShape(a.shape(), b.shape(), where);
        float[] out = new float[TensorData.elementCount(shape)];
        if (Arrays.equals(a.shape(), b.shape())) {
            for (int i = 0; i < out.length; i++) {
                out[i] = op.apply(x[i], y[i]);
            }
        } else {
            int[] sa = broadcastStrides(a.shape(), shape);
            int[] sb = broadcastStrides(b.shape(), shape);
            int[] index = new int[shape.length];
            int ia = 0;
            int ib = 0;
            for (int i = 0; i < out.length; i++) {
                out[i] = op.apply(x[ia], y[ib]);
                // Odometer increment over the output index, moving both input offsets along.
                for (int d = shape.length - 1; d >= 0; d--) {
                    index[d]++;
                    ia += sa[d];
                    ib += sb[d];
                    if (index[d] < shape[d]) {
                        break;
                    }
                    ia -= sa[d] * shape[d];
                    ib -= sb[d] * shape[d];
                    index[d] = 0;
                }
            }
        }
        activateInPlace(out, activation);
        return TensorData.ofFloats(shape, out);
    }

    static TensorData unary(TensorData a, FloatUnary op, String where) {
        float[] x = a.requireFloats(where);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = op.apply(x[i]);
        }
        return TensorData.ofFloats(a.shape(), out);
    }

    static float logistic(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    /** IEEE 754 half precision bits to float. */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h >>> 15) << 31;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0) {
            // Zero or subnormal: mantissa * 2^-24.
            float value = mantissa * 0x1p-24f;
            return sign != 0 ? -value : value;
        }
        if (exponent == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    static TensorData dequantize(TensorData a, String where) {
        if (a.type() != TensorType.FLOAT16) {
            throw new IllegalArgumentException(where + ": DEQUANTIZE from " + a.type()
                    + " is not supported (only float16 weights are)");
        }
        short[] h = a.halfs();
        float[] out = new float[h.length];
        for (int i = 0; i < h.length; i++) {
            out[i] = halfToFloat(h[i]);
        }
        return TensorData.ofFloats(a.shape(), out);
    }

    private static int normaliseAxis(int axis, int rank, String where) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(where + ": axis " + axis + " out of range for rank " + rank);
        }
        return a;
    }

    /** MEAN or SUM over {@code axes} (negative axes count from the end; repeats are ignored). */
    static TensorData reduce(TensorData a, int[] axes, boolean keepDims, boolean mean, String where) {
        float[] x = a.requireFloats(where);
        int[] shape = a.shape();
        boolean[] reduced = new boolean[shape.length];
        for (int axis : axes) {
            reduced[normaliseAxis(axis, shape.length, where)] = true;
        }
        int[] kept = new int[shape.length];
        int count = 1;
        for (int d = 0; d < shape.length; d++) {
            kept[d] = reduced[d] ? 1 : shape[d];
            count *= reduced[d] ? shape[d] : 1;
        }
        int[] keptStrides = TensorData.strides(kept);
        double[] sums = new double[TensorData.elementCount(kept)];
        int[] index = new int[shape.length];
        for (float v : x) {
            int target = 0;
            for (int d = 0; d < shape.length; d++) {
                target += reduced[d] ? 0 : index[d] * keptStrides[d];
            }
            sums[target] += v;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        float[] out = new float[sums.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (mean ? sums[i] / count : sums[i]);
        }
        if (keepDims) {
            return TensorData.ofFloats(kept, out);
        }
        int[] squeezed = new int[shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                squeezed[rank++] = shape[d];
            }
        }
        return TensorData.ofFloats(Arrays.copyOf(squeezed, rank), out);
    }

    static TensorData transpose(TensorData a, int[] perm, String where) {
        float[] x = a.requireFloats(where);
        int[] shape = a.shape();
        if (perm.length != shape.length) {
            throw new IllegalArgumentException(where + ": permutation " + Arrays.toString(perm) + " for rank " + shape.length);
        }
        int[] inStrides = TensorData.strides(shape);
        int[] outShape = new int[shape.length];
        int[] strideOfOut = new int[shape.length];
        boolean[] seen = new boolean[shape.length];
        for (int d = 0; d < perm.length; d++) {
            int p = normaliseAxis(perm[d], shape.length, where);
            if (seen[p]) {
                throw new IllegalArgumentException(where + ": permutation " + Arrays.toString(perm) + " repeats axis " + p);
            }
            seen[p] = true;
            outShape[d] = shape[p];
            strideOfOut[d] = inStrides[p];
        }
        float[] out = new float[x.length];
        int[] index = new int[shape.length];
        int source = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = x[source];
            for (int d = shape.length - 1; d >= 0; d--) {
                index[d]++;
                source += strideOfOut[d];
                if (index[d] < outShape[d]) {
                    break;
                }
                source -= strideOfOut[d] * outShape[d];
                index[d] = 0;
            }
        }
        return TensorData.ofFloats(outShape, out);
    }

    /** RESHAPE: one dimension may be -1 and is inferred from the element count. */
    static TensorData reshape(TensorData a, int[] requested, String where) {
        int[] shape = requested.clone();
        int unknown = -1;
        int known = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException(where + ": new shape " + Arrays.toString(requested) + " has two -1");
                }
                unknown = d;
            } else {
                known *= shape[d];
            }
        }
        if (unknown >= 0) {
            shape[unknown] = known == 0 ? 0 : a.size() / known;
        }
        if (TensorData.elementCount(shape) != a.size()) {
            throw new IllegalArgumentException(where + ": cannot reshape " + Arrays.toString(a.shape()) + " to "
                    + Arrays.toString(requested));
        }
        return new TensorData(shape, a.type(), a.floats(), a.ints(), a.halfs());
    }

    static TensorData concatenate(List<TensorData> parts, int axis, Activation activation, String where) {
        int[] first = parts.get(0).shape();
        int ax = normaliseAxis(axis, first.length, where);
        int[] shape = first.clone();
        shape[ax] = 0;
        for (TensorData p : parts) {
            p.requireFloats(where);
            if (p.rank() != first.length) {
                throw new IllegalArgumentException(where + ": cannot concatenate ranks " + first.length + " and " + p.rank());
            }
            for (int d = 0; d < first.length; d++) {
                if (d != ax && p.shape()[d] != first[d]) {
                    throw new IllegalArgumentException(where + ": shapes " + Arrays.toString(first) + " and "
                            + Arrays.toString(p.shape()) + " differ outside axis " + ax);
                }
            }
            shape[ax] += p.shape()[ax];
        }
        int outer = 1;
        for (int d = 0; d < ax; d++) {
            outer *= shape[d];
        }
        float[] out = new float[TensorData.elementCount(shape)];
        int at = 0;
        for (int o = 0; o < outer; o++) {
            for (TensorData p : parts) {
                int chunk = p.size() / outer;
                System.arraycopy(p.floats(), o * chunk, out, at, chunk);
                at += chunk;
            }
        }
        activateInPlace(out, activation);
        return TensorData.ofFloats(shape, out);
    }

    /** STRIDED_SLICE with begin/end masks, shrink-axis mask and the offset flag; no ellipsis or new axes. */
    static TensorData stridedSlice(TensorData a, int[] begin, int[] end, int[] strides, StridedSlice options,
            String where) {
        int[] shape = a.shape();
        int rank = shape.length;
        if (options.ellipsisMask() != 0 || options.newAxisMask() != 0) {
            throw new IllegalArgumentException(where + ": STRIDED_SLICE with ellipsis or new-axis masks is not supported");
        }
        if (begin.length != rank || end.length != rank || strides.length != rank) {
            throw new IllegalArgumentException(where + ": begin/end/strides must have one entry per dimension of "
                    + Arrays.toString(shape));
        }
        int[] start = new int[rank];
        int[] count = new int[rank];
        int[] step = new int[rank];
        int[] outShape = new int[rank];
        int outRank = 0;
        for (int d = 0; d < rank; d++) {
            int dim = shape[d];
            int stride = strides[d];
            if (stride == 0) {
                throw new IllegalArgumentException(where + ": stride 0 on axis " + d);
            }
            boolean shrink = (options.shrinkAxisMask() >> d & 1) != 0;
            int b = begin[d] < 0 ? begin[d] + dim : begin[d];
            int e = options.offset() ? begin[d] + end[d] : end[d];
            e = e < 0 ? e + dim : e;
            int lo = stride > 0 ? 0 : -1;
            int hi = stride > 0 ? dim : dim - 1;
            if (shrink) {
                if (b < 0 || b >= dim) {
                    throw new IllegalArgumentException(where + ": shrink index " + begin[d] + " out of range on axis " + d);
                }
                start[d] = b;
                count[d] = 1;
                step[d] = 1;
                continue;
            }
            b = (options.beginMask() >> d & 1) != 0 ? (stride > 0 ? 0 : dim - 1) : Math.max(lo, Math.min(hi, b));
            e = (options.endMask() >> d & 1) != 0 ? (stride > 0 ? dim : -1) : Math.max(lo, Math.min(hi, e));
            int n = stride > 0 ? (e - b + stride - 1) / stride : (b - e + (-stride) - 1) / (-stride);
            start[d] = b;
            count[d] = Math.max(0, n);
            step[d] = stride;
            outShape[outRank++] = count[d];
        }
        float[] x = a.requireFloats(where);
        int[] inStrides = TensorData.strides(shape);
        int total = 1;
        for (int c : count) {
            total *= c;
        }
        float[] out = new float[total];
        int[] index = new int[rank];
        for (int i = 0; i < total; i++) {
            int source = 0;
            for (int d = 0; d < rank; d++) {
                source += (start[d] + index[d] * step[d]) * inStrides[d];
            }
            out[i] = x[source];
            for (int d = rank - 1; d >= 0; d--) {
                if (++index[d] < count[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return TensorData.ofFloats(Arrays.copyOf(outShape, outRank), out);
    }

    /** Dot product with four independent accumulators, so the CPU can overlap the multiply-adds. */
    static float dot(float[] a, int aBase, float[] b, int bBase, int length) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int c = 0;
        for (; c + 3 < length; c += 4) {
            s0 += a[aBase + c] * b[bBase + c];
            s1 += a[aBase + c + 1] * b[bBase + c + 1];
            s2 += a[aBase + c + 2] * b[bBase + c + 2];
            s3 += a[aBase + c + 3] * b[bBase + c + 3];
        }
        for (; c < length; c++) {
            s0 += a[aBase + c] * b[bBase + c];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * CONV_2D: input NHWC, filter [outChannels, kernelH, kernelW, inChannels], optional bias, SAME or
     * VALID padding (SAME puts the extra row/column at the bottom/right, as TFLite does), strides,
     * dilations and the fused activation.
     */
    static TensorData conv2d(TensorData input, TensorData filter, TensorData bias, Conv2D options, String where) {
        float[] x = input.requireFloats(where);
        float[] w = filter.requireFloats(where);
        float[] b = bias == null ? null : bias.requireFloats(where);
        if (input.rank() != 4 || filter.rank() != 4) {
            throw new IllegalArgumentException(where + ": CONV_2D needs rank-4 input and filter, got " + input + " and "
                    + filter);
        }
        int batches = input.shape()[0];
        int height = input.shape()[1];
        int width = input.shape()[2];
        int inChannels = input.shape()[3];
        int outChannels = filter.shape()[0];
        int kernelH = filter.shape()[1];
        int kernelW = filter.shape()[2];
        if (filter.shape()[3] != inChannels) {
            throw new IllegalArgumentException(where + ": filter " + filter + " does not match " + inChannels
                    + " input channels (grouped convolution is not supported)");
        }
        if (b != null && b.length != outChannels) {
            throw new IllegalArgumentException(where + ": bias has " + b.length + " values for " + outChannels + " channels");
        }
        int sh = options.strideH();
        int sw = options.strideW();
        int dh = options.dilationH();
        int dw = options.dilationW();
        int effectiveH = (kernelH - 1) * dh + 1;
        int effectiveW = (kernelW - 1) * dw + 1;
        int outH;
        int outW;
        int padTop = 0;
        int padLeft = 0;
        if (options.padding() == Padding.SAME) {
            outH = (height + sh - 1) / sh;
            outW = (width + sw - 1) / sw;
            padTop = Math.max(0, (outH - 1) * sh + effectiveH - height) / 2;
            padLeft = Math.max(0, (outW - 1) * sw + effectiveW - width) / 2;
        } else {
            outH = (height - effectiveH + sh) / sh;
            outW = (width - effectiveW + sw) / sw;
        }
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException(where + ": kernel " + filter + " larger than input " + input);
        }
        float[] out = new float[batches * outH * outW * outChannels];
        int at = 0;
        for (int n = 0; n < batches; n++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    for (int oc = 0; oc < outChannels; oc++) {
                        double sum = b == null ? 0 : b[oc];
                        for (int ky = 0; ky < kernelH; ky++) {
                            int iy = oy * sh - padTop + ky * dh;
                            if (iy < 0 || iy >= height) {
                                continue;
                            }
                            for (int kx = 0; kx < kernelW; kx++) {
                                int ix = ox * sw - padLeft + kx * dw;
                                if (ix < 0 || ix >= width) {
                                    continue;
                                }
                                int xBase = ((n * height + iy) * width + ix) * inChannels;
                                int wBase = ((oc * kernelH + ky) * kernelW + kx) * inChannels;
                                sum += dot(x, xBase, w, wBase, inChannels);
                            }
                        }
                        out[at++] = activate((float) sum, options.activation());
                    }
                }
            }
        }
        return TensorData.ofFloats(new int[] {batches, outH, outW, outChannels}, out);
    }
}
