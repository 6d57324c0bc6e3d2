package dev.synctalk.gpu.encoding;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class TriPlaneEncoderTest {
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
    void triPlaneGradientMatchesFiniteDifferences() {
        TriPlaneEncoder enc = new TriPlaneEncoder(HashGrid2DTest.smallGrid());
        SplittableRandom rng = new SplittableRandom(21);
        int n = 30;
        float eps = 1e-3f;
        Tensor points = Tensor.wrap(HashGrid2DTest.pointsAwayFromCellEdges(enc.grid(), rng, n, 3, eps, 1f), n, 3);
        List<Tensor> planes = List.of(
                Tensor.uniform(rng, -1f, 1f, enc.grid().parameterRows(), 2),
                Tensor.uniform(rng, -1f, 1f, enc.grid().parameterRows(), 2),
                Tensor.uniform(rng, -1f, 1f, enc.grid().parameterRows(), 2));
        Tensor out = Tensor.zeros(n, enc.outputDim());
        float[] probe = GradientCheck.probe(rng, out.size());
        List<Tensor> grads = List.of(Tensor.zeros(enc.grid().parameterRows(), 2),
                Tensor.zeros(enc.grid().parameterRows(), 2), Tensor.zeros(enc.grid().parameterRows(), 2));
        Tensor gradPoints = Tensor.zeros(n, 3);
        backend.triPlaneBackward(enc, points, planes, Tensor.wrap(probe, n, enc.outputDim()), grads, gradPoints);

        DoubleSupplier objective = () -> {
            backend.triPlaneForward(enc, points, planes, out);
            return GradientCheck.weightedSum(out.data(), probe);
        };
        for (int p = 0; p < 3; p++) {
            // linear in each table: tight bound
            GradientCheck.assertMatches("plane " + p + " embeddings", planes.get(p).data(), grads.get(p).data(),
                    objective, eps, GradientCheck.indices(rng, planes.get(p).size(), 100), 1e-3);
        }
        GradientCheck.assertMatches("tri-plane points", points.data(), gradPoints.data(), objective, eps,
                GradientCheck.indices(rng, points.size(), 90), 1e-2);
    }

    @Test
    void syncTalkTriPlaneConcatenatesXyYzXzInto36Features() {
        TriPlaneEncoder enc = TriPlaneEncoder.syncTalk(1f);
        assertEquals(36, enc.outputDim());
        SplittableRandom rng = new SplittableRandom(3);
        List<Tensor> planes = enc.newEmbeddings(rng);
        Tensor points = Tensor.wrap(new float[]{0.1f, -0.2f, 0.3f, 0.1f, -0.2f, -0.6f}, 2, 3);
        Tensor out = Tensor.zeros(2, 36);
        backend.triPlaneForward(enc, points, planes, out);
        // the two points differ only in z: the xy block (0-11) agrees, yz (12-23) and xz (24-35) differ
        for (int k = 0; k < 12; k++) {
            assertEquals(out.data()[k], out.data()[36 + k]);
        }
        assertNotEquals(out.data()[12], out.data()[36 + 12]);
        assertNotEquals(out.data()[24], out.data()[36 + 24]);
        // the xy block is exactly the xy plane's own encoding
        Tensor xy = Tensor.wrap(new float[]{0.1f, -0.2f}, 1, 2);
        Tensor direct = Tensor.zeros(1, 12);
        backend.hashGridForward(enc.grid(), xy, planes.get(0), direct);
        for (int k = 0; k < 12; k++) {
            assertEquals(direct.data()[k], out.data()[k]);
        }
    }
}
