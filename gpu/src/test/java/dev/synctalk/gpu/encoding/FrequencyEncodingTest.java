package dev.synctalk.gpu.encoding;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FrequencyEncodingTest {
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
    void frequencyEncodingGradientMatchesFiniteDifferences() {
        for (FrequencyEncoding enc : new FrequencyEncoding[]{FrequencyEncoding.torchNgp(2, 4),
                new FrequencyEncoding(3, 3, false, true)}) {
            SplittableRandom rng = new SplittableRandom(4);
            int n = 12;
            Tensor x = Tensor.uniform(rng, -1f, 1f, n, enc.inputDim());
            Tensor out = Tensor.zeros(n, enc.outputDim());
            float[] probe = GradientCheck.probe(rng, out.size());
            Tensor grad = Tensor.zeros(n, enc.inputDim());
            backend.frequencyEncodingBackward(enc, x, Tensor.wrap(probe, n, enc.outputDim()), grad);
            GradientCheck.assertMatches("frequency encoding " + enc, x.data(), grad.data(), () -> {
                backend.frequencyEncodingForward(enc, x, out);
                return GradientCheck.weightedSum(out.data(), probe);
            }, 1e-3f, GradientCheck.indices(rng, x.size(), 40), 1e-2);
        }
    }

    @Test
    void frequencyEncodingFollowsTorchNgpLayout() {
        // SyncTalk's torso deform encoder: 2D input, 8 frequencies -> 2 + 2*2*8 = 34
        assertEquals(34, FrequencyEncoding.torchNgp(2, 8).outputDim());
        FrequencyEncoding enc = FrequencyEncoding.torchNgp(2, 2);
        Tensor x = Tensor.wrap(new float[]{0.3f, -0.5f}, 1, 2);
        Tensor out = Tensor.zeros(1, enc.outputDim());
        backend.frequencyEncodingForward(enc, x, out);
        float[] expected = {0.3f, -0.5f,
                (float) Math.sin(0.3), (float) Math.sin(-0.5), (float) Math.cos(0.3), (float) Math.cos(-0.5),
                (float) Math.sin(0.6), (float) Math.sin(-1.0), (float) Math.cos(0.6), (float) Math.cos(-1.0)};
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], out.data()[k], 1e-6f, "column " + k);
        }
    }
}
