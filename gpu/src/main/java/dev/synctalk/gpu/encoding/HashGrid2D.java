package dev.synctalk.gpu.encoding;

import dev.synctalk.gpu.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * 2D multiresolution hash encoding (instant-ngp), with the exact conventions of torch-ngp's
 * {@code gridencoder} that SyncTalk trains with (gridtype "hash", align_corners false, linear
 * interpolation).
 *
 * <h2>Level geometry (the choices, and why)</h2>
 * <ul>
 *   <li>per-level scale {@code b = 2^(log2(N_max / N_min) / (L - 1))} (torch-ngp's
 *       {@code per_level_scale} from {@code desired_resolution}; equal to exp((ln N_max - ln N_min)/(L-1))).</li>
 *   <li>Kernel scale of level l: {@code scale_l = N_min * b^l - 1} and lattice resolution
 *       {@code R_l = ceil(scale_l) + 1}; a coordinate u in [0,1] maps to {@code pos = u * scale_l + 0.5},
 *       its cell is {@code floor(pos)} and the bilinear weights are the fractional parts. Lattice points
 *       per axis are 0..R_l, i.e. R_l + 1. This is torch-ngp's (and tcnn's) "ceil with +1 offset"
 *       convention, not the paper's floor(N_min * b^l): we follow the reference implementation so
 *       trained tables and the CUDA twin agree cell for cell. {@code scale_l} is computed once on the
 *       host in double and rounded to float; kernels receive it per level rather than calling exp2f.</li>
 *   <li>Table rows of level l: {@code min(T, (ceil(N_min * b^l) + 1)^2)} rounded up to a multiple of 8
 *       (torch-ngp's allocation), T = 2^log2HashmapSize. Level l starts at row {@code levelOffset(l)}.</li>
 *   <li>Indexing: dense {@code gx + gy * (R_l + 1)} when {@code (R_l + 1)^2 <= rows_l}, otherwise the
 *       spatial hash {@code (gx * 1) xor (gy * 2654435761)} in uint32 arithmetic; either way taken
 *       modulo rows_l (unsigned).</li>
 *   <li>Inputs in [-bound, bound] are mapped to u = (x + bound) / (2 bound). A point with any u outside
 *       [0, 1] encodes to 0 and receives no gradient (torch-ngp's out-of-bound rule).</li>
 * </ul>
 *
 * <h2>Layouts</h2>
 * <ul>
 *   <li>coords: sample n's two coordinates at {@code coords[n * stride + axisX]} and
 *       {@code coords[n * stride + axisY]} (so a tri-plane can read planes straight out of [N, 3] points).</li>
 *   <li>embeddings: [parameterRows, F] row-major, level l's rows contiguous from levelOffset(l).</li>
 *   <li>output: sample n, level l, feature f at {@code out[n * outStride + outOffset + l * F + f]}
 *       (sample-major [N, L*F], what torch-ngp returns after its permute).</li>
 * </ul>
 */
public final class HashGrid2D {
    /** torch-ngp's second hash prime (the first is 1). */
    static final int HASH_PRIME_Y = (int) 2654435761L;
    private static final float INIT_RANGE = 1e-4f;

    private final int levels;
    private final int features;
    private final int baseResolution;
    private final int log2HashmapSize;
    private final double finestResolution;
    private final float bound;
    private final double perLevelScale;
    private final float[] levelScale;
    private final int[] levelResolution;
    private final int[] levelOffset;
    private final int[] levelRows;
    private final boolean[] levelDense;

    public HashGrid2D(int levels, int featuresPerLevel, int baseResolution, int log2HashmapSize,
                      double finestResolution, float bound) {
        if (levels < 2 || featuresPerLevel < 1 || baseResolution < 1 || log2HashmapSize < 3 || log2HashmapSize > 30
                || finestResolution < baseResolution || !(bound > 0)) {
            throw new IllegalArgumentException("invalid hash grid: levels=" + levels + " features=" + featuresPerLevel
                    + " base=" + baseResolution + " log2T=" + log2HashmapSize + " finest=" + finestResolution
                    + " bound=" + bound);
        }
        this.levels = levels;
        this.features = featuresPerLevel;
        this.baseResolution = baseResolution;
        this.log2HashmapSize = log2HashmapSize;
        this.finestResolution = finestResolution;
        this.bound = bound;
        double log2Scale = Math.log(finestResolution / baseResolution) / Math.log(2) / (levels - 1);
        this.perLevelScale = Math.pow(2, log2Scale);
        this.levelScale = new float[levels];
        this.levelResolution = new int[levels];
        this.levelOffset = new int[levels + 1];
        this.levelRows = new int[levels];
        this.levelDense = new boolean[levels];
        long maxRows = 1L << log2HashmapSize;
        long offset = 0;
        for (int l = 0; l < levels; l++) {
            levelScale[l] = (float) (Math.pow(2, l * log2Scale) * baseResolution - 1.0);
            levelResolution[l] = (int) Math.ceil(levelScale[l]) + 1;
            long allocResolution = (long) Math.ceil(baseResolution * Math.pow(perLevelScale, l));
            long rows = Math.min(maxRows, (allocResolution + 1) * (allocResolution + 1));
            rows = (rows + 7) / 8 * 8;
            levelRows[l] = (int) rows;
            long side = levelResolution[l] + 1L;
            levelDense[l] = side * side <= rows;
            levelOffset[l] = (int) offset;
            offset += rows;
        }
        levelOffset[levels] = (int) offset;
    }

    /** SyncTalk's plane encoder: 12 levels, 1 feature, base 64, log2 T = 14, finest 512 * bound. */
    public static HashGrid2D syncTalkPlane(float bound) {
        return new HashGrid2D(12, 1, 64, 14, 512.0 * bound, bound);
    }

    public int levels() { return levels; }
    public int featuresPerLevel() { return features; }
    public int baseResolution() { return baseResolution; }
    public int log2HashmapSize() { return log2HashmapSize; }
    public double finestResolution() { return finestResolution; }
    public float bound() { return bound; }
    public double perLevelScale() { return perLevelScale; }
    public int outputDim() { return levels * features; }
    public float levelScale(int level) { return levelScale[level]; }
    public int levelResolution(int level) { return levelResolution[level]; }
    public int levelOffset(int level) { return levelOffset[level]; }
    public int levelRows(int level) { return levelRows[level]; }
    public boolean isDenseLevel(int level) { return levelDense[level]; }
    public int parameterRows() { return levelOffset[levels]; }

    /** Embedding table [parameterRows, F], uniform in [-1e-4, 1e-4) as torch-ngp initialises it. */
    public Tensor newEmbeddings(SplittableRandom rng) {
        return Tensor.uniform(rng, -INIT_RANGE, INIT_RANGE, parameterRows(), features);
    }

    /** Row within level {@code level} (0 .. levelRows-1) of lattice point (gx, gy). */
    public int rowInLevel(int level, int gx, int gy) {
        int rows = levelRows[level];
        int index = levelDense[level]
                ? gx + gy * (levelResolution[level] + 1)
                : gx ^ (gy * HASH_PRIME_Y);
        return Integer.remainderUnsigned(index, rows);
    }

    private float toUnit(float x) {
        return (x + bound) / (2 * bound);
    }

    /** Forward over samples [start, end): writes all L*F outputs of each sample. */
    public void forward(float[] coords, int stride, int axisX, int axisY, float[] embeddings,
                        float[] out, int outStride, int outOffset, int start, int end) {
        for (int n = start; n < end; n++) {
            float ux = toUnit(coords[n * stride + axisX]);
            float uy = toUnit(coords[n * stride + axisY]);
            int outBase = n * outStride + outOffset;
            if (!(ux >= 0 && ux <= 1 && uy >= 0 && uy <= 1)) {
                for (int k = 0; k < levels * features; k++) {
                    out[outBase + k] = 0f;
                }
                continue;
            }
            for (int l = 0; l < levels; l++) {
                float scale = levelScale[l];
                float px = ux * scale + 0.5f;
                float py = uy * scale + 0.5f;
                int gx = (int) Math.floor(px);
                int gy = (int) Math.floor(py);
                float fx = px - gx;
                float fy = py - gy;
                int base = levelOffset[l];
                int r00 = (base + rowInLevel(l, gx, gy)) * features;
                int r10 = (base + rowInLevel(l, gx + 1, gy)) * features;
                int r01 = (base + rowInLevel(l, gx, gy + 1)) * features;
                int r11 = (base + rowInLevel(l, gx + 1, gy + 1)) * features;
                // corner order and weight products follow torch-ngp (bit 0 = x, bit 1 = y)
                float w00 = (1 - fx) * (1 - fy);
                float w10 = fx * (1 - fy);
                float w01 = (1 - fx) * fy;
                float w11 = fx * fy;
                for (int f = 0; f < features; f++) {
                    float v = 0f;
                    v += w00 * embeddings[r00 + f];
                    v += w10 * embeddings[r10 + f];
                    v += w01 * embeddings[r01 + f];
                    v += w11 * embeddings[r11 + f];
                    out[outBase + l * features + f] = v;
                }
            }
        }
    }

    /**
     * Embedding gradient of one level: {@code gradEmbeddings[level rows] += sum over samples 0..n-1,
     * in sample order, of w_corner * gradOut}. Levels own disjoint rows, so running one task per level
     * is race-free and its result is independent of how many threads run the levels.
     */
    public void backwardEmbeddingsOfLevel(int level, float[] coords, int stride, int axisX, int axisY,
                                          float[] gradOut, int gradStride, int gradOffset,
                                          float[] gradEmbeddings, int sampleCount) {
        float scale = levelScale[level];
        int base = levelOffset[level];
        for (int n = 0; n < sampleCount; n++) {
            float ux = toUnit(coords[n * stride + axisX]);
            float uy = toUnit(coords[n * stride + axisY]);
            if (!(ux >= 0 && ux <= 1 && uy >= 0 && uy <= 1)) {
                continue;
            }
            float px = ux * scale + 0.5f;
            float py = uy * scale + 0.5f;
            int gx = (int) Math.floor(px);
            int gy = (int) Math.floor(py);
            float fx = px - gx;
            float fy = py - gy;
            int r00 = (base + rowInLevel(level, gx, gy)) * features;
            int r10 = (base + rowInLevel(level, gx + 1, gy)) * features;
            int r01 = (base + rowInLevel(level, gx, gy + 1)) * features;
            int r11 = (base + rowInLevel(level, gx + 1, gy + 1)) * features;
            float w00 = (1 - fx) * (1 - fy);
            float w10 = fx * (1 - fy);
            float w01 = (1 - fx) * fy;
            float w11 = fx * fy;
            int g = n * gradStride + gradOffset + level * features;
            for (int f = 0; f < features; f++) {
                float go = gradOut[g + f];
                gradEmbeddings[r00 + f] += w00 * go;
                gradEmbeddings[r10 + f] += w10 * go;
                gradEmbeddings[r01 + f] += w01 * go;
                gradEmbeddings[r11 + f] += w11 * go;
            }
        }
    }

    /**
     * Coordinate gradient over samples [start, end): adds d(sum gradOut * out)/dx and /dy (in the
     * caller's [-bound, bound] units) into {@code gradCoords} at the same layout as {@code coords}.
     * Levels are summed in order 0..L-1 per sample.
     */
    public void backwardCoords(float[] coords, int stride, int axisX, int axisY, float[] embeddings,
                               float[] gradOut, int gradStride, int gradOffset, float[] gradCoords,
                               int start, int end) {
        float unitPerInput = 1f / (2 * bound);
        for (int n = start; n < end; n++) {
            float ux = toUnit(coords[n * stride + axisX]);
            float uy = toUnit(coords[n * stride + axisY]);
            if (!(ux >= 0 && ux <= 1 && uy >= 0 && uy <= 1)) {
                continue;
            }
            float dx = 0f;
            float dy = 0f;
            for (int l = 0; l < levels; l++) {
                float scale = levelScale[l];
                float px = ux * scale + 0.5f;
                float py = uy * scale + 0.5f;
                int gx = (int) Math.floor(px);
                int gy = (int) Math.floor(py);
                float fx = px - gx;
                float fy = py - gy;
                int base = levelOffset[l];
                int r00 = (base + rowInLevel(l, gx, gy)) * features;
                int r10 = (base + rowInLevel(l, gx + 1, gy)) * features;
                int r01 = (base + rowInLevel(l, gx, gy + 1)) * features;
                int r11 = (base + rowInLevel(l, gx + 1, gy + 1)) * features;
                int g = n * gradStride + gradOffset + l * features;
                for (int f = 0; f < features; f++) {
                    float go = gradOut[g + f];
                    float e00 = embeddings[r00 + f];
                    float e10 = embeddings[r10 + f];
                    float e01 = embeddings[r01 + f];
                    float e11 = embeddings[r11 + f];
                    float dOutDux = scale * ((1 - fy) * (e10 - e00) + fy * (e11 - e01));
                    float dOutDuy = scale * ((1 - fx) * (e01 - e00) + fx * (e11 - e10));
                    dx += go * dOutDux;
                    dy += go * dOutDuy;
                }
            }
            gradCoords[n * stride + axisX] += dx * unitPerInput;
            gradCoords[n * stride + axisY] += dy * unitPerInput;
        }
    }
}
