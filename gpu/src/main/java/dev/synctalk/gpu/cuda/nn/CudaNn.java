package dev.synctalk.gpu.cuda.nn;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.KernelRef;
import dev.synctalk.gpu.cuda.LaunchShape;
import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.mlp.Activation;

/**
 * Device-resident launches of the network kernels (hashgrid.cu, sh.cu, dense.cu, render.cu, headnet.cu):
 * operands stay in device memory, work is enqueued on the device's stream and not synchronised. Layouts are
 * the .cu headers'; every launch shape decision lives here. {@code CudaBackend} wraps these with host copies
 * for the {@code Backend} interface; the head-model step calls them directly.
 */
public final class CudaNn {

    /** Plane axes of the tri-plane encoder packed as the kernel reads them: xy, yz, xz. */
    public static final int TRI_PLANE_AXES = axes(0, 0, 1) | axes(1, 1, 2) | axes(2, 0, 2);
    /** A single plane over (x, y) of [N, 2] coordinates. */
    public static final int SINGLE_PLANE_AXES = axes(0, 0, 1);

    /** dense_rows epilogue bits (dense.cu). */
    public static final int EPILOGUE_RELU = 1;
    public static final int EPILOGUE_MASK_POSITIVE = 2;
    public static final int EPILOGUE_ACCUMULATE = 4;

    private static final int ROW_TILE = 64;
    private static final int MAX_STATIC_SHARED_BYTES = 48 * 1024;

    private CudaNn() {
    }

    private static int axes(int plane, int axisX, int axisY) {
        return (axisX | axisY << 2) << (4 * plane);
    }

    private static KernelArgs view(KernelArgs args, DeviceView v) {
        if (!v.present()) {
            return args.optionalBuffer(null);
        }
        return args.buffer(v.buffer(), v.offset());
    }

    private static void launch(CudaDevice device, KernelRef ref, LaunchShape shape, KernelArgs args) {
        device.kernel(ref).launch(shape, args);
    }

    private static LaunchShape perItem(CudaDevice device, long items) {
        return KernelCatalog.elementwise(device, items);
    }

    // ---- hash grid ------------------------------------------------------------------------------------

    /** The per-level table hashgrid.cu reads: {offset, rows, side = R_l + 1, dense, scale bits} per level. */
    public static int[] levelTable(HashGrid2D grid) {
        int[] table = new int[5 * grid.levels()];
        for (int l = 0; l < grid.levels(); l++) {
            table[5 * l] = grid.levelOffset(l);
            table[5 * l + 1] = grid.levelRows(l);
            table[5 * l + 2] = grid.levelResolution(l) + 1;
            table[5 * l + 3] = grid.isDenseLevel(l) ? 1 : 0;
            table[5 * l + 4] = Float.floatToRawIntBits(grid.levelScale(l));
        }
        return table;
    }

    /** Geometry of one hash-grid launch: which planes of which coordinates, and the uploaded level table. */
    public record GridLaunch(HashGrid2D grid, int planes, int planeAxes, DeviceBuffer levels) {
        public long planeStride() {
            return (long) grid.parameterRows() * grid.featuresPerLevel();
        }

        public int outputDim() {
            return planes * grid.outputDim();
        }
    }

    public static void hashGridForward(CudaDevice device, GridLaunch g, long n, DeviceView coords, int coordStride,
                                       DeviceView embeddings, DeviceView out, int outStride) {
        hashGridForward(device, g, n, null, coords, coordStride, embeddings, out, outStride);
    }

    /**
     * As above for the first {@code liveCount}[0] of at most {@code capacity} samples, the count read on the device
     * (null: all {@code capacity}): the launch is sized by the capacity, nothing is read back.
     */
    public static void hashGridForward(CudaDevice device, GridLaunch g, long capacity, DeviceBuffer liveCount,
                                       DeviceView coords, int coordStride, DeviceView embeddings, DeviceView out,
                                       int outStride) {
        HashGrid2D grid = g.grid();
        long n = capacity;
        launch(device, KernelCatalog.HASHGRID_FORWARD, perItem(device, n * g.planes() * grid.levels()),
                view(view(view(KernelArgs.create().i64(n).optionalBuffer(liveCount).i32(g.planes()).i32(g.planeAxes()).i32(grid.levels())
                        .i32(grid.featuresPerLevel()).f32(grid.bound()), coords).i32(coordStride)
                        .buffer(g.levels()), embeddings).i64(g.planeStride()), out).i32(outStride));
    }

