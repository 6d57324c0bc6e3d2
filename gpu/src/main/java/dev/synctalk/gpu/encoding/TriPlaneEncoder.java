package dev.synctalk.gpu.encoding;

import dev.synctalk.gpu.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;

/**
 * SyncTalk's tri-plane hash encoder (paper Eq. 10-11): three {@link HashGrid2D} over the xy, yz and
 * xz planes of a 3D point, features concatenated.
 *
 * <h2>Layouts</h2>
 * <ul>
 *   <li>points: [N, 3] (x, y, z) in [-bound, bound].</li>
 *   <li>embeddings: three tables, one per plane in the order xy, yz, xz, each [grid.parameterRows, F].</li>
 *   <li>output: [N, 3 * L * F] = [xy features | yz features | xz features], each block laid out as
 *       {@link HashGrid2D}'s output (SyncTalk's {@code torch.cat([feat_xy, feat_yz, feat_xz], -1)}).</li>
 * </ul>
 */
public final class TriPlaneEncoder {
    /** Plane p reads point axes PLANE_AXES[p][0] and PLANE_AXES[p][1]. */
    private static final int[][] PLANE_AXES = {{0, 1}, {1, 2}, {0, 2}};
    public static final int PLANES = 3;

    private final HashGrid2D grid;

    public TriPlaneEncoder(HashGrid2D grid) {
        this.grid = grid;
    }

    /** 12 levels x 1 feature per plane, base 64, log2 T 14, finest 512 * bound: 36 output dims. */
    public static TriPlaneEncoder syncTalk(float bound) {
        return new TriPlaneEncoder(HashGrid2D.syncTalkPlane(bound));
    }

    public HashGrid2D grid() {
        return grid;
    }

    public int outputDim() {
        return PLANES * grid.outputDim();
    }

    public static int axisX(int plane) {
        return PLANE_AXES[plane][0];
    }

    public static int axisY(int plane) {
        return PLANE_AXES[plane][1];
    }

    /** Output column where plane {@code plane}'s features start. */
    public int planeOutputOffset(int plane) {
        return plane * grid.outputDim();
    }

    /** Three freshly initialised plane tables (xy, yz, xz), drawn in that order from {@code rng}. */
    public List<Tensor> newEmbeddings(SplittableRandom rng) {
        return List.of(grid.newEmbeddings(rng), grid.newEmbeddings(rng), grid.newEmbeddings(rng));
    }

    /** Forward over samples [start, end), all three planes. */
    public void forward(float[] points, List<float[]> planeEmbeddings, float[] out, int start, int end) {
        for (int p = 0; p < PLANES; p++) {
            grid.forward(points, 3, axisX(p), axisY(p), planeEmbeddings.get(p), out, outputDim(),
                    planeOutputOffset(p), start, end);
        }
    }

    /** Embedding gradient of one (plane, level) task; (plane, level) pairs own disjoint rows. */
    public void backwardEmbeddings(int plane, int level, float[] points, float[] gradOut, float[] planeGradEmbeddings,
                                   int sampleCount) {
        grid.backwardEmbeddingsOfLevel(level, points, 3, axisX(plane), axisY(plane), gradOut, outputDim(),
                planeOutputOffset(plane), planeGradEmbeddings, sampleCount);
    }

    /** Point gradient over samples [start, end), planes summed in order xy, yz, xz; adds into gradPoints. */
    public void backwardPoints(float[] points, List<float[]> planeEmbeddings, float[] gradOut, float[] gradPoints,
                               int start, int end) {
        for (int p = 0; p < PLANES; p++) {
            grid.backwardCoords(points, 3, axisX(p), axisY(p), planeEmbeddings.get(p), gradOut, outputDim(),
                    planeOutputOffset(p), gradPoints, start, end);
        }
    }
}
