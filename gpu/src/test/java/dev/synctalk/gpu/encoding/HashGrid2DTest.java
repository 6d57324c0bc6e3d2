package dev.synctalk.gpu.encoding;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashGrid2DTest {
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** 4 levels, 2 features, base 4, finest 32, T = 64: level 0 dense, levels 1-3 hashed. */
    static HashGrid2D smallGrid() {
        return new HashGrid2D(4, 2, 4, 6, 32, 1f);
    }

    /** Points whose lattice cell stays the same within +-eps on every level, so bilinear is smooth there. */
    static float[] pointsAwayFromCellEdges(HashGrid2D grid, SplittableRandom rng, int count, int dims, float eps,
                                           float bound) {
        float[] pts = new float[count * dims];
        int filled = 0;
        while (filled < count) {
            boolean ok = true;
            for (int d = 0; d < dims; d++) {
                float x = (float) ((2 * rng.nextDouble() - 1) * 0.9 * bound);
                pts[filled * dims + d] = x;
                for (int l = 0; l < grid.levels(); l++) {
                    float lo = ((x - eps + bound) / (2 * bound)) * grid.levelScale(l) + 0.5f;
                    float hi = ((x + eps + bound) / (2 * bound)) * grid.levelScale(l) + 0.5f;
                    if (Math.floor(lo) != Math.floor(hi)) {
                        ok = false;
                    }
                }
            }
            if (ok) {
                filled++;
            }
        }
        return pts;
    }

    @Test
    void hashGridGradientMatchesFiniteDifferences() {
        HashGrid2D grid = smallGrid();
        SplittableRandom rng = new SplittableRandom(11);
        int n = 40;
        float eps = 1e-3f;
        Tensor coords = Tensor.wrap(pointsAwayFromCellEdges(grid, rng, n, 2, eps, 1f), n, 2);
        Tensor emb = Tensor.uniform(rng, -1f, 1f, grid.parameterRows(), grid.featuresPerLevel());
        Tensor out = Tensor.zeros(n, grid.outputDim());
        float[] probe = GradientCheck.probe(rng, out.size());

        Tensor gradEmb = Tensor.zeros(grid.parameterRows(), grid.featuresPerLevel());
        Tensor gradCoords = Tensor.zeros(n, 2);
        backend.hashGridBackward(grid, coords, emb, Tensor.wrap(probe.clone(), n, grid.outputDim()), gradEmb, gradCoords);

        java.util.function.DoubleSupplier objective = () -> {
            backend.hashGridForward(grid, coords, emb, out);
            return GradientCheck.weightedSum(out.data(), probe);
        };
        // the encoding is linear in the table, so the table gradient is checked tightly
        GradientCheck.assertMatches("hash grid embeddings", emb.data(), gradEmb.data(), objective, eps,
                GradientCheck.indices(rng, emb.size(), 200), 1e-3);
        // bilinear in the coordinates within a cell: float forward noise allows 1e-2
        GradientCheck.assertMatches("hash grid coordinates", coords.data(), gradCoords.data(), objective, eps,
                GradientCheck.indices(rng, coords.size(), 80), 1e-2);
    }

    @Test
    void hashGridUsesDenseIndexAtCoarseLevelsAndHashAtFine() {
        HashGrid2D grid = HashGrid2D.syncTalkPlane(1f);
        assertEquals(12, grid.outputDim());
        // (R+1)^2 fits the level's table for levels 0-3 only: 65^2, 79^2, 95^2, 114^2 <= rows; 138^2 > 2^14
        for (int l = 0; l < grid.levels(); l++) {
            assertEquals(l < 4, grid.isDenseLevel(l), "level " + l);
        }
        assertEquals(64, grid.levelResolution(0));
        assertEquals(63f, grid.levelScale(0));
        assertEquals(512, grid.levelResolution(11));
        assertEquals(4232, grid.levelRows(0), "65^2 = 4225 rounded up to a multiple of 8");
        assertEquals(16384, grid.levelRows(4));
        assertEquals(163584, grid.parameterRows());

        // dense: distinct lattice points get distinct rows, row = gx + gy * (R + 1)
        int side0 = grid.levelResolution(0) + 1;
        Set<Integer> denseRows = new HashSet<>();
        for (int gy = 0; gy < side0; gy++) {
            for (int gx = 0; gx < side0; gx++) {
                assertEquals(gx + gy * side0, grid.rowInLevel(0, gx, gy));
                denseRows.add(grid.rowInLevel(0, gx, gy));
            }
        }
        assertEquals(side0 * side0, denseRows.size());

        // hashed: (gx * 1 xor gy * 2654435761) mod 2^14, unsigned 32-bit
        long expected = ((300L) ^ ((77L * 2654435761L) & 0xFFFFFFFFL)) % 16384L;
        assertEquals((int) expected, grid.rowInLevel(11, 300, 77));
        Set<Integer> hashedRows = new HashSet<>();
        int side11 = grid.levelResolution(11) + 1;
        for (int gy = 0; gy < side11; gy++) {
            for (int gx = 0; gx < side11; gx++) {
                hashedRows.add(grid.rowInLevel(11, gx, gy));
            }
        }
        assertTrue(hashedRows.size() <= 16384, "a hashed level folds " + side11 * side11 + " points into 2^14 rows");

        // the encoder reads exactly those rows: a point on lattice node (gx, gy) returns that node's value
        Tensor emb = Tensor.zeros(grid.parameterRows(), 1);
        int gx = 200;
        int gy = 301;
        float scale = grid.levelScale(11); // 511: pos = u * 511 + 0.5
        float ux = (gx - 0.5f) / scale;
        float uy = (gy - 0.5f) / scale;
        int row = grid.levelOffset(11) + grid.rowInLevel(11, gx, gy);
        emb.data()[row] = 0.75f;
        Tensor coords = Tensor.wrap(new float[]{2 * ux - 1, 2 * uy - 1}, 1, 2);
        Tensor out = Tensor.zeros(1, 12);
        backend.hashGridForward(grid, coords, emb, out);
        assertEquals(0.75f, out.data()[11], 1e-4f);
    }

    @Test
    void hashGridInterpolatesBilinearlyBetweenLatticeNodes() {
        HashGrid2D grid = smallGrid();
        Tensor emb = Tensor.zeros(grid.parameterRows(), 2);
        // level 0: scale 3, dense with side 5; node values v(gx, gy) = gx + 10 gy in feature 0
        for (int gy = 0; gy <= 4; gy++) {
            for (int gx = 0; gx <= 4; gx++) {
                emb.data()[(grid.levelOffset(0) + grid.rowInLevel(0, gx, gy)) * 2] = gx + 10 * gy;
            }
        }
        // pos = u * 3 + 0.5 = (1.25, 2.5) -> value 1.25 + 10 * 2.5 = 26.25 (bilinear reproduces affine functions)
        float ux = (1.25f - 0.5f) / 3f;
        float uy = (2.5f - 0.5f) / 3f;
        Tensor coords = Tensor.wrap(new float[]{2 * ux - 1, 2 * uy - 1}, 1, 2);
        Tensor out = Tensor.zeros(1, grid.outputDim());
        backend.hashGridForward(grid, coords, emb, out);
        assertEquals(26.25f, out.data()[0], 1e-4f);
    }

    @Test
    void hashGridGivesZeroOutputAndNoGradientOutsideTheBound() {
        HashGrid2D grid = smallGrid();
        SplittableRandom rng = new SplittableRandom(5);
        Tensor emb = Tensor.uniform(rng, -1f, 1f, grid.parameterRows(), 2);
        Tensor coords = Tensor.wrap(new float[]{1.5f, 0f, 0.2f, -0.3f}, 2, 2);
        Tensor out = Tensor.zeros(2, grid.outputDim());
        backend.hashGridForward(grid, coords, emb, out);
        for (int k = 0; k < grid.outputDim(); k++) {
            assertEquals(0f, out.data()[k]);
        }
        assertFalse(out.data()[grid.outputDim()] == 0f, "the in-bound point still encodes");

        Tensor gradOut = Tensor.zeros(2, grid.outputDim());
        for (int k = 0; k < grid.outputDim(); k++) {
            gradOut.data()[k] = 1f; // gradient only on the out-of-bound point
        }
        Tensor gradEmb = Tensor.zeros(grid.parameterRows(), 2);
        Tensor gradCoords = Tensor.zeros(2, 2);
        backend.hashGridBackward(grid, coords, emb, gradOut, gradEmb, gradCoords);
        assertArrayEquals(new float[grid.parameterRows() * 2], gradEmb.data());
        assertArrayEquals(new float[4], gradCoords.data());
    }
}
