package dev.synctalk.nerf;

import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AudioNetsTest {
    /** Relative error bound (float32 forward, central differences). */
    private static final double TOLERANCE = 2e-2;
    /** Bound for the attention net: five convolutions behind a softmax leave float32 noise of a few percent. */
    private static final double ATTENTION_TOLERANCE = 5e-2;
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
    void audioAttNetGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(41);
        AudioAttNet net = new AudioAttNet(6, 8, 9);
        // the conv stack reaches the output only through a softmax: a sharper attention layer (x 8) and
        // a larger step keep its small gradients above the float32 noise of the objective
        float[] attentionWeight = net.paramGroup(1e-3).params().get(10).data();
        for (int i = 0; i < attentionWeight.length; i++) {
            attentionWeight[i] *= 8f;
        }
        Tensor codes = Tensor.uniform(rng, -2f, 2f, 2, 8, 6);
        float[] probe = GradientCheck.probe(rng, 2 * 6);
        AudioAttNet.Trace trace = net.forward(backend, codes);
        Tensor gradCodes = net.backward(backend, trace, Tensor.wrap(probe, 2, 6));
        DoubleSupplier objective = () -> GradientCheck.weightedSum(net.forward(backend, codes).output().data(), probe);
        ParamGroup group = net.paramGroup(1e-3);
        assertEquals(12, group.params().size(), "five convolutions and the attention layer, weight and bias each");
        for (int i = 0; i < group.params().size(); i++) {
            GradientCheck.assertMatches("attention tensor " + i, group.params().get(i).data(), group.grads().get(i).data(),
                    objective, 1e-2f, GradientCheck.indices(rng, group.params().get(i).size(), 30), ATTENTION_TOLERANCE);
        }
        GradientCheck.assertMatches("window codes", codes.data(), gradCodes.data(), objective, 1e-3f,
                GradientCheck.indices(rng, codes.size(), 40), TOLERANCE);
    }

    @Test
    void attentionWeightsAreADistributionOverTheWindow() {
        AudioAttNet net = new AudioAttNet(4, 8, 2);
        Tensor codes = Tensor.uniform(new SplittableRandom(3), -1f, 1f, 1, 8, 4);
        float[] w = net.forward(backend, codes).weights().data();
        double sum = 0;
        for (float v : w) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-5);
    }

    @Test
    void aveAudioNetGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(43);
        AveAudioNet net = new AveAudioNet(12, 10, 8, 5, 1);
        Tensor features = Tensor.uniform(rng, -1f, 1f, 3, 12);
        checkFeatureNet(net, features, rng);
    }

    @Test
    void melAudioNetGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(47);
        MelAudioNet net = new MelAudioNet(6, 5, 4, 3, 7, 5, 1);
        Tensor windows = Tensor.uniform(rng, -4f, 4f, 2, 6, 5);
        checkFeatureNet(net, windows, rng);
    }

    private static void checkFeatureNet(AudioFeatureNet net, Tensor features, SplittableRandom rng) {
        AudioFeatureNet.Pass pass = net.forward(backend, features);
        float[] probe = GradientCheck.probe(rng, pass.codes().size());
        pass.backward(backend, Tensor.wrap(probe, pass.codes().shape()));
        DoubleSupplier objective = () -> GradientCheck.weightedSum(net.forward(backend, features).codes().data(), probe);
        ParamGroup group = net.paramGroup(1e-3);
        for (int i = 0; i < group.params().size(); i++) {
            GradientCheck.assertMatches(group.name() + " tensor " + i, group.params().get(i).data(),
                    group.grads().get(i).data(), objective, 1e-3f,
                    GradientCheck.indices(rng, group.params().get(i).size(), 30), TOLERANCE);
        }
    }
}
