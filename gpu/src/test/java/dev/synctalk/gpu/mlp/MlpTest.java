package dev.synctalk.gpu.mlp;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MlpTest {
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @Test
    void denseGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(31);
        Dense layer = new Dense(5, 4, true);
        int n = 7;
        Tensor x = Tensor.uniform(rng, -1f, 1f, n, 5);
        Tensor w = layer.newWeight(rng);
        Tensor b = layer.newBias(rng);
        Tensor y = Tensor.zeros(n, 4);
        float[] probe = GradientCheck.probe(rng, y.size());
        Tensor gx = Tensor.zeros(n, 5);
        Tensor gw = Tensor.zeros(4, 5);
        Tensor gb = Tensor.zeros(4);
        backend.denseBackward(layer, x, w, Tensor.wrap(probe, n, 4), gx, gw, gb);
        DoubleSupplier objective = () -> {
            backend.denseForward(layer, x, w, b, y);
            return GradientCheck.weightedSum(y.data(), probe);
        };
        int[] all = GradientCheck.indices(rng, 1000, 1000);
        GradientCheck.assertMatches("dense input", x.data(), gx.data(), objective, 1e-3f, slice(all, x.size()), 1e-3);
        GradientCheck.assertMatches("dense weight", w.data(), gw.data(), objective, 1e-3f, slice(all, w.size()), 1e-3);
        GradientCheck.assertMatches("dense bias", b.data(), gb.data(), objective, 1e-3f, slice(all, b.size()), 1e-3);
    }

    private static int[] slice(int[] all, int n) {
        return java.util.Arrays.copyOf(all, n);
    }

    @Test
    void denseBackwardAccumulatesParameterGradients() {
        SplittableRandom rng = new SplittableRandom(32);
        Dense layer = new Dense(3, 2, false);
        Tensor x = Tensor.uniform(rng, -1f, 1f, 4, 3);
        Tensor w = layer.newWeight(rng);
        Tensor gy = Tensor.uniform(rng, -1f, 1f, 4, 2);
        Tensor once = Tensor.zeros(2, 3);
        backend.denseBackward(layer, x, w, gy, null, once, null);
        Tensor twice = Tensor.zeros(2, 3);
        backend.denseBackward(layer, x, w, gy, null, twice, null);
        backend.denseBackward(layer, x, w, gy, null, twice, null);
        for (int i = 0; i < once.size(); i++) {
            assertEquals(2 * once.data()[i], twice.data()[i], 1e-6f);
        }
    }

    @Test
    void activationGradientsMatchFiniteDifferences() {
        List<Activation> activations = List.of(new Activation.Relu(), new Activation.LeakyRelu(0.02f),
                new Activation.Sigmoid(), new Activation.Softplus(), new Activation.TruncExp(), new Activation.Identity());
        for (Activation a : activations) {
            SplittableRandom rng = new SplittableRandom(41);
            // keep away from ReLU's kink at 0 so central differences are valid
            float[] xs = new float[30];
            for (int i = 0; i < xs.length; i++) {
                double v = 0.05 + 1.9 * rng.nextDouble();
                xs[i] = (float) (rng.nextBoolean() ? v : -v);
            }
            Tensor x = Tensor.wrap(xs, 30);
            Tensor y = Tensor.zeros(30);
            backend.activationForward(a, x, y);
            float[] probe = GradientCheck.probe(rng, 30);
            Tensor gx = Tensor.zeros(30);
            backend.activationBackward(a, x, y, Tensor.wrap(probe, 30), gx);
            GradientCheck.assertMatches(a.toString(), x.data(), gx.data(), () -> {
                backend.activationForward(a, x, y);
                return GradientCheck.weightedSum(y.data(), probe);
            }, 1e-3f, GradientCheck.indices(rng, 30, 30), 1e-2);
        }
    }

    @Test
    void truncExpClampsItsGradientAboveFifteen() {
        Activation a = new Activation.TruncExp();
        Tensor x = Tensor.wrap(new float[]{2f, 20f}, 2);
        Tensor y = Tensor.zeros(2);
        backend.activationForward(a, x, y);
        assertEquals((float) Math.exp(20), y.data()[1], 1e3f, "forward is the plain exponential");
        Tensor gx = Tensor.zeros(2);
        backend.activationBackward(a, x, y, Tensor.wrap(new float[]{1f, 1f}, 2), gx);
        assertEquals((float) Math.exp(2), gx.data()[0], 1e-5f);
        assertEquals((float) Math.exp(15), gx.data()[1], 1f, "gradient uses exp(min(x, 15))");
    }

    @Test
    void softplusIsLinearAboveTorchThreshold() {
        Activation a = new Activation.Softplus();
        assertEquals(25f, a.apply(25f));
        assertEquals(1f, a.derivative(25f, 25f));
        assertEquals((float) Math.log(2), a.apply(0f), 1e-7f);
    }

    @Test
    void mlpGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(51);
        Mlp mlp = new Mlp(List.of(6, 8, 5, 3), true, new Activation.LeakyRelu(0.02f), new Activation.Sigmoid());
        int n = 9;
        Tensor x = Tensor.uniform(rng, -1f, 1f, n, 6);
        List<Tensor> params = mlp.newParameters(rng);
        List<Tensor> grads = mlp.newGradients();
        float[] probe = GradientCheck.probe(rng, n * 3);
        Tensor gx = Tensor.zeros(n, 6);
        var trace = backend.mlpForward(mlp, params, x);
        backend.mlpBackward(mlp, params, trace, Tensor.wrap(probe, n, 3), grads, gx);
        DoubleSupplier objective = () -> GradientCheck.weightedSum(backend.mlpForward(mlp, params, x).output().data(), probe);
        GradientCheck.assertMatches("MLP input", x.data(), gx.data(), objective, 1e-3f,
                GradientCheck.indices(rng, x.size(), 54), 1e-2);
        for (int p = 0; p < params.size(); p++) {
            GradientCheck.assertMatches("MLP parameter " + p, params.get(p).data(), grads.get(p).data(), objective,
                    1e-3f, GradientCheck.indices(rng, params.get(p).size(), 40), 1e-2);
        }
    }

    @Test
    void syncTalkMlpHasNoBiasAndReluBetweenLayers() {
        Mlp sigma = Mlp.syncTalk(36 + 32 + 7, 65, 64, 3);
        assertEquals(List.of(75, 64, 64, 65), sigma.widths());
        assertEquals(3, sigma.parameterTensorCount());
        assertEquals(new Activation.Relu(), sigma.activation(0));
        assertEquals(new Activation.Identity(), sigma.activation(2));
        List<Tensor> params = sigma.newParameters(new SplittableRandom(1));
        assertArrayEquals(new int[]{64, 75}, params.get(0).shape());
        assertArrayEquals(new int[]{65, 64}, params.get(2).shape());
    }
}
