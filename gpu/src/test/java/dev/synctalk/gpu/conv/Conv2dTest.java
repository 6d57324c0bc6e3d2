package dev.synctalk.gpu.conv;

import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Conv2dTest {

    /** Direct evaluation of the documented formula in double. */
    private static double reference(Conv2d c, float[] x, float[] w, float[] b, int h, int wd, int n, int co, int i, int j) {
        double sum = b == null ? 0 : b[co];
        for (int ci = 0; ci < c.inChannels(); ci++) {
            for (int kh = 0; kh < c.kernelH(); kh++) {
                for (int kw = 0; kw < c.kernelW(); kw++) {
                    int si = i * c.strideH() + kh - c.padH();
                    int sj = j * c.strideW() + kw - c.padW();
                    if (si >= 0 && si < h && sj >= 0 && sj < wd) {
                        sum += (double) w[((co * c.inChannels() + ci) * c.kernelH() + kh) * c.kernelW() + kw]
                                * x[((n * c.inChannels() + ci) * h + si) * wd + sj];
                    }
                }
            }
        }
        return sum;
    }

    @Test
    void forwardMatchesTheDefinitionWithAnisotropicStrideAndPadding() {
        SplittableRandom rng = new SplittableRandom(1);
        Conv2d conv = new Conv2d(3, 5, 3, 2, 3, 2, 1, 0);
        int h = 11;
        int w = 7;
        Tensor x = Tensor.uniform(rng, -1, 1, 2, 3, h, w);
        Tensor weight = conv.newWeight(rng);
        Tensor bias = conv.newBias(rng);
        Tensor y = conv.forward(x, weight, bias);
        assertArrayEquals(new int[] {2, 5, 4, 3}, y.shape()); // (11 + 2 - 3) / 3 + 1 = 4, (7 - 2) / 2 + 1 = 3
        for (int n = 0; n < 2; n++) {
            for (int co = 0; co < 5; co++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 3; j++) {
                        double expected = reference(conv, x.data(), weight.data(), bias.data(), h, w, n, co, i, j);
                        assertEquals(expected, y.data()[((n * 5 + co) * 4 + i) * 3 + j], 1e-5, "y[" + n + "," + co + "," + i + "," + j + "]");
                    }
                }
            }
        }
    }

    @Test
    void outputSizesFollowTheAudioEncoderStrides() {
        assertEquals(27, new Conv2d(32, 64, 3, 3, 3, 1, 1, 1).outputHeight(80));
        assertEquals(16, new Conv2d(32, 64, 3, 3, 3, 1, 1, 1).outputWidth(16));
        assertEquals(3, new Conv2d(128, 256, 3, 3, 3, 2, 1, 1).outputWidth(6));
        assertThrows(IllegalArgumentException.class, () -> Conv2d.square(1, 1, 5, 1, 0).outputHeight(4));
    }

    private static void checkGradients(Conv2d conv, int batch, int h, int w, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Tensor.uniform(rng, -1, 1, batch, conv.inChannels(), h, w);
        Tensor weight = conv.newWeight(rng);
        Tensor bias = conv.newBias(rng);
        int ho = conv.outputHeight(h);
        int wo = conv.outputWidth(w);
        float[] y = new float[batch * conv.outChannels() * ho * wo];
        float[] probe = GradientCheck.probe(rng, y.length);
        float[] gx = new float[x.size()];
        // parameter gradients accumulate: start from non-zero values and subtract them afterwards
        float[] gw = Tensor.uniform(rng, -1, 1, weight.size()).data();
        float[] gb = Tensor.uniform(rng, -1, 1, bias.size()).data();
        float[] gw0 = gw.clone();
        float[] gb0 = gb.clone();
        conv.backwardInput(probe, weight.data(), gx, h, w, 0, batch);
        conv.backwardParameters(x.data(), probe, gw, gb, batch, h, w);
        for (int i = 0; i < gw.length; i++) {
            gw[i] -= gw0[i];
        }
        for (int i = 0; i < gb.length; i++) {
            gb[i] -= gb0[i];
        }
        DoubleSupplier objective = () -> {
            conv.forward(x.data(), weight.data(), bias.data(), y, h, w, 0, batch);
            return GradientCheck.weightedSum(y, probe);
        };
        GradientCheck.assertMatches("conv2d input", x.data(), gx, objective, 1e-2f,
                GradientCheck.indices(rng, x.size(), 64), 2e-3);
        GradientCheck.assertMatches("conv2d weight", weight.data(), gw, objective, 1e-2f,
                GradientCheck.indices(rng, weight.size(), 48), 2e-3);
        GradientCheck.assertMatches("conv2d bias", bias.data(), gb, objective, 1e-2f,
                GradientCheck.indices(rng, bias.size(), 4), 2e-3);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithStrideOneAndPadding() {
        checkGradients(Conv2d.square(3, 4, 3, 1, 1), 2, 6, 5, 7);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithUnequalStrides() {
        checkGradients(new Conv2d(2, 3, 3, 3, 3, 2, 1, 1), 2, 10, 7, 8);
    }

    @Test
    void gradientsMatchFiniteDifferencesWithoutPadding() {
        checkGradients(new Conv2d(2, 3, 2, 3, 1, 1, 0, 0), 1, 5, 6, 9);
    }

    @Test
    void batchSplitGivesTheSameBitsAsOnePass() {
        SplittableRandom rng = new SplittableRandom(3);
        Conv2d conv = Conv2d.square(2, 3, 3, 2, 1);
        Tensor x = Tensor.uniform(rng, -1, 1, 4, 2, 9, 9);
        Tensor weight = conv.newWeight(rng);
        Tensor bias = conv.newBias(rng);
        Tensor whole = conv.forward(x, weight, bias);
        float[] split = new float[whole.size()];
        conv.forward(x.data(), weight.data(), bias.data(), split, 9, 9, 0, 1);
        conv.forward(x.data(), weight.data(), bias.data(), split, 9, 9, 1, 4);
        assertArrayEquals(whole.data(), split);
        assertTrue(whole.data().length == 4 * 3 * 5 * 5);
    }

    @Test
    void batchNormInferenceFoldsRunningStatistics() {
        float[] gamma = {2f, 0.5f};
        float[] beta = {1f, -1f};
        float[] mean = {0.5f, -2f};
        float[] var = {4f, 0.25f};
        BatchNorm2d norm = BatchNorm2d.fromRunningStats(gamma, beta, mean, var, BatchNorm2d.DEFAULT_EPS);
        float[] x = {1.5f, -0.5f, 3f, 0f, 7f, 8f, 9f, 10f}; // [N=2, C=2, plane 2]
        float[] expected = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = (i / 2) % 2;
            expected[i] = (float) ((x[i] - mean[c]) / Math.sqrt(var[c] + 1e-5) * gamma[c] + beta[c]);
        }
        norm.applyInPlace(x, 2, 0, 2);
        assertArrayEquals(expected, x, 1e-5f);
        assertThrows(IllegalArgumentException.class, () -> BatchNorm2d.fromRunningStats(gamma, beta, mean,
                new float[] {1f}, 1e-5));
    }
}
