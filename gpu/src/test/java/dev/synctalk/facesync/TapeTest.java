package dev.synctalk.facesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.synctalk.gpu.conv.Conv2d;
import dev.synctalk.gpu.conv.ConvBuffer;
import dev.synctalk.gpu.conv.CpuConvOps;
import dev.synctalk.gpu.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Reverse-mode gradients of the tape against central finite differences on a small smooth network. */
class TapeTest {

    /**
     * x [2, 2, 4, 6] -> conv 3x3 -> batch norm -> + per-item vector -> conv s2 -> upsample -> + skip -> sigmoid,
     * loss = sum(out * weights): every op but ReLU (whose kink spoils finite differences; its own test is exact).
     */
    private static final class Net {
        final ParamSet set;
        final Param w1;
        final Param b1;
        final Param gamma;
        final Param beta;
        final Param mean;
        final Param var;
        final Param w2;
        final Param b2;

        Net(CpuConvOps ops, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            set = new ParamSet(ops, true);
            w1 = set.add("w1", Tensor.uniform(rng, -0.5f, 0.5f, 3, 2, 3, 3), false);
            b1 = set.add("b1", Tensor.uniform(rng, -0.1f, 0.1f, 3), false);
            gamma = set.add("gamma", Tensor.uniform(rng, 0.5f, 1.5f, 3), false);
            beta = set.add("beta", Tensor.uniform(rng, -0.2f, 0.2f, 3), false);
            mean = set.add("mean", Tensor.uniform(rng, -0.2f, 0.2f, 3), true);
            var = set.add("var", Tensor.uniform(rng, 0.5f, 2f, 3), true);
            w2 = set.add("w2", Tensor.uniform(rng, -0.5f, 0.5f, 3, 3, 3, 3), false);
            b2 = set.add("b2", Tensor.uniform(rng, -0.1f, 0.1f, 3), false);
        }

        Tape.Node forward(Tape tape, Tape.Node x, Tape.Node v) {
            Tape.Node a = tape.conv(x, Conv2d.square(2, 3, 3, 1, 1), w1, b1);
            a = tape.batchNorm(a, gamma, beta, mean, var);
            a = tape.addPerChannel(a, v);
            Tape.Node b = tape.conv(a, Conv2d.square(3, 3, 3, 2, 1), w2, b2);
            b = tape.upsample2x(b);
            return tape.sigmoid(tape.add(b, a));
        }
    }

    private static double loss(CpuConvOps ops, Net net, float[] x, float[] v, float[] weights) {
        try (Tape tape = new Tape(ops); ConvBuffer bx = ops.upload(x); ConvBuffer bv = ops.upload(v)) {
            Tape.Node out = net.forward(tape, tape.input(bx, 2, 2, 4, 6, false), tape.input(bv, 2, 3, 1, 1, false));
            float[] y = new float[(int) out.size()];
            ops.download(out.value(), y);
            double sum = 0;
            for (int i = 0; i < y.length; i++) {
                sum += (double) y[i] * weights[i];
            }
            return sum;
        }
    }

    @Test
    void gradientsOfInputsAndParametersMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(5);
        try (CpuConvOps ops = new CpuConvOps(1)) {
            Net net = new Net(ops, 7);
            float[] x = new float[2 * 2 * 4 * 6];
            float[] v = new float[2 * 3];
            float[] weights = new float[2 * 3 * 4 * 6];
            for (float[] a : new float[][] {x, v, weights}) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) rng.nextDouble(-1, 1);
                }
            }
            float[] gx = new float[x.length];
            float[] gv = new float[v.length];
            try (Tape tape = new Tape(ops); ConvBuffer bx = ops.upload(x); ConvBuffer bv = ops.upload(v);
                 ConvBuffer seed = ops.upload(weights)) {
                Tape.Node xi = tape.input(bx, 2, 2, 4, 6, true);
                Tape.Node vi = tape.input(bv, 2, 3, 1, 1, true);
                Tape.Node out = net.forward(tape, xi, vi);
                Map<Tape.Node, ConvBuffer> seeds = new IdentityHashMap<>();
                seeds.put(out, seed);
                tape.backward(seeds);
                ops.download(xi.grad(), gx);
                ops.download(vi.grad(), gv);
            }
            double h = 1e-2;
            for (int i = 0; i < x.length; i += 7) {
                float saved = x[i];
                x[i] = (float) (saved + h);
                double up = loss(ops, net, x, v, weights);
                x[i] = (float) (saved - h);
                double down = loss(ops, net, x, v, weights);
                x[i] = saved;
                assertEquals((up - down) / (2 * h), gx[i], 2e-3, "d/dx[" + i + "]");
            }
            for (int i = 0; i < v.length; i++) {
                float saved = v[i];
                v[i] = (float) (saved + h);
                double up = loss(ops, net, x, v, weights);
                v[i] = (float) (saved - h);
                double down = loss(ops, net, x, v, weights);
                v[i] = saved;
                assertEquals((up - down) / (2 * h), gv[i], 2e-3, "d/dv[" + i + "]");
            }
            for (Param p : net.set.trainable()) {
                float[] grad = new float[p.size()];
                ops.download(p.grad(), grad);
                float[] value = p.read(ops).data();
                for (int i = 0; i < value.length; i += 5) {
                    float saved = value[i];
                    value[i] = (float) (saved + h);
                    p.write(ops, Tensor.wrap(value.clone(), p.shape()), "test");
                    double up = loss(ops, net, x, v, weights);
                    value[i] = (float) (saved - h);
                    p.write(ops, Tensor.wrap(value.clone(), p.shape()), "test");
                    double down = loss(ops, net, x, v, weights);
                    value[i] = saved;
                    p.write(ops, Tensor.wrap(value.clone(), p.shape()), "test");
                    assertEquals((up - down) / (2 * h), grad[i], 2e-3, "d/d" + p.name() + "[" + i + "]");
                }
            }
            assertNull(net.mean.grad(), "running statistics are never trained");
        }
    }

    @Test
    void frozenBranchesGetNoGradientAndBackwardRunsOnce() {
        try (CpuConvOps ops = new CpuConvOps(1); Tape tape = new Tape(ops)) {
            ParamSet frozen = new ParamSet(ops, false);
            Param w = frozen.add("w", Tensor.filled(1f, 1, 1, 1, 1), false);
            ConvBuffer x = ops.upload(new float[] {2});
            Tape.Node in = tape.input(x, 1, 1, 1, 1, false);
            Tape.Node out = tape.relu(tape.conv(in, Conv2d.square(1, 1, 1, 1, 0), w, null));
            Map<Tape.Node, ConvBuffer> seeds = new IdentityHashMap<>();
            seeds.put(out, ops.upload(new float[] {1}));
            tape.backward(seeds);
            assertNull(in.grad(), "nothing upstream of a frozen network needs a gradient");
            assertThrows(IllegalStateException.class, () -> tape.backward(seeds));
        }
    }
}
