package dev.synctalk.gpu.tensor;

import dev.synctalk.gpu.loss.AmbientLoss;
import dev.synctalk.gpu.loss.WeightsEntropyLoss;
import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.render.MarchedRays;
import dev.synctalk.gpu.render.RayMarcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ops added for the head model: each backward checked against central differences (bound 1e-2). */
class TensorKernelsTest {
    private static final double TOLERANCE = 1e-2;
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static int[] all(int n) {
        return GradientCheck.indices(new SplittableRandom(1), n, n);
    }

    @Test
    void columnCopyBroadcastAndSumAreAdjoint() {
        SplittableRandom rng = new SplittableRandom(5);
        Tensor src = Tensor.uniform(rng, -1f, 1f, 700, 4);
        Tensor dst = Tensor.zeros(700, 6);
        backend.copyColumns(src, 1, dst, 3, 3, false);
        backend.copyColumns(src, 1, dst, 3, 3, true);
        assertEquals(2 * src.data()[4 * 650 + 2], dst.data()[6 * 650 + 4]);
        Tensor row = Tensor.uniform(rng, -1f, 1f, 10);
        backend.broadcastRow(row, 4, 3, dst, 0);
        assertEquals(row.data()[6], dst.data()[6 * 699 + 2]);
        // <broadcast(row), g> = <row, sumColumns(g)>
        Tensor g = Tensor.uniform(rng, -1f, 1f, 700, 6);
        Tensor sums = Tensor.zeros(10);
        backend.sumColumns(g, 0, 3, sums, 4);
        double expected = 0;
        for (int n = 0; n < 700; n++) {
            expected += g.data()[6 * n + 1];
        }
        assertEquals(expected, sums.data()[5], 1e-3);
        assertEquals(0f, sums.data()[0]);
    }

