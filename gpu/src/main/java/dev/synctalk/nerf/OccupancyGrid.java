package dev.synctalk.nerf;

import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * The head's density grid and its occupancy, SyncTalk's update_extra_state with one cascade (bound 1):
 * <ol>
 *   <li>every cell's density is queried at its jittered lattice point (a full update every time, as
 *       SyncTalk does; torch-ngp's later partial updates are an optimisation it does not use),</li>
 *   <li>the fresh grid is max-dilated over 3x3x3 cells (morton3D_dilation, less aggressive culling),</li>
 *   <li>grid = max(grid * 0.95, fresh),</li>
 *   <li>occupied = grid &gt; min(mean(grid), densityThreshold = 10).</li>
 * </ol>
 * Choices: the conditioning used for the query is the caller's (the trainer passes the current
 * step's frame where the reference draws a random training frame); mark_untrained_grid is not applied,
 * so no cell is excluded up front (every cell starts at density 0 and is updated). Cells are stored
 * linearly, x fastest ({@code x + G (y + G z)}), instead of in Morton order.
 */
public final class OccupancyGrid {
    /** Cells queried per model call, bounding the memory of an update. */
    private static final int QUERY_CHUNK = 65536;

    private final int resolution;
    private final float bound;
    private final float densityThreshold;
    private final float decay;
    private final Tensor density;
    private final Tensor occupancy;
    private long updates;
    private float meanDensity;

    public OccupancyGrid(int resolution, float bound, float densityThreshold, float decay) {
        if (resolution < 2 || !(bound > 0) || !(densityThreshold > 0) || !(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException("invalid occupancy grid: resolution=" + resolution + " bound=" + bound
                    + " threshold=" + densityThreshold + " decay=" + decay);
        }
        this.resolution = resolution;
        this.bound = bound;
        this.densityThreshold = densityThreshold;
        this.decay = decay;
        int cells = resolution * resolution * resolution;
        this.density = Tensor.zeros(cells);
        this.occupancy = Tensor.zeros(cells);
    }

    /** SyncTalk's settings: threshold 10, decay 0.95. */
    public static OccupancyGrid syncTalk(int resolution, float bound) {
        return new OccupancyGrid(resolution, bound, 10f, 0.95f);
    }

    public int resolution() {
        return resolution;
    }

    public int cellCount() {
        return resolution * resolution * resolution;
    }

    public float bound() {
        return bound;
    }

    /** Density per cell [G^3] (running max with decay). */
    public Tensor density() {
        return density;
    }

    /** 1 for occupied cells, 0 for empty ones [G^3]: what the ray marcher reads. */
    public Tensor occupancy() {
        return occupancy;
    }

    public long updates() {
        return updates;
    }

    public float meanDensity() {
        return meanDensity;
    }

    /** Fraction of occupied cells. */
    public double occupiedFraction(Backend backend) {
        return backend.sum(occupancy) / cellCount();
    }

    /** Index of the cell holding point (x, y, z). */
    public int cellOf(float x, float y, float z) {
        return axisCell(x) + resolution * (axisCell(y) + resolution * axisCell(z));
    }

    private int axisCell(float v) {
        int c = (int) Math.floor((v / bound + 1f) * 0.5f * resolution);
        return Math.min(Math.max(c, 0), resolution - 1);
    }

    /** One update with the given conditioning; cell jitter from {@link TrainingSampler#gridNoise} of {@code gridKey}. */
    public void update(Backend backend, HeadModel model, Tensor audioCode, Tensor expression, long gridKey) {
        int cells = cellCount();
        Tensor noise = Tensor.zeros(cells, 3);
        float[] n = noise.data();
        for (int c = 0; c < cells; c++) {
            for (int a = 0; a < 3; a++) {
                n[3 * c + a] = TrainingSampler.gridNoise(gridKey, c, a);
            }
        }
        Tensor points = Tensor.zeros(cells, 3);
        backend.densityGridCellPoints(resolution, bound, noise, points);
        Tensor fresh = Tensor.zeros(cells);
        for (int start = 0; start < cells; start += QUERY_CHUNK) {
            int count = Math.min(QUERY_CHUNK, cells - start);
            Tensor sigma = model.density(backend, slice(points, start, count), audioCode, expression);
            System.arraycopy(sigma.data(), 0, fresh.data(), start, count);
        }
        Tensor dilated = Tensor.zeros(cells);
        backend.densityGridDilate(resolution, fresh, dilated);
        backend.densityGridDecayMax(density, dilated, decay);
        meanDensity = (float) (backend.sum(density) / cells);
        updates++;
        backend.densityGridThreshold(density, Math.min(meanDensity, densityThreshold), occupancy);
    }

    private static Tensor slice(Tensor points, int start, int count) {
        float[] part = new float[count * 3];
        System.arraycopy(points.data(), start * 3, part, 0, count * 3);
        return Tensor.wrap(part, count, 3);
    }

    /** Cells whose density is above this update's threshold: min(mean density, densityThreshold). */
    public float densityThreshold() {
        return densityThreshold;
    }

    public float decay() {
        return decay;
    }

    /** Restores a saved state (density, occupancy, update count, mean density). */
    public void restore(float[] savedDensity, float[] savedOccupancy, long savedUpdates, float savedMean) {
        if (savedDensity.length != cellCount() || savedOccupancy.length != cellCount()) {
            throw new IllegalArgumentException("saved occupancy grid has " + savedDensity.length + "/"
                    + savedOccupancy.length + " cells, this grid has " + cellCount());
        }
        System.arraycopy(savedDensity, 0, density.data(), 0, savedDensity.length);
        System.arraycopy(savedOccupancy, 0, occupancy.data(), 0, savedOccupancy.length);
        this.updates = savedUpdates;
        this.meanDensity = savedMean;
    }
}
