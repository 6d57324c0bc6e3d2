package dev.synctalk.nerf;

import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HeadModelTest {
    /** Relative error bound of the finite-difference checks (float32 forward, central differences, eps 1e-3). */
    private static final double TOLERANCE = 2e-2;
    /** Step for network weights: small enough to rarely cross a ReLU kink. */
    private static final float NETWORK_EPS = 3e-4f;
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static HeadModelConfig checkConfig() {
        return new HeadModelConfig(3, 4, 6, 16.0, 1f, 5, 7, 6, 8, 6, 7, 5, 4, 3, 1e-2, 1e-3);
    }

    @Test
    void headModelGradientMatchesFiniteDifferences() {
        // ReLU kinks: a pre-activation within eps of 0 makes central differences see half a slope; the
        // seed is one where no sample sits that close to a kink
        SplittableRandom rng = new SplittableRandom(20);
        HeadModel model = new HeadModel(checkConfig(), 3);
        // larger plane values than the 1e-4 init, so every network sees non-trivial inputs
        for (Tensor plane : model.paramGroups().get(0).params()) {
            float[] d = plane.data();
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) (rng.nextDouble() - 0.5);
            }
        }
        int m = 23;
        Tensor points = Tensor.uniform(rng, -0.8f, 0.8f, m, 3);
        Tensor directions = Tensor.zeros(m, 3);
        for (int i = 0; i < m; i++) {
            double[] v = {rng.nextDouble() - 0.5, rng.nextDouble() - 0.5, rng.nextDouble() - 0.5};
            double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            for (int a = 0; a < 3; a++) {
                directions.data()[3 * i + a] = (float) (v[a] / n);
            }
        }
        Tensor audio = Tensor.uniform(rng, -1f, 1f, 5);
        Tensor expression = Tensor.uniform(rng, 0f, 1f, 7);
        int frame = 1;
        float[] probeSigma = GradientCheck.probe(rng, m);
        float[] probeRgb = GradientCheck.probe(rng, m * 3);
        float[] probeAmbient = GradientCheck.probe(rng, m * 3);

        // pass 1, the full objective: every network, the codes and the conditioning inputs
        checkPass(model, points, directions, audio, expression, frame, probeSigma, probeRgb, probeAmbient, rng, false);
        // pass 2, without the uncertainty output: the reference detaches the encoding feeding unc_net,
        // so the planes and the points get no gradient from it and finite differences must not see it
        float[] noUncertainty = probeAmbient.clone();
        for (int i = 0; i < m; i++) {
            noUncertainty[3 * i + 2] = 0f;
        }
        checkPass(model, points, directions, audio, expression, frame, probeSigma, probeRgb, noUncertainty, rng, true);
    }

    private static void checkPass(HeadModel model, Tensor points, Tensor directions, Tensor audio, Tensor expression,
                                  int frame, float[] probeSigma, float[] probeRgb, float[] probeAmbient,
                                  SplittableRandom rng, boolean encoderPass) {
        int m = points.dim(0);
        List<ParamGroup> groups = model.paramGroups();
        groups.forEach(ParamGroup::zeroGrad);
        HeadModel.Trace trace = model.forward(backend, points, directions, audio, expression, frame);
        Tensor gradAudio = Tensor.zeros(audio.size());
        Tensor gradExpression = Tensor.zeros(expression.size());
        Tensor gradPoints = Tensor.zeros(m, 3);
        model.backward(backend, trace, Tensor.wrap(probeSigma, m), Tensor.wrap(probeRgb, m, 3),
                Tensor.wrap(probeAmbient, m, 3), gradAudio, gradExpression, gradPoints);
        DoubleSupplier objective = () -> {
            HeadModel.Trace t = model.forward(backend, points, directions, audio, expression, frame);
            return GradientCheck.weightedSum(t.sigma().data(), probeSigma)
                    + GradientCheck.weightedSum(t.rgb().data(), probeRgb)
                    + GradientCheck.weightedSum(t.ambient().data(), probeAmbient);
        };
        assertEquals(List.of("head.grid", "head.networks", "head.individual_codes"),
                groups.stream().map(ParamGroup::name).toList());
        if (encoderPass) {
            ParamGroup grid = groups.get(0);
            for (int i = 0; i < grid.params().size(); i++) {
                float[] g = grid.grads().get(i).data();
                GradientCheck.assertMatches("plane " + i, grid.params().get(i).data(), g, objective, 1e-3f,
                        touchedIndices(g, rng, 40), TOLERANCE);
            }
            GradientCheck.assertMatches("points", points.data(), gradPoints.data(), objective, 1e-4f,
                    GradientCheck.indices(rng, m * 3, 30), 5e-2);
            return;
        }
        for (ParamGroup group : groups.subList(1, groups.size())) {
            for (int i = 0; i < group.params().size(); i++) {
                float[] g = group.grads().get(i).data();
                GradientCheck.assertMatches(group.name() + " tensor " + i, group.params().get(i).data(), g, objective,
                        NETWORK_EPS, touchedIndices(g, rng, 40), TOLERANCE);
            }
        }
        GradientCheck.assertMatches("audio code", audio.data(), gradAudio.data(), objective, 1e-3f,
                GradientCheck.indices(rng, audio.size(), audio.size()), TOLERANCE);
        GradientCheck.assertMatches("expression", expression.data(), gradExpression.data(), objective, 1e-3f,
                GradientCheck.indices(rng, expression.size(), expression.size()), TOLERANCE);
    }

    /** Up to {@code count} indices, those with a nonzero analytic gradient first (hash tables are sparse). */
    private static int[] touchedIndices(float[] grad, SplittableRandom rng, int count) {
        List<Integer> nonzero = new ArrayList<>();
        for (int i = 0; i < grad.length; i++) {
            if (grad[i] != 0f) {
                nonzero.add(i);
            }
        }
        int[] picked = GradientCheck.indices(rng, nonzero.size(), count);
        int[] out = new int[picked.length + 3];
        for (int i = 0; i < picked.length; i++) {
            out[i] = nonzero.get(picked[i]);
        }
        // a few arbitrary indices too, so zero gradients are confirmed as zero
        for (int i = 0; i < 3; i++) {
            out[picked.length + i] = rng.nextInt(grad.length);
        }
        return out;
    }
}