    /**
     * Groups of consecutive levels whose tables fit {@code capacityFloats} together, as a bit mask (bit l set:
     * a group starts at level l), for hashgrid_backward_embeddings_shared; 0 when a single level does not fit
     * or the levels do not fit the mask. The groups are balanced: the fewest groups G such that groups of at
     * most ceil(L / G) levels, packed greedily, fit and number at most G (a block's work is its level count).
     */
    public static int sharedGradientGroups(HashGrid2D grid, int capacityFloats) {
        int levels = grid.levels();
        if (levels > 31) {
            return 0;
        }
        for (int l = 0; l < levels; l++) {
            if ((long) grid.levelRows(l) * grid.featuresPerLevel() > capacityFloats) {
                return 0;
            }
        }
        for (int target = 1; target <= levels; target++) {
            int maxLevels = (levels + target - 1) / target;
            int mask = 1;
            int groups = 1;
            int inGroup = 0;
            long floats = 0;
            for (int l = 0; l < levels; l++) {
                long rowFloats = (long) grid.levelRows(l) * grid.featuresPerLevel();
                if (inGroup == maxLevels || floats + rowFloats > capacityFloats) {
                    mask |= 1 << l;
                    groups++;
                    inGroup = 0;
                    floats = 0;
                }
                inGroup++;
                floats += rowFloats;
            }
            if (groups <= target) {
                return mask;
            }
        }
        throw new IllegalStateException("one level per group always fits once each level fits");
    }

    /** Floats of the largest group of {@link #sharedGradientGroups} (its shared-memory accumulator). */
    public static int largestGroupFloats(HashGrid2D grid, int groupStarts) {
        int largest = 0;
        int current = 0;
        for (int l = 0; l < grid.levels(); l++) {
            if (((groupStarts >> l) & 1) != 0) {
                current = 0;
            }
            current += grid.levelRows(l) * grid.featuresPerLevel();
            largest = Math.max(largest, current);
        }
        return largest;
    }

    /** Shared memory one block of the privatised tri-plane backward may take (H100: 227 KiB per block). */
    private static final int SHARED_GRADIENT_BYTES = 200 * 1024;
    /** Fewest samples per block of the privatised backward: below this the table flush outweighs the work. */
    private static final long SHARED_GRADIENT_MIN_SAMPLES = 4096;

    /**
     * gradEmbeddings += d/d(embeddings): accumulated per block in shared memory and flushed with one atomic per
     * entry when the levels fit (hashgrid_backward_embeddings_shared), else by global atomics per sample.
     */
    public static void hashGridBackwardEmbeddings(CudaDevice device, GridLaunch g, long n, DeviceView coords,
                                                  int coordStride, DeviceView gradOut, int gradStride,
                                                  DeviceView gradEmbeddings) {
        HashGrid2D grid = g.grid();
        int groupStarts = sharedGradientGroups(grid, SHARED_GRADIENT_BYTES / Float.BYTES);
        if (groupStarts != 0 && n > 0) {
            int blocksPerChunk = g.planes() * Integer.bitCount(groupStarts);
            long chunks = Math.max(1, Math.min(device.multiprocessorCount() / blocksPerChunk,
                    n / SHARED_GRADIENT_MIN_SAMPLES));
            long samplesPerChunk = (n + chunks - 1) / chunks;
            int sharedBytes = largestGroupFloats(grid, groupStarts) * Float.BYTES;
            device.kernel(KernelCatalog.HASHGRID_BACKWARD_EMBEDDINGS_SHARED).allowDynamicSharedMemory(sharedBytes)
                    .launch(new LaunchShape((int) chunks, blocksPerChunk, 1, 1024, 1, 1, sharedBytes),
                            view(view(view(KernelArgs.create().i64(n).i32(g.planes()).i32(g.planeAxes())
                                    .i32(grid.levels()).i32(grid.featuresPerLevel()).f32(grid.bound()), coords)
                                    .i32(coordStride).buffer(g.levels()), gradOut).i32(gradStride), gradEmbeddings)
                                    .i64(g.planeStride()).i32(groupStarts).i64(samplesPerChunk));
            return;
        }
        launch(device, KernelCatalog.HASHGRID_BACKWARD_EMBEDDINGS, perItem(device, n * g.planes() * grid.levels()),
                view(view(view(KernelArgs.create().i64(n).i32(g.planes()).i32(g.planeAxes()).i32(grid.levels())
                        .i32(grid.featuresPerLevel()).f32(grid.bound()), coords).i32(coordStride)
                        .buffer(g.levels()), gradOut).i32(gradStride), gradEmbeddings).i64(g.planeStride()));
    }

