package dev.synctalk.gpu.mlp;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class Conv1dTest {
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
    void conv1dGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(61);
        Conv1d conv = new Conv1d(4, 3, 3, 1);
        int batch = 2;
        int length = 8;
        Tensor x = Tensor.uniform(rng, -1f, 1f, batch, 4, length);
        Tensor w = conv.newWeight(rng);
        Tensor b = conv.newBias(rng);
        Tensor y = Tensor.zeros(batch, 3, conv.outputLength(length));
        float[] probe = GradientCheck.probe(rng, y.size());
        Tensor gx = Tensor.zeros(batch, 4, length);
        Tensor gw = Tensor.zeros(3, 4, 3);
        Tensor gb = Tensor.zeros(3);
        backend.conv1dBackward(conv, x, w, Tensor.wrap(probe, y.shape()), gx, gw, gb);
        DoubleSupplier objective = () -> {
            backend.conv1dForward(conv, x, w, b, y);
            return GradientCheck.weightedSum(y.data(), probe);
        };
        GradientCheck.assertMatches("conv1d input", x.data(), gx.data(), objective, 1e-3f,
                GradientCheck.indices(rng, x.size(), 64), 1e-3);
        GradientCheck.assertMatches("conv1d weight", w.data(), gw.data(), objective, 1e-3f,
                GradientCheck.indices(rng, w.size(), 36), 1e-3);
        GradientCheck.assertMatches("conv1d bias", b.data(), gb.data(), objective, 1e-3f,
                GradientCheck.indices(rng, b.size(), 3), 1e-3);
    }

    @Test
    void conv1dZeroPadsBothEnds() {
        // one channel, kernel (1, 2, 3), padding 1, bias 0.5 over x = (1, 10, 100)
        Conv1d conv = new Conv1d(1, 1, 3, 1);
        Tensor x = Tensor.wrap(new float[]{1f, 10f, 100f}, 1, 1, 3);
        Tensor w = Tensor.wrap(new float[]{1f, 2f, 3f}, 1, 1, 3);
        Tensor b = Tensor.wrap(new float[]{0.5f}, 1);
        Tensor y = Tensor.zeros(1, 1, 3);
        backend.conv1dForward(conv, x, w, b, y);
        // y0 = 0*1 + 1*2 + 10*3; y1 = 1*1 + 10*2 + 100*3; y2 = 10*1 + 100*2 + 0*3
        assertArrayEquals(new float[]{32.5f, 321.5f, 210.5f}, y.data());
    }
}
