package dev.synctalk.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.tflite.OperatorOptions.Activation;
import dev.synctalk.tflite.OperatorOptions.Conv2D;
import dev.synctalk.tflite.OperatorOptions.Padding;
import dev.synctalk.tflite.OperatorOptions.StridedSlice;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kernel against small cases worked out by hand. */
class TfliteKernelsTest {
    private static final String AT = "test op";

    private static TensorData f(int[] shape, float... values) {
        return TensorData.ofFloats(shape, values);
    }

    private static int[] s(int... dims) {
        return dims;
    }

    @Test
    void addBroadcastsARowOverEveryRowAndAppliesTheFusedRelu() {
        TensorData a = f(s(2, 3), 1, -2, 3, -4, 5, -6);
        TensorData row = f(s(3), 10, 0, -10);
        TensorData sum = TfliteKernels.binary(a, row, Float::sum, Activation.NONE, AT);
        assertArrayEquals(s(2, 3), sum.shape());
        assertArrayEquals(new float[] {11, -2, -7, 6, 5, -16}, sum.floats());
        TensorData relu = TfliteKernels.binary(a, row, Float::sum, Activation.RELU, AT);
        assertArrayEquals(new float[] {11, 0, 0, 6, 5, 0}, relu.floats());
    }

    @Test
    void binaryOpsBroadcastAColumnAgainstARowAndAScalar() {
        TensorData column = f(s(2, 1), 1, 2);
        TensorData row = f(s(1, 3), 10, 20, 30);
        TensorData product = TfliteKernels.binary(column, row, (x, y) -> x * y, Activation.NONE, AT);
        assertArrayEquals(s(2, 3), product.shape());
        assertArrayEquals(new float[] {10, 20, 30, 20, 40, 60}, product.floats());
        TensorData quotient = TfliteKernels.binary(row, f(s(), 4), (x, y) -> x / y, Activation.NONE, AT);
        assertArrayEquals(new float[] {2.5f, 5, 7.5f}, quotient.floats());
        TensorData difference = TfliteKernels.binary(f(s(), 1), row, (x, y) -> x - y, Activation.NONE, AT);
        assertArrayEquals(new float[] {-9, -19, -29}, difference.floats());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TfliteKernels.binary(f(s(2), 1, 2), f(s(3), 1, 2, 3), Float::sum, Activation.NONE, AT));
        assertTrue(e.getMessage().contains("do not broadcast"), e.getMessage());
    }

    @Test
    void squaredDifferenceBroadcastsLikeLayerNormVariance() {
        TensorData x = f(s(1, 2, 2), 1, 3, 2, 6);
        TensorData mean = f(s(1, 2, 1), 2, 4);
        TensorData sq = TfliteKernels.binary(x, mean, (a, b) -> (a - b) * (a - b), Activation.NONE, AT);
        assertArrayEquals(new float[] {1, 1, 4, 4}, sq.floats());
    }

    @Test
    void fusedActivationsClampAsTfliteDefinesThem() {
        assertEquals(6f, TfliteKernels.activate(7.5f, Activation.RELU6));
        assertEquals(0f, TfliteKernels.activate(-1f, Activation.RELU6));
        assertEquals(-1f, TfliteKernels.activate(-3f, Activation.RELU_N1_TO_1));
        assertEquals(0.5f, TfliteKernels.activate(0.5f, Activation.RELU_N1_TO_1));
        assertEquals(0.2913126f, TfliteKernels.activate(0.3f, Activation.TANH), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> TfliteKernels.activate(1f, Activation.SIGN_BIT));
    }

    @Test
    void unaryOpsNegSqrtRsqrtAndLogistic() {
        TensorData x = f(s(3), 4, 1, 0.25f);
        assertArrayEquals(new float[] {-4, -1, -0.25f}, TfliteKernels.unary(x, v -> -v, AT).floats());
        assertArrayEquals(new float[] {2, 1, 0.5f}, TfliteKernels.unary(x, v -> (float) Math.sqrt(v), AT).floats());
        assertArrayEquals(new float[] {0.5f, 1, 2},
                TfliteKernels.unary(x, v -> (float) (1 / Math.sqrt(v)), AT).floats(), 1e-7f);
        assertEquals(0.5f, TfliteKernels.logistic(0f));
        assertEquals(0.880797f, TfliteKernels.logistic(2f), 1e-6f);
        assertEquals(0.119203f, TfliteKernels.logistic(-2f), 1e-6f);
    }

    @Test
    void meanAndSumReduceTheNamedAxesKeepingOrDroppingThem() {
        TensorData x = f(s(2, 3), 1, 2, 3, 4, 5, 6);
        TensorData rowMeans = TfliteKernels.reduce(x, s(1), true, true, AT);
        assertArrayEquals(s(2, 1), rowMeans.shape());
        assertArrayEquals(new float[] {2, 5}, rowMeans.floats());
        TensorData columnSums = TfliteKernels.reduce(x, s(-2), false, false, AT);
        assertArrayEquals(s(3), columnSums.shape());
        assertArrayEquals(new float[] {5, 7, 9}, columnSums.floats());
        TensorData all = TfliteKernels.reduce(x, s(0, 1, 1), false, true, AT);
        assertArrayEquals(s(), all.shape());
        assertArrayEquals(new float[] {3.5f}, all.floats());
        // A scalar axis tensor (the blendshape graph's MEAN over axis 1) is one axis.
        TensorData points = f(s(1, 3, 2), 0, 0, 2, 4, 4, 8);
        TensorData centroid = TfliteKernels.reduce(points, s(1), true, true, AT);
        assertArrayEquals(s(1, 1, 2), centroid.shape());
        assertArrayEquals(new float[] {2, 4}, centroid.floats());
    }

    @Test
    void transposeMovesAxesByThePermutation() {
        TensorData x = f(s(2, 3), 1, 2, 3, 4, 5, 6);
        TensorData t = TfliteKernels.transpose(x, s(1, 0), AT);
        assertArrayEquals(s(3, 2), t.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.floats());
        // The graph's 4-d perm [0, 1, 3, 2] swaps tokens and channels.
        TensorData y = f(s(1, 1, 2, 3), 1, 2, 3, 4, 5, 6);
        TensorData u = TfliteKernels.transpose(y, s(0, 1, 3, 2), AT);
        assertArrayEquals(s(1, 1, 3, 2), u.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, u.floats());
        TensorData z = f(s(2, 1, 2), 1, 2, 3, 4);
        assertArrayEquals(new float[] {1, 3, 2, 4}, TfliteKernels.transpose(z, s(2, 1, 0), AT).floats());
    }

    @Test
    void reshapeKeepsElementsAndInfersOneMinusOne() {
        TensorData x = f(s(2, 3), 1, 2, 3, 4, 5, 6);
        TensorData r = TfliteKernels.reshape(x, s(3, -1), AT);
        assertArrayEquals(s(3, 2), r.shape());
        assertArrayEquals(x.floats(), r.floats());
        assertThrows(IllegalArgumentException.class, () -> TfliteKernels.reshape(x, s(4, -1), AT));
    }

    @Test
    void stridedSliceHonoursMasksStridesNegativeIndicesAndShrink() {
        TensorData x = f(s(3, 4), 0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23);
        StridedSlice plain = new StridedSlice(0, 0, 0, 0, 0, false);
        TensorData every2nd = TfliteKernels.stridedSlice(x, s(0, 1), s(3, 4), s(1, 2), plain, AT);
        assertArrayEquals(s(3, 2), every2nd.shape());
        assertArrayEquals(new float[] {1, 3, 11, 13, 21, 23}, every2nd.floats());
        // begin_mask on axis 0 ignores begin; negative end counts from the back; end beyond size clamps.
        TensorData masked = TfliteKernels.stridedSlice(x, s(2, 0), s(-1, 99), s(1, 1),
                new StridedSlice(1, 0, 0, 0, 0, false), AT);
        assertArrayEquals(s(2, 4), masked.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 10, 11, 12, 13}, masked.floats());
        // Reverse a row; shrink axis 0 takes row 1 and drops the axis.
        TensorData reversed = TfliteKernels.stridedSlice(x, s(1, -1), s(2, 0), s(1, -1),
                new StridedSlice(0, 2, 0, 0, 1, false), AT);
        assertArrayEquals(s(4), reversed.shape());
        assertArrayEquals(new float[] {13, 12, 11, 10}, reversed.floats());
        // The blendshape graph's last op: [1, 52] with shrink on axis 0 -> [52].
        TensorData row = f(s(1, 3), 7, 8, 9);
        TensorData squeezed = TfliteKernels.stridedSlice(row, s(0, 0), s(1, 0), s(1, 1),
                new StridedSlice(2, 2, 0, 0, 1, false), AT);
        assertArrayEquals(s(3), squeezed.shape());
        assertArrayEquals(new float[] {7, 8, 9}, squeezed.floats());
        // offset: end is relative to begin.
        TensorData relative = TfliteKernels.stridedSlice(x, s(1, 1), s(1, 2), s(1, 1),
                new StridedSlice(0, 0, 0, 0, 0, true), AT);
        assertArrayEquals(new float[] {11, 12}, relative.floats());
    }

    @Test
    void concatenationJoinsAlongANegativeAxis() {
        TensorData token = f(s(1, 1, 2), 9, 9);
        TensorData tokens = f(s(1, 2, 2), 1, 2, 3, 4);
        TensorData joined = TfliteKernels.concatenate(List.of(token, tokens), -2, Activation.NONE, AT);
        assertArrayEquals(s(1, 3, 2), joined.shape());
        assertArrayEquals(new float[] {9, 9, 1, 2, 3, 4}, joined.floats());
        TensorData lastAxis = TfliteKernels.concatenate(List.of(f(s(2, 1), 1, 2), f(s(2, 2), 3, 4, 5, 6)), 1,
                Activation.NONE, AT);
        assertArrayEquals(new float[] {1, 3, 4, 2, 5, 6}, lastAxis.floats());
    }

    @Test
    void pointwiseConv2dIsAMatrixProductPlusBiasWithFusedRelu() {
        // Input [1, 1, 2, 3] (two positions, three channels); filter [2, 1, 1, 3].
        TensorData input = f(s(1, 1, 2, 3), 1, 2, 3, 4, 5, 6);
        TensorData filter = f(s(2, 1, 1, 3), 1, 0, -1, 0.5f, 0.5f, 0.5f);
        TensorData bias = f(s(2), 1, -10);
        TensorData out = TfliteKernels.conv2d(input, filter, bias,
                new Conv2D(Padding.VALID, 1, 1, Activation.NONE, 1, 1), AT);
        assertArrayEquals(s(1, 1, 2, 2), out.shape());
        // position 0: 1-3+1 = -1, 0.5*6-10 = -7; position 1: 4-6+1 = -1, 0.5*15-10 = -2.5
        assertArrayEquals(new float[] {-1, -7, -1, -2.5f}, out.floats());
        TensorData relu = TfliteKernels.conv2d(input, filter, bias,
                new Conv2D(Padding.VALID, 1, 1, Activation.RELU, 1, 1), AT);
        assertArrayEquals(new float[] {0, 0, 0, 0}, relu.floats());
    }

    @Test
    void conv2dSamePaddingWithStrideAndValidPaddingWithDilation() {
        // 3x3 single-channel image 1..9, 2x2 all-ones kernel.
        TensorData image = f(s(1, 3, 3, 1), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        TensorData ones = f(s(1, 2, 2, 1), 1, 1, 1, 1);
        // SAME, stride 2: output 2x2; total padding 1 per axis goes to the bottom/right.
        TensorData same = TfliteKernels.conv2d(image, ones, null, new Conv2D(Padding.SAME, 2, 2, Activation.NONE, 1, 1), AT);
        assertArrayEquals(s(1, 2, 2, 1), same.shape());
        assertArrayEquals(new float[] {1 + 2 + 4 + 5, 3 + 6, 7 + 8, 9}, same.floats());
        // VALID with dilation 2: one output, the four corners.
        TensorData dilated = TfliteKernels.conv2d(image, ones, null, new Conv2D(Padding.VALID, 1, 1, Activation.NONE, 2, 2), AT);
        assertArrayEquals(s(1, 1, 1, 1), dilated.shape());
        assertArrayEquals(new float[] {1 + 3 + 7 + 9}, dilated.floats());
    }

    @Test
    void dequantizeDecodesHalfPrecisionWeights() {
        short[] bits = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x3555, 0x0000, (short) 0x8000, (short) 0x7C00};
        TensorData halfs = TensorData.ofHalfs(s(8), bits);
        float[] values = TfliteKernels.dequantize(halfs, AT).floats();
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, 0.33325195f, 0f, -0f, Float.POSITIVE_INFINITY}, values);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TfliteKernels.dequantize(f(s(1), 1), AT));
        assertTrue(e.getMessage().contains("DEQUANTIZE from FLOAT32"), e.getMessage());
    }
}