    /**
     * gradFixed (int64 table entries, zeroed by the caller) += the embeddings' gradient in fixed point at
     * {@code scale}[1] (hashgrid_backward_embeddings_fixed): integer sums, so the result does not depend on the
     * order the atomics land in, unlike {@link #hashGridBackwardEmbeddings}. Every level must fit one block's
     * shared memory in 8-byte entries (the reference sizes do).
     */
    public static void hashGridBackwardEmbeddingsFixed(CudaDevice device, GridLaunch g, long n, DeviceView coords,
                                                       int coordStride, DeviceView gradOut, int gradStride,
                                                       DeviceBuffer gradFixed, DeviceBuffer scale) {
        HashGrid2D grid = g.grid();
        int groupStarts = sharedGradientGroups(grid, SHARED_GRADIENT_BYTES / Long.BYTES);
        if (groupStarts == 0) {
            throw new IllegalArgumentException("a level of " + grid.levels() + " levels x " + grid.featuresPerLevel()
                    + " features does not fit " + SHARED_GRADIENT_BYTES + " bytes of shared memory in 8-byte entries");
        }
        if (n == 0) {
            return;
        }
        int blocksPerChunk = g.planes() * Integer.bitCount(groupStarts);
        long chunks = Math.max(1, Math.min(device.multiprocessorCount() / blocksPerChunk, n / SHARED_GRADIENT_MIN_SAMPLES));
        long samplesPerChunk = (n + chunks - 1) / chunks;
        int sharedBytes = largestGroupFloats(grid, groupStarts) * Long.BYTES;
        device.kernel(KernelCatalog.HASHGRID_BACKWARD_EMBEDDINGS_FIXED).allowDynamicSharedMemory(sharedBytes)
                .launch(new LaunchShape((int) chunks, blocksPerChunk, 1, 1024, 1, 1, sharedBytes),
                        view(view(KernelArgs.create().i64(n).i32(g.planes()).i32(g.planeAxes()).i32(grid.levels())
                                .i32(grid.featuresPerLevel()).f32(grid.bound()), coords).i32(coordStride)
                                .buffer(g.levels()), gradOut).i32(gradStride).buffer(gradFixed).i64(g.planeStride())
                                .i32(groupStarts).i64(samplesPerChunk).buffer(scale));
    }

    /** gradCoords [n, coordStride] overwritten. */
    public static void hashGridBackwardCoords(CudaDevice device, GridLaunch g, long n, DeviceView coords,
                                              int coordStride, DeviceView embeddings, DeviceView gradOut,
                                              int gradStride, DeviceView gradCoords) {
        HashGrid2D grid = g.grid();
        launch(device, KernelCatalog.HASHGRID_BACKWARD_COORDS, perItem(device, n),
                view(view(view(view(KernelArgs.create().i64(n).i32(g.planes()).i32(g.planeAxes()).i32(grid.levels())
                        .i32(grid.featuresPerLevel()).f32(grid.bound()), coords).i32(coordStride)
                        .buffer(g.levels()), embeddings).i64(g.planeStride()), gradOut).i32(gradStride), gradCoords));
    }

    // ---- spherical harmonics ----------------------------------------------------------------------------

