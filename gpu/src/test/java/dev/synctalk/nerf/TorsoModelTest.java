package dev.synctalk.nerf;

import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TorsoModelTest {
    /** Relative error bound of the finite-difference checks (float32 forward, central differences). */
    private static final double TOLERANCE = 2e-2;
    /**
     * Step for network weights and anchors. The deformation net reaches the output only through grid
     * slopes, so its gradients are small (1e-4..1e-2) and a smaller step drowns them in float32 rounding
     * of the objective; 1e-3 still rarely moves a coordinate across a grid cell or a ReLU kink.
     */
    private static final float NETWORK_EPS = 1e-3f;
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** Small sizes whose every part is exercised: 3-d codes, 3 grid levels of 4..16, narrow networks. */
    private static TorsoModelConfig checkConfig() {
        return new TorsoModelConfig(3, 2, 3, 2, 6, 3, 2, 4, 6, 16.0, 7, 0.8f, 1e-2, 1e-3);
    }

    @Test
    void torsoModelGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(32);
        TorsoModel model = new TorsoModel(checkConfig(), 4);
        // larger grid values than the 1e-4 init, so the colour net and the deformation see real slopes
        float[] table = model.paramGroups().get(0).params().get(0).data();
        for (int i = 0; i < table.length; i++) {
            table[i] = (float) (rng.nextDouble() - 0.5);
        }
        int n = 19;
        Tensor coords = Tensor.uniform(rng, -1f, 1f, n, 2);
        SyntheticHeadFixture fixture = new SyntheticHeadFixture(new SyntheticHeadFixture.Config(8, 8, 3, 2, 9));
        Tensor pose = fixture.pose(2);
        int frame = 1;
        float[] probeAlpha = GradientCheck.probe(rng, n);
        float[] probeRgb = GradientCheck.probe(rng, n * 3);

        List<ParamGroup> groups = model.paramGroups();
        assertEquals(List.of("torso.grid", "torso.networks", "torso.anchors", "torso.individual_codes"),
                groups.stream().map(ParamGroup::name).toList());
        groups.forEach(ParamGroup::zeroGrad);
        TorsoModel.Trace trace = model.forward(backend, coords, pose, frame);
        model.backward(backend, trace, Tensor.wrap(probeAlpha, n), Tensor.wrap(probeRgb, n, 3));
        DoubleSupplier objective = () -> {
            TorsoModel.Trace t = model.forward(backend, coords, pose, frame);
            return GradientCheck.weightedSum(t.alpha().data(), probeAlpha)
                    + GradientCheck.weightedSum(t.rgb().data(), probeRgb);
        };
        float[] gridGrad = groups.get(0).grads().get(0).data();
        GradientCheck.assertMatches("torso grid", table, gridGrad, objective, 1e-3f, touchedIndices(gridGrad, rng, 40),
                TOLERANCE);
        for (ParamGroup group : groups.subList(1, groups.size())) {
            for (int i = 0; i < group.params().size(); i++) {
                float[] g = group.grads().get(i).data();
                GradientCheck.assertMatches(group.name() + " tensor " + i, group.params().get(i).data(), g, objective,
                        NETWORK_EPS, touchedIndices(g, rng, 40), TOLERANCE);
            }
        }
    }

    @Test
    void pixelCoordinatesSpanMinusOneToOneRowFirst() {
        Tensor c = TorsoModel.pixelCoordinates(5, 3, new int[] {0, 4, 10, 14, 7});
        assertArrayEquals(new float[] {-1f, -1f, -1f, 1f, 1f, -1f, 1f, 1f, 0f, 0f}, c.data());
        assertThrows(IllegalArgumentException.class, () -> TorsoModel.pixelCoordinates(5, 3, new int[] {15}));
    }

    @Test
    void torsoCodeAndHeadPoseChangeTheOutput() {
        TorsoModel model = new TorsoModel(checkConfig(), 4);
        SyntheticHeadFixture fixture = new SyntheticHeadFixture(new SyntheticHeadFixture.Config(8, 8, 3, 2, 9));
        Tensor coords = Tensor.uniform(new SplittableRandom(2), -1f, 1f, 7, 2);
        float[] base = model.forward(backend, coords, fixture.pose(0), 0).rgb().data();
        assertNotEquals(0, maxDifference(base, model.forward(backend, coords, fixture.pose(0), 1).rgb().data()));
        assertNotEquals(0, maxDifference(base, model.forward(backend, coords, fixture.pose(1), 0).rgb().data()));
        assertArrayEquals(base, model.forward(backend, coords, fixture.pose(0), 0).rgb().data(), "deterministic");
        assertThrows(IllegalArgumentException.class, () -> model.forward(backend, coords, fixture.pose(0), 2));
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
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
        for (int i = 0; i < 3; i++) {
            out[picked.length + i] = rng.nextInt(grad.length);
        }
        return out;
    }
}
