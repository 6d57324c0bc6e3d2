package dev.synctalk.gpu.render;

/**
 * Element kernels of the occupancy (density) grid update, torch-ngp / SyncTalk's update_extra_state,
 * over a cubic grid of side G stored as [G^3] with cell (x, y, z) at {@code x + G * (y + G * z)}.
 * Cells marked -1 (never seen by a training camera) stay -1.
 */
public final class DensityGridKernels {

    private DensityGridKernels() {
    }

    /** fresh'[c] = max of fresh over the 3x3x3 neighbourhood of c (morton3D_dilation), cells [start, end). */
    public static void dilate(float[] fresh, float[] out, int g, int start, int end) {
        for (int c = start; c < end; c++) {
            int x = c % g;
            int y = (c / g) % g;
            int z = c / (g * g);
            float max = Float.NEGATIVE_INFINITY;
            for (int dz = -1; dz <= 1; dz++) {
                int zz = z + dz;
                if (zz < 0 || zz >= g) {
                    continue;
                }
                for (int dy = -1; dy <= 1; dy++) {
                    int yy = y + dy;
                    if (yy < 0 || yy >= g) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        if (xx < 0 || xx >= g) {
                            continue;
                        }
                        max = Math.max(max, fresh[xx + g * (yy + g * zz)]);
                    }
                }
            }
            out[c] = max;
        }
    }

    /** grid = max(grid * decay, fresh) where both are >= 0 (torch-ngp's valid mask), cells [start, end). */
    public static void decayMax(float[] grid, float[] fresh, float decay, int start, int end) {
        for (int c = start; c < end; c++) {
            if (grid[c] >= 0f && fresh[c] >= 0f) {
                grid[c] = Math.max(grid[c] * decay, fresh[c]);
            }
        }
    }

    /** occupancy = grid &gt; threshold ? 1 : 0, cells [start, end). */
    public static void threshold(float[] grid, float threshold, float[] occupancy, int start, int end) {
        for (int c = start; c < end; c++) {
            occupancy[c] = grid[c] > threshold ? 1f : 0f;
        }
    }

    /**
     * Sample point of each cell for a grid update: the cell's lattice position
     * {@code (2 c / (G - 1) - 1) * (bound - h)} jittered by {@code (2 noise - 1) * h}, h = bound / G (half a
     * cell), as torch-ngp's update_extra_state; noise [G^3, 3] in [0, 1); points [G^3, 3]; cells [start, end).
     */
    public static void cellPoints(int g, float bound, float[] noise, float[] points, int start, int end) {
        float half = bound / g;
        for (int c = start; c < end; c++) {
            int[] coord = {c % g, (c / g) % g, c / (g * g)};
            for (int a = 0; a < 3; a++) {
                float lattice = g == 1 ? 0f : 2f * coord[a] / (g - 1) - 1f;
                points[3 * c + a] = lattice * (bound - half) + (2f * noise[3 * c + a] - 1f) * half;
            }
        }
    }
}