    public static void shForward(CudaDevice device, long n, DeviceView directions, DeviceView out, int outStride) {
        shForward(device, n, null, directions, out, outStride);
    }

    /** As above for the first {@code liveCount}[0] of at most {@code capacity} samples (null: all), read on the device. */
    public static void shForward(CudaDevice device, long capacity, DeviceBuffer liveCount, DeviceView directions,
                                 DeviceView out, int outStride) {
        launch(device, KernelCatalog.SH_FORWARD, perItem(device, capacity),
                view(view(KernelArgs.create().i64(capacity).optionalBuffer(liveCount), directions), out).i32(outStride));
    }

    public static void shBackward(CudaDevice device, long n, DeviceView directions, DeviceView gradOut, int gradStride,
                                  DeviceView gradDirections) {
        launch(device, KernelCatalog.SH_BACKWARD, perItem(device, n),
                view(view(view(KernelArgs.create().i64(n), directions), gradOut).i32(gradStride), gradDirections));
    }

    // ---- dense layers -----------------------------------------------------------------------------------

    /**
     * C [n, cols] (row stride ldc) = epilogue(A [n, k] (stride lda) times B): B = W^T for a forward pass
     * (W [cols, k]), B = W for the input gradient (W [k, cols], {@code weightIsKByCols}).
     */
    public static void denseRows(CudaDevice device, long n, DeviceView a, int lda, int k, DeviceView weight,
                                 boolean weightIsKByCols, int cols, DeviceView bias, DeviceView c, int ldc,
                                 int epilogue, DeviceView mask, int ldMask) {
        int colsPadded = (cols + 3) & ~3;
        int sharedBytes = (k * colsPadded + ROW_TILE * (k + 1)) * Float.BYTES;
        if (sharedBytes > MAX_STATIC_SHARED_BYTES) {
            throw new IllegalArgumentException("dense layer " + k + " x " + cols + " needs " + sharedBytes
                    + " bytes of shared memory, more than the kernel's 48 KiB");
        }
        if ((epilogue & EPILOGUE_MASK_POSITIVE) != 0 && !mask.present()) {
            throw new IllegalArgumentException("dense epilogue masks by a tensor that was not given");
        }
        int pairs = (ROW_TILE / 4) * (colsPadded / 4);
        int threads = Math.min(1024, (pairs + 31) / 32 * 32);
        long tiles = (n + ROW_TILE - 1) / ROW_TILE;
        // narrow layers get few threads per block, so they need more resident blocks to fill a multiprocessor
        int blocksPerSm = Math.max(4, 2048 / threads);
        int blocks = (int) Math.max(1, Math.min(tiles, (long) blocksPerSm * device.multiprocessorCount()));
        launch(device, KernelCatalog.DENSE_ROWS, new LaunchShape(blocks, 1, 1, threads, 1, 1, sharedBytes),
                view(view(view(view(view(KernelArgs.create().i64(n), a).i32(lda).i32(k), weight)
                        .i32(weightIsKByCols ? 1 : 0).i32(cols), bias), c).i32(ldc).i32(epilogue), mask).i32(ldMask));
    }

    /** gradW [outF, inF] += G^T X and gradB [outF] (optional) += column sums of G, over n rows. */
    public static void denseWeightGrad(CudaDevice device, long n, DeviceView g, int ldg, int outF, DeviceView x,
                                       int ldx, int inF, DeviceView gradWeight, DeviceView gradBias) {
        int outPadded = (outF + 3) & ~3;
        int inPadded = (inF + 3) & ~3;
        int pairs = (outPadded / 4) * (inPadded / 4);
        int threads = (Math.max(pairs, outF) + 31) / 32 * 32;
        if (threads > 1024) {
            throw new IllegalArgumentException("dense weight gradient " + outF + " x " + inF
                    + " exceeds one 4x4 tile per thread of a 1024-thread block");
        }
        int sharedBytes = ROW_TILE * (outPadded + inPadded) * Float.BYTES;
        long tiles = (n + ROW_TILE - 1) / ROW_TILE;
        int blocksPerSm = Math.max(2, 1024 / threads);
        int blocks = (int) Math.max(1, Math.min(tiles, (long) blocksPerSm * device.multiprocessorCount()));
        launch(device, KernelCatalog.DENSE_WEIGHT_GRAD, new LaunchShape(blocks, 1, 1, threads, 1, 1, sharedBytes),
                view(view(view(view(KernelArgs.create().i64(n), g).i32(ldg).i32(outF), x).i32(ldx).i32(inF),
                        gradWeight), gradBias));
    }

