package dev.synctalk.gpu.cuda.torso;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.KernelRef;
import dev.synctalk.gpu.cuda.LaunchShape;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.encoding.FrequencyEncoding;
import dev.synctalk.gpu.mlp.Activation;

/**
 * Launches of the torso's own kernels (torso.cu, frequency.cu, reduce.cu), enqueued on the device's stream
 * and not synchronised. Layouts and numerics are the .cu headers'; every launch shape lives here. Views
 * ({@link DeviceView}) are in 4-byte elements, so an int buffer (pixels, packed RGBA) is viewed like a float one.
 */
public final class TorsoKernels {

    /** Blocks of the deterministic column sums: fixed, so the sums do not depend on the device. */
    public static final int COLUMN_SUM_BLOCKS = 128;
    private static final int COLUMN_SUM_THREADS = 128;
    /** SyncTalk's colour sigmoid: sigmoid(x) * SCALE - MARGIN (as mlp.Activation.ScaledSigmoid computes it). */
    public static final float SIGMOID_SCALE = 1 + 2 * Activation.ScaledSigmoid.MARGIN;
    public static final float SIGMOID_MARGIN = Activation.ScaledSigmoid.MARGIN;

    private TorsoKernels() {
    }

    private static KernelArgs view(KernelArgs args, DeviceView v) {
        return v.present() ? args.buffer(v.buffer(), v.offset()) : args.optionalBuffer(null);
    }

    private static void launch(CudaDevice device, KernelRef ref, LaunchShape shape, KernelArgs args) {
        device.kernel(ref).launch(shape, args);
    }

    private static LaunchShape perItem(CudaDevice device, long items) {
        return KernelCatalog.elementwise(device, items);
    }

    // ---- frequency.cu --------------------------------------------------------------------------------------

    /** out[row * ldOut + ...] = encoding(x[row * ldx + 0 .. D-1]) for n rows. */
    public static void frequencyForward(CudaDevice device, FrequencyEncoding e, long n, DeviceView x, int ldx,
                                        DeviceView out, int ldOut) {
        launch(device, KernelCatalog.FREQUENCY_ENCODING_FORWARD, perItem(device, n * e.inputDim()),
                view(view(KernelArgs.create().i64(n).i32(e.inputDim()).i32(e.frequencies())
                        .i32(e.includeInput() ? 1 : 0).i32(e.piScaled() ? 1 : 0), x).i32(ldx), out).i32(ldOut));
    }

    /** gradX [n, D] (row stride ldgx) overwritten from gradOut (row stride ldg). */
    public static void frequencyBackward(CudaDevice device, FrequencyEncoding e, long n, DeviceView x, int ldx,
                                         DeviceView gradOut, int ldg, DeviceView gradX, int ldgx) {
        launch(device, KernelCatalog.FREQUENCY_ENCODING_BACKWARD, perItem(device, n * e.inputDim()),
                view(view(view(KernelArgs.create().i64(n).i32(e.inputDim()).i32(e.frequencies())
                        .i32(e.includeInput() ? 1 : 0).i32(e.piScaled() ? 1 : 0), x).i32(ldx), gradOut).i32(ldg),
                        gradX).i32(ldgx));
    }

    // ---- reduce.cu ------------------------------------------------------------------------------------------

    /** Doubles of scratch {@link #columnSums} needs for {@code width} columns. */
    public static long columnSumScratchFloats(int width) {
        return 2L * COLUMN_SUM_BLOCKS * width;
    }

    /**
     * dst[c] (+)= sum over n rows of src[row * ld + c], c &lt; width, in a fixed order (bit-reproducible);
     * {@code scratch} holds {@link #columnSumScratchFloats} floats.
     */
    public static void columnSums(CudaDevice device, long n, DeviceView src, int ld, int width, DeviceBuffer scratch,
                                  DeviceView dst, boolean accumulate) {
        if (scratch.floatCount() < columnSumScratchFloats(width)) {
            throw new IllegalArgumentException("column-sum scratch holds " + scratch.floatCount() + " floats, "
                    + width + " columns need " + columnSumScratchFloats(width));
        }
        long rowsPerBlock = Math.max(1, (n + COLUMN_SUM_BLOCKS - 1) / COLUMN_SUM_BLOCKS);
        launch(device, KernelCatalog.COLUMN_SUMS_PARTIAL,
                new LaunchShape(COLUMN_SUM_BLOCKS, 1, 1, COLUMN_SUM_THREADS, 1, 1, 0),
                view(KernelArgs.create().i64(n), src).i32(ld).i32(width).i64(rowsPerBlock).buffer(scratch));
        launch(device, KernelCatalog.COLUMN_SUMS_FINISH, perItem(device, width),
                view(KernelArgs.create().i32(COLUMN_SUM_BLOCKS).i32(width).buffer(scratch), dst)
                        .i32(accumulate ? 1 : 0));
    }

    /** counter[0] += the number of non-finite values among x[0 .. n). */
    public static void countNonFinite(CudaDevice device, long n, DeviceView x, DeviceView counter) {
        launch(device, KernelCatalog.COUNT_NONFINITE, perItem(device, n), view(view(KernelArgs.create().i64(n), x),
                counter));
    }

    // ---- torso.cu -------------------------------------------------------------------------------------------