    @Test
    void scaleColumnsGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(6);
        Tensor x = Tensor.uniform(rng, -1f, 1f, 9, 5);
        Tensor scale = Tensor.uniform(rng, -1f, 1f, 5);
        Tensor y = Tensor.zeros(9, 5);
        float[] probe = GradientCheck.probe(rng, 45);
        Tensor gx = Tensor.zeros(9, 5);
        Tensor gs = Tensor.zeros(5);
        backend.scaleColumnsBackward(x, scale, Tensor.wrap(probe, 9, 5), gx, gs);
        DoubleSupplier objective = () -> {
            backend.scaleColumnsForward(x, scale, y);
            return GradientCheck.weightedSum(y.data(), probe);
        };
        GradientCheck.assertMatches("scaled input", x.data(), gx.data(), objective, 1e-3f, all(45), TOLERANCE);
        GradientCheck.assertMatches("column scale", scale.data(), gs.data(), objective, 1e-3f, all(5), TOLERANCE);
    }

    @Test
    void rowNormAndSoftmaxGradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(7);
        Tensor x = Tensor.uniform(rng, -1f, 1f, 6, 4);
        Tensor norm = Tensor.zeros(6);
        float[] probe = GradientCheck.probe(rng, 6);
        backend.rowNormForward(x, norm);
        Tensor gx = Tensor.zeros(6, 4);
        backend.rowNormBackward(x, norm, Tensor.wrap(probe, 6), gx);
        GradientCheck.assertMatches("row norm", x.data(), gx.data(), () -> {
            backend.rowNormForward(x, norm);
            return GradientCheck.weightedSum(norm.data(), probe);
        }, 1e-3f, all(24), TOLERANCE);

        Tensor y = Tensor.zeros(6, 4);
        float[] probe2 = GradientCheck.probe(rng, 24);
        backend.softmaxRowsForward(x, y);
        Tensor gs = Tensor.zeros(6, 4);
        backend.softmaxRowsBackward(y, Tensor.wrap(probe2, 6, 4), gs);
        GradientCheck.assertMatches("softmax", x.data(), gs.data(), () -> {
            backend.softmaxRowsForward(x, y);
            return GradientCheck.weightedSum(y.data(), probe2);
        }, 1e-3f, all(24), TOLERANCE);
    }

    @Test
    void attentionPoolAndTransposeGradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(8);
        Tensor w = Tensor.uniform(rng, 0f, 1f, 2, 3);
        Tensor v = Tensor.uniform(rng, -1f, 1f, 2, 3, 4);
        Tensor out = Tensor.zeros(2, 4);
        float[] probe = GradientCheck.probe(rng, 8);
        Tensor gw = Tensor.zeros(2, 3);
        Tensor gv = Tensor.zeros(2, 3, 4);
        backend.attentionPoolBackward(w, v, Tensor.wrap(probe, 2, 4), gw, gv);
        DoubleSupplier objective = () -> {
            backend.attentionPoolForward(w, v, out);
            return GradientCheck.weightedSum(out.data(), probe);
        };
        GradientCheck.assertMatches("pool weights", w.data(), gw.data(), objective, 1e-3f, all(6), TOLERANCE);
        GradientCheck.assertMatches("pool values", v.data(), gv.data(), objective, 1e-3f, all(24), TOLERANCE);
        Tensor t = Tensor.zeros(2, 4, 3);
        backend.transposeLastTwo(v, t);
        Tensor back = Tensor.zeros(2, 3, 4);
        backend.transposeLastTwo(t, back);
        assertArrayEquals(v.data(), back.data());
        assertEquals(v.data()[12 + 4 + 2], t.data()[12 + 2 * 3 + 1]);
    }

    @Test
    void regulariserGradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(9);
        AmbientLoss ambient = new AmbientLoss(0.5f);
        Tensor amb = Tensor.uniform(rng, 0f, 2f, 7, 3);
        Tensor lower = Tensor.wrap(new float[] {1, 0, 1, 0, 0, 1, 1}, 7);
        Tensor loss = Tensor.zeros(7);
        float[] probe = GradientCheck.probe(rng, 7);
        Tensor grad = Tensor.filled(9f, 7, 3);
        backend.ambientLossBackward(ambient, 0.7f, lower, Tensor.wrap(probe, 7), grad);
        assertEquals(9f, grad.data()[2], "the uncertainty column is left alone");
        for (int r = 0; r < 7; r++) {
            grad.data()[3 * r + 2] = 0f;
        }
        GradientCheck.assertMatches("ambient", amb.data(), grad.data(), () -> {
            backend.ambientLossForward(ambient, 0.7f, amb, lower, loss);
            return GradientCheck.weightedSum(loss.data(), probe);
        }, 1e-3f, all(21), TOLERANCE);

        WeightsEntropyLoss entropy = new WeightsEntropyLoss(1f, 1e-5f);
        Tensor ws = Tensor.uniform(rng, 0.05f, 0.95f, 7);
        Tensor gws = Tensor.zeros(7);
        backend.weightsEntropyBackward(entropy, ws, Tensor.wrap(probe, 7), gws);
        GradientCheck.assertMatches("weights entropy", ws.data(), gws.data(), () -> {
            backend.weightsEntropyForward(entropy, ws, loss);
            return GradientCheck.weightedSum(loss.data(), probe);
        }, 1e-3f, all(7), TOLERANCE);
        Tensor half = Tensor.zeros(1);
        backend.weightsEntropyForward(entropy, Tensor.wrap(new float[] {0.5f}, 1), half);
        assertEquals(1f, half.data()[0], 1e-6f, "one bit at opacity 0.5");
    }

    @Test
    void scaledSigmoidGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(10);
        Activation act = new Activation.ScaledSigmoid();
        Tensor x = Tensor.uniform(rng, -4f, 4f, 20);
        Tensor y = Tensor.zeros(20);
        float[] probe = GradientCheck.probe(rng, 20);
        backend.activationForward(act, x, y);
        Tensor gx = Tensor.zeros(20);
        backend.activationBackward(act, x, y, Tensor.wrap(probe, 20), gx);
        GradientCheck.assertMatches("scaled sigmoid", x.data(), gx.data(), () -> {
            backend.activationForward(act, x, y);
            return GradientCheck.weightedSum(y.data(), probe);
        }, 1e-3f, all(20), TOLERANCE);
        assertEquals(-0.001f, act.apply(-100f), 1e-6f);
        assertEquals(1.001f, act.apply(100f), 1e-6f);
    }

    @Test
    void rayMarcherSamplesOnlyOccupiedCells() {
        int g = 8;
        RayMarcher marcher = new RayMarcher(1f, 0.05f, 1f / 256f, 16, g);
        Tensor occupancy = Tensor.zeros(g * g * g);
        // one occupied cell at the centre-ish: x, y, z cell 4 covers [0, 0.25)
        occupancy.data()[4 + g * (4 + g * 4)] = 1f;
        Tensor origins = Tensor.wrap(new float[] {0.1f, 0.1f, 3f, 0.9f, 0.9f, 3f}, 2, 3);
        Tensor directions = Tensor.wrap(new float[] {0f, 0f, -1f, 0f, 0f, -1f}, 2, 3);
        MarchedRays marched = backend.marchRays(marcher, occupancy, origins, directions, true, 42L);
        assertEquals(0, marched.rays()[3], "the ray through empty cells gets no samples");
        int count = marched.rays()[1];
        assertTrue(count >= 1 && count <= 2, "a cell of 0.25 at steps of " + marcher.dtMin() + " gives " + count);
        for (int s = 0; s < count; s++) {
            float z = marched.positions().data()[3 * s + 2];
            assertTrue(z >= 0f && z < 0.25f, "sample at z " + z + " outside the occupied cell");
            float t = marched.t().data()[s];
            assertEquals(Math.min(Math.max(t * marcher.dtGamma(), marcher.dtMin()), marcher.dtMax()),
                    marched.dt().data()[s], 1e-7f);
        }
        MarchedRays again = backend.marchRays(marcher, occupancy, origins, directions, true, 42L);
        assertArrayEquals(marched.t().data(), again.t().data(), "jitter is a function of the seed");
    }
}