    // ---- activations ----------------------------------------------------------------------------------------

    /** Whether dense.cu has a kernel for {@code activation} (SyncTalk's scaled colour sigmoid has none). */
    public static boolean hasActivationKernel(Activation activation) {
        return activation instanceof Activation.Identity || activation instanceof Activation.Relu
                || activation instanceof Activation.LeakyRelu || activation instanceof Activation.Sigmoid
                || activation instanceof Activation.Softplus || activation instanceof Activation.TruncExp;
    }

    /** The kernel's code of an activation and its slope argument (leaky ReLU only). */
    public static int activationCode(Activation activation) {
        if (activation instanceof Activation.Identity) {
            return 0;
        } else if (activation instanceof Activation.Relu) {
            return 1;
        } else if (activation instanceof Activation.LeakyRelu) {
            return 2;
        } else if (activation instanceof Activation.Sigmoid) {
            return 3;
        } else if (activation instanceof Activation.Softplus) {
            return 4;
        } else if (activation instanceof Activation.TruncExp) {
            return 5;
        }
        throw new IllegalArgumentException("no CUDA kernel for activation " + activation);
    }

    private static float slope(Activation activation) {
        return activation instanceof Activation.LeakyRelu leaky ? leaky.slope() : 0f;
    }

    public static void activationForward(CudaDevice device, Activation activation, long n, DeviceView x, DeviceView y) {
        launch(device, KernelCatalog.ACTIVATION_FORWARD, perItem(device, n),
                view(view(KernelArgs.create().i64(n).i32(activationCode(activation)).f32(slope(activation)), x), y));
    }

    public static void activationBackward(CudaDevice device, Activation activation, long n, DeviceView x, DeviceView y,
                                          DeviceView gradY, DeviceView gradX) {
        launch(device, KernelCatalog.ACTIVATION_BACKWARD, perItem(device, n),
                view(view(view(view(KernelArgs.create().i64(n).i32(activationCode(activation)).f32(slope(activation)),
                        x), y), gradY), gradX));
    }

    // ---- rendering and loss -----------------------------------------------------------------------------------

    /** Packed samples on the device: rays int[2R], sigma [M], rgb [M, 3], dt [M], t [M]. */
    public record DeviceRays(int rayCount, DeviceBuffer rays, DeviceView sigma, DeviceView rgb, DeviceView dt,
                             DeviceView t) {
    }

    public static void volumeRenderForward(CudaDevice device, DeviceRays s, float threshold, DeviceView background,
                                           DeviceView image, DeviceView depth, DeviceView weightsSum) {
        launch(device, KernelCatalog.VOLUME_RENDER_FORWARD, perItem(device, s.rayCount()),
                view(view(view(view(view(view(view(view(KernelArgs.create().i32(s.rayCount()).buffer(s.rays()),
                        s.sigma()), s.rgb()), s.dt()), s.t()), background).f32(threshold), image), depth), weightsSum));
    }

    public static void volumeRenderBackward(CudaDevice device, DeviceRays s, float threshold, DeviceView background,
                                            DeviceView gradImage, DeviceView gradDepth, DeviceView gradWeightsSum,
                                            DeviceView gradSigma, DeviceView gradRgb) {
        launch(device, KernelCatalog.VOLUME_RENDER_BACKWARD, perItem(device, s.rayCount()),
                view(view(view(view(view(view(view(view(view(view(KernelArgs.create().i32(s.rayCount())
                        .buffer(s.rays()), s.sigma()), s.rgb()), s.dt()), s.t()), background).f32(threshold),
                        gradImage), gradDepth), gradWeightsSum), gradSigma), gradRgb));
    }