    /**
     * Samples of one step: pixels [R] (int), shrunk coordinates [R, 2], targets [R, 3] and background colours
     * [R, 3] from the frame's packed RGBA image {@code rgba} [W*H] and the background [W*H, 3].
     */
    public static void samplePixels(CudaDevice device, int samples, int keyLow, int keyHigh, long step, int width,
                                    int height, float shrink, DeviceView rgba, DeviceView background,
                                    DeviceView pixels, DeviceView shrunk, DeviceView target, DeviceView bg) {
        if ((long) width * height > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image has too many pixels to sample");
        }
        launch(device, KernelCatalog.TORSO_SAMPLE_PIXELS, perItem(device, samples),
                view(view(view(view(view(view(KernelArgs.create().i32(samples).i32(keyLow).i32(keyHigh).i32((int) step)
                        .i32((int) (step >>> 32)).i32(width).i32(height).f32(shrink), rgba), background), pixels),
                        shrunk), target), bg));
    }

    /** Shrunk coordinates [n, 2] of pixels first .. first + n - 1. */
    public static void pixelCoords(CudaDevice device, long n, long first, int width, int height, float shrink,
                                   DeviceView shrunk) {
        launch(device, KernelCatalog.TORSO_PIXEL_COORDS, perItem(device, n),
                view(KernelArgs.create().i64(n).i64(first).i32(width).i32(height).f32(shrink), shrunk));
    }

    /** dst[row * ld + c] = src[c] for n rows, c &lt; width. */
    public static void broadcastRow(CudaDevice device, long n, DeviceView src, int width, DeviceView dst, int ld) {
        launch(device, KernelCatalog.BROADCAST_ROW, perItem(device, n * width),
                view(view(KernelArgs.create().i64(n), src).i32(width), dst).i32(ld));
    }

    private static LaunchShape perAnchor(int anchors) {
        return new LaunchShape((anchors + 31) / 32, 1, 1, 32, 1, 1, 0);
    }

    /** projected [2K] from anchors [K, 4] and a camera-to-world pose [16]. */
    public static void projectAnchorsForward(CudaDevice device, int anchors, DeviceView anchorPoints, DeviceView pose,
                                             DeviceView projected) {
        launch(device, KernelCatalog.ANCHOR_PROJECT_FORWARD, perAnchor(anchors),
                view(view(view(KernelArgs.create().i32(anchors), anchorPoints), pose), projected));
    }

    /** gradAnchors [K, 4] += d projected / d anchors applied to gradProjected [2K]. */
    public static void projectAnchorsBackward(CudaDevice device, int anchors, DeviceView anchorPoints, DeviceView pose,
                                              DeviceView gradProjected, DeviceView gradAnchors) {
        launch(device, KernelCatalog.ANCHOR_PROJECT_BACKWARD, perAnchor(anchors),
                view(view(view(view(KernelArgs.create().i32(anchors), anchorPoints), pose), gradProjected),
                        gradAnchors));
    }

    /** lossOut[0] = weight * mean (w - 1)^2 and gradAnchors[k, 3] += (weight / K) * 2 (w_k - 1). */
    public static void anchorRegulariser(CudaDevice device, int anchors, DeviceView anchorPoints, float weight,
                                         DeviceView gradAnchors, DeviceView lossOut) {
        launch(device, KernelCatalog.TORSO_ANCHOR_REGULARISER, new LaunchShape(1, 1, 1, 32, 1, 1, 0),
                view(view(view(KernelArgs.create().i32(anchors), anchorPoints).f32(weight).f32(weight / anchors),
                        gradAnchors), lossOut));
    }

    public static void offsetClampForward(CudaDevice device, long n, DeviceView base, DeviceView offset, float limit,
                                          DeviceView out) {
        launch(device, KernelCatalog.OFFSET_CLAMP_FORWARD, perItem(device, n),
                view(view(view(KernelArgs.create().i64(n), base), offset).f32(limit), out));
    }

    public static void offsetClampBackward(CudaDevice device, long n, DeviceView base, DeviceView offset, float limit,
                                           DeviceView gradOut, DeviceView gradOffset) {
        launch(device, KernelCatalog.OFFSET_CLAMP_BACKWARD, perItem(device, n),
                view(view(view(view(KernelArgs.create().i64(n), base), offset).f32(limit), gradOut), gradOffset));
    }

    /** alpha [n] and rgb [n, 3] from the colour net's raw outputs [n, 4]. */
    public static void output(CudaDevice device, long n, DeviceView raw, DeviceView alpha, DeviceView rgb) {
        launch(device, KernelCatalog.TORSO_OUTPUT, perItem(device, n),
                view(view(view(KernelArgs.create().i64(n), raw).f32(SIGMOID_SCALE).f32(SIGMOID_MARGIN), alpha), rgb));
    }

    /**
     * Per-pixel losses parts [n, 2] (mse, weighted alpha entropy) and gradRaw [n, 4] for dLoss/dpart =
     * gradPerPixel (see torso.cu).
     */
    public static void loss(CudaDevice device, long n, DeviceView raw, DeviceView bg, DeviceView target,
                            float gradPerPixel, float entropyWeight, float eps, DeviceView parts, DeviceView gradRaw) {
        launch(device, KernelCatalog.TORSO_LOSS, perItem(device, n),
                view(view(view(view(view(KernelArgs.create().i64(n), raw), bg), target).f32(gradPerPixel)
                        .f32(SIGMOID_SCALE).f32(SIGMOID_MARGIN).f32(entropyWeight).f32(eps).f32(2f / 3)
                        .i64(Double.doubleToRawLongBits(Math.log(2))), parts), gradRaw));
    }

    /** out [n, 3] = head over torso over background; headAccum and headOpacity absent for the torso alone. */
    public static void composite(CudaDevice device, long n, DeviceView headAccum, DeviceView headOpacity,
                                 DeviceView alpha, DeviceView rgb, DeviceView background, DeviceView out) {
        launch(device, KernelCatalog.HEAD_TORSO_COMPOSITE, perItem(device, n),
                view(view(view(view(view(view(KernelArgs.create().i64(n), headAccum), headOpacity), alpha), rgb),
                        background), out));
    }
}
