package dev.synctalk.gpu.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The CPU reference ops of the Face-Sync networks: convolutions against {@link Conv2d}'s loops, the other
 * ops against finite differences, and the same bits for any thread count.
 */
class CpuConvOpsTest {
    private static final List<Conv2d> CONVS = List.of(Conv2d.square(2, 3, 3, 1, 1), new Conv2d(3, 4, 3, 3, 3, 1, 1, 1),
            Conv2d.square(3, 2, 3, 2, 1), new Conv2d(4, 3, 3, 3, 1, 2, 1, 1), Conv2d.square(3, 5, 3, 1, 0),
            Conv2d.square(5, 2, 1, 1, 0));

    private static float[] uniform(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextDouble(-1, 1);
        }
        return v;
    }

    private static float[] read(ConvOps ops, ConvBuffer b) {
        float[] out = new float[(int) b.floats()];
        ops.download(b, out);
        return out;
    }

    @Test
    void convolutionsAgreeWithConv2dLoops() {
        SplittableRandom rng = new SplittableRandom(11);
        try (CpuConvOps ops = new CpuConvOps(2)) {
            for (Conv2d conv : CONVS) {
                int batch = 2;
                int h = 9;
                int w = 7;
                int ho = conv.outputHeight(h);
                int wo = conv.outputWidth(w);
                float[] x = uniform(rng, batch * conv.inChannels() * h * w);
                float[] weight = uniform(rng, conv.weightCount());
                float[] bias = uniform(rng, conv.outChannels());
                float[] gy = uniform(rng, batch * conv.outChannels() * ho * wo);
                float[] expectedY = new float[gy.length];
                conv.forward(x, weight, bias, expectedY, h, w, 0, batch);
                float[] expectedGx = new float[x.length];
                conv.backwardInput(gy, weight, expectedGx, h, w, 0, batch);
                float[] expectedGw = new float[weight.length];
                float[] expectedGb = new float[bias.length];
                conv.backwardParameters(x, gy, expectedGw, expectedGb, batch, h, w);

                ConvBuffer bx = ops.upload(x);
                ConvBuffer bw = ops.upload(weight);
                ConvBuffer by = ops.zeros(gy.length);
                ConvBuffer bgy = ops.upload(gy);
                ConvBuffer bgx = ops.zeros(x.length);
                ConvBuffer bgw = ops.zeros(weight.length);
                ConvBuffer bgb = ops.zeros(bias.length);
                ops.conv2dForward(conv, bx, bw, ops.upload(bias), by, batch, h, w);
                ops.conv2dBackwardData(conv, bgy, bw, bgx, batch, h, w);
                ops.conv2dBackwardFilter(conv, bx, bgy, bgw, bgb, batch, h, w);
                assertArrayEquals(expectedY, read(ops, by), "forward sums bias then taps in Conv2d's order: " + conv);
                assertArrayEquals(expectedGx, read(ops, bgx), 1e-5f, "input gradient of " + conv);
                assertArrayEquals(expectedGw, read(ops, bgw), 1e-5f, "filter gradient of " + conv);
                assertArrayEquals(expectedGb, read(ops, bgb), 1e-5f, "bias gradient of " + conv);
                // gradients accumulate
                ops.conv2dBackwardData(conv, bgy, bw, bgx, batch, h, w);
                float[] twice = read(ops, bgx);
                for (int i = 0; i < twice.length; i++) {
                    assertEquals(2 * expectedGx[i], twice[i], 2e-5f);
                }
            }
        }
    }

    @Test
    void resultsAreTheSameBitsForAnyThreadCount() {
        SplittableRandom rng = new SplittableRandom(12);
        Conv2d conv = Conv2d.square(4, 6, 3, 1, 1);
        int batch = 9;
        float[] x = uniform(rng, batch * 4 * 8 * 8);
        float[] weight = uniform(rng, conv.weightCount());
        float[] gy = uniform(rng, batch * 6 * 8 * 8);
        float[][] results = new float[2][];
        int[] threads = {1, 3};
        for (int t = 0; t < 2; t++) {
            try (CpuConvOps ops = new CpuConvOps(threads[t])) {
                ConvBuffer gw = ops.zeros(weight.length);
                ConvBuffer gx = ops.zeros(x.length);
                ConvBuffer y = ops.zeros(gy.length);
                ops.conv2dForward(conv, ops.upload(x), ops.upload(weight), null, y, batch, 8, 8);
                ops.conv2dBackwardFilter(conv, ops.upload(x), ops.upload(gy), gw, null, batch, 8, 8);
                ops.conv2dBackwardData(conv, ops.upload(gy), ops.upload(weight), gx, batch, 8, 8);
                float[] all = new float[weight.length + x.length + gy.length];
                System.arraycopy(read(ops, gw), 0, all, 0, weight.length);
                System.arraycopy(read(ops, gx), 0, all, weight.length, x.length);
                System.arraycopy(read(ops, y), 0, all, weight.length + x.length, gy.length);
                results[t] = all;
            }
        }
        assertArrayEquals(results[0], results[1]);
    }

    @Test
    void batchNormUsesItsStoredStatisticsAndGivesExactGradients() {
        try (CpuConvOps ops = new CpuConvOps(1)) {
            // one item, two channels of two pixels: mean (1, -1), var (3, 0) + eps 1: invStd (0.5, 1)
            float[] x = {3, 5, 0, 2};
            ConvBuffer y = ops.zeros(4);
            ops.batchNormForward(ops.upload(x), ops.upload(new float[] {2, -1}), ops.upload(new float[] {0.5f, 1}),
                    ops.upload(new float[] {1, -1}), ops.upload(new float[] {3, 0}), 1f, y, 1, 2, 2);
            // (3-1)*0.5*2+0.5 = 2.5, (5-1)*0.5*2+0.5 = 4.5, (0+1)*1*-1+1 = 0, (2+1)*1*-1+1 = -2
            assertArrayEquals(new float[] {2.5f, 4.5f, 0f, -2f}, read(ops, y));
            ConvBuffer gx = ops.zeros(4);
            ConvBuffer gg = ops.zeros(2);
            ConvBuffer gb = ops.zeros(2);
            ops.batchNormBackward(ops.upload(x), ops.upload(new float[] {2, -1}), ops.upload(new float[] {1, -1}),
                    ops.upload(new float[] {3, 0}), 1f, ops.upload(new float[] {1, 2, 3, 4}), gx, gg, gb, 1, 2, 2);
            // gx = gy * gamma * invStd; gGamma = sum gy * xhat; gBeta = sum gy
            assertArrayEquals(new float[] {1, 2, -3, -4}, read(ops, gx));
            assertArrayEquals(new float[] {1 * 1 + 2 * 2, 3 * 1 + 4 * 3}, read(ops, gg));
            assertArrayEquals(new float[] {3, 7}, read(ops, gb));
        }
    }

    @Test
    void elementwiseOpsAndTheirGradients() {
        try (CpuConvOps ops = new CpuConvOps(1)) {
            ConvBuffer x = ops.upload(new float[] {-1, 0, 2, Float.NaN});
            ConvBuffer y = ops.zeros(4);
            ops.reluForward(x, y, 4);
            float[] relu = read(ops, y);
            assertArrayEquals(new float[] {0, 0, 2}, java.util.Arrays.copyOf(relu, 3));
            assertEquals(Float.NaN, relu[3], "NaN passes the ReLU");
            ConvBuffer g = ops.upload(new float[] {5, 5, 5, 5});
            ops.reluBackward(y, ops.upload(new float[] {1, 1, 1, 1}), g, 4);
            assertArrayEquals(new float[] {5, 5, 6, 5}, read(ops, g));

            ConvBuffer s = ops.zeros(1);
            ops.sigmoidForward(ops.upload(new float[] {0}), s, 1);
            assertArrayEquals(new float[] {0.5f}, read(ops, s));
            ConvBuffer gs = ops.zeros(1);
            ops.sigmoidBackward(s, ops.upload(new float[] {2}), gs, 1);
            assertArrayEquals(new float[] {0.5f}, read(ops, gs), "2 x 0.5 x (1 - 0.5)");

            // per-item channel vector over a 1x2 plane, two items of one channel
            ConvBuffer pc = ops.zeros(4);
            ops.addPerChannelForward(ops.upload(new float[] {1, 2, 3, 4}), ops.upload(new float[] {10, 20}), pc, 2, 1, 2);
            assertArrayEquals(new float[] {11, 12, 23, 24}, read(ops, pc));
            ConvBuffer gv = ops.zeros(2);
            ops.addPerChannelBackward(ops.upload(new float[] {1, 2, 3, 4}), gv, 2, 1, 2);
            assertArrayEquals(new float[] {3, 7}, read(ops, gv));

            // 1x2 plane -> 2x4
            ConvBuffer up = ops.zeros(8);
            ops.upsample2xForward(ops.upload(new float[] {1, 2}), up, 1, 1, 2);
            assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2}, read(ops, up));
            ConvBuffer gu = ops.zeros(2);
            ops.upsample2xBackward(ops.upload(new float[] {1, 2, 3, 4, 5, 6, 7, 8}), gu, 1, 1, 2);
            assertArrayEquals(new float[] {1 + 2 + 5 + 6, 3 + 4 + 7 + 8}, read(ops, gu));
        }
    }
}