    /** Composite with background, per-ray MSE, mean over rays, and its backward into gradSigma, gradRgb. */
    public static void renderMseTrain(CudaDevice device, DeviceRays s, DeviceView background, DeviceView target,
                                      float threshold, DeviceView lossPerRay, DeviceView gradSigma, DeviceView gradRgb) {
        launch(device, KernelCatalog.RENDER_MSE_TRAIN, perItem(device, s.rayCount()),
                view(view(view(view(view(view(view(view(view(KernelArgs.create().i32(s.rayCount()).buffer(s.rays()),
                        s.sigma()), s.rgb()), s.dt()), s.t()), background), target).f32(threshold), lossPerRay),
                        gradSigma), gradRgb));
    }

    public static void mseForward(CudaDevice device, int rays, int channels, DeviceView prediction, DeviceView target,
                                  DeviceView loss) {
        launch(device, KernelCatalog.MSE_FORWARD, perItem(device, rays),
                view(view(view(KernelArgs.create().i32(rays).i32(channels), prediction), target), loss));
    }

    public static void mseBackward(CudaDevice device, int rays, int channels, DeviceView prediction, DeviceView target,
                                   DeviceView gradLoss, DeviceView gradPrediction) {
        launch(device, KernelCatalog.MSE_BACKWARD, perItem(device, rays),
                view(view(view(view(KernelArgs.create().i32(rays).i32(channels), prediction), target), gradLoss),
                        gradPrediction));
    }

    // ---- head-network glue (headnet.cu) ----------------------------------------------------------------------

    public static void headModulateForward(CudaDevice device, long n, DeviceView h0, DeviceView attA, DeviceView attE,
                                           DeviceView audio, DeviceView expression) {
        launch(device, KernelCatalog.HEAD_MODULATE_FORWARD, perItem(device, n),
                view(view(view(view(view(KernelArgs.create().i64(n), h0), attA), attE), audio), expression));
    }

    public static void headModulateBackward(CudaDevice device, long n, DeviceView gradH0, DeviceView attE,
                                            DeviceView audio, DeviceView expression, DeviceView gradAttA,
                                            DeviceView gradAttE) {
        launch(device, KernelCatalog.HEAD_MODULATE_BACKWARD, perItem(device, n),
                view(view(view(view(view(view(KernelArgs.create().i64(n), gradH0), attE), audio), expression),
                        gradAttA), gradAttE));
    }

    public static void headSigmaForward(CudaDevice device, long n, DeviceView raw, DeviceView sigma,
                                        DeviceView colourInput, DeviceView code) {
        launch(device, KernelCatalog.HEAD_SIGMA_FORWARD, perItem(device, n),
                view(view(view(view(KernelArgs.create().i64(n), raw), sigma), colourInput), code));
    }

    public static void headSigmaBackward(CudaDevice device, long n, DeviceView raw, DeviceView gradSigma,
                                         DeviceView gradColourInput, DeviceView gradRaw) {
        launch(device, KernelCatalog.HEAD_SIGMA_BACKWARD, perItem(device, n),
                view(view(view(view(KernelArgs.create().i64(n), raw), gradSigma), gradColourInput), gradRaw));
    }

    public static void headOutputsForward(CudaDevice device, long n, DeviceView colourLogits, DeviceView rgb,
                                          DeviceView uncertaintyLogit, DeviceView uncertainty) {
        launch(device, KernelCatalog.HEAD_OUTPUTS_FORWARD, perItem(device, n),
                view(view(view(view(KernelArgs.create().i64(n), colourLogits), rgb), uncertaintyLogit), uncertainty));
    }

    public static void headOutputsBackward(CudaDevice device, long n, DeviceView colourLogits, DeviceView gradRgb,
                                           DeviceView uncertaintyLogit, float gradUncertainty,
                                           DeviceView gradColourLogits, DeviceView gradUncertaintyLogit) {
        launch(device, KernelCatalog.HEAD_OUTPUTS_BACKWARD, perItem(device, n),
                view(view(view(view(view(KernelArgs.create().i64(n), colourLogits), gradRgb), uncertaintyLogit)
                        .f32(gradUncertainty), gradColourLogits), gradUncertaintyLogit));
    }
}
