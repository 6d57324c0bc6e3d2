package dev.synctalk.gpu.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import dev.synctalk.gpu.cuda.image.CudaFrameRgb8;
import dev.synctalk.gpu.cuda.image.CudaGaussianBlur;
import dev.synctalk.gpu.cuda.image.CudaPortraitCompositing;
import dev.synctalk.gpu.cuda.optim.AdamWScalars;
import dev.synctalk.gpu.cuda.optim.CudaAdamW;
import dev.synctalk.gpu.image.FrameRgb8;
import dev.synctalk.gpu.image.GaussianBlur;
import dev.synctalk.gpu.image.GaussianTaps;
import dev.synctalk.gpu.image.PortraitCompositing;
import dev.synctalk.gpu.image.RgbImage;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.optim.AdamWUpdate;

/**
 * Every kernel against its CPU twin on fresh random inputs from one seed, plus the runtime's own
 * behaviour (pool reuse, error messages, cuDNN through the shim). Outputs are poisoned with NaN before
 * each kernel runs, so an element a kernel forgets to write fails the check. Shared by
 * {@link GpuSelfTest} (the GPU machine has no JUnit) and the JUnit parity test.
 *
 * <p>The twins perform the same exactly rounded float operations in the same order (see each .cu
 * header), so the expected error is zero; the bound, {@value #MAX_REL_ERROR} relative per element, leaves
 * room for a few units in the last place and nothing more.
 */
public final class ParityChecks {

    public static final double MAX_REL_ERROR = 1e-6;
    /** cuDNN sums in its own order: judged by the norm-wise relative error instead (fp32 lands near 1e-7). */
    public static final double CUDNN_NORM_REL_ERROR = 1e-5;
    private static final int TIMING_WARMUPS = 2;
    private static final int TIMING_REPETITIONS = 10;

    private final CudaDevice device;
    private final long seed;

    public ParityChecks(CudaDevice device, long seed) {
        this.device = device;
        this.seed = seed;
    }

    /** Runs every check; a check that throws is reported as failed with the exception's message. */
    public List<CheckResult> runAll() {
        List<CheckResult> results = new ArrayList<>();
        results.add(guard("saxpy forward+backward n=1000003", this::saxpy));
        results.add(guard("adamw torch-default betas, 3 steps, n=1,7,1000003", () -> adamw(0.9, 0.999, 1e-2, 1e-2)));
        results.add(guard("adamw SyncTalk betas (0, 0.99), 3 steps, n=1,7,1000003", () -> adamw(0.0, 0.99, 1e-3, 0.0)));
        results.add(guard("blur forward+backward 5x3 k5 (OpenCV table)", () -> blur(5, 3, GaussianTaps.openCvDefault(5))));
        results.add(guard("blur forward+backward 257x131 k9 (sigma 1.7)", () -> blur(257, 131, GaussianTaps.openCvDefault(9))));
        results.add(guard("blur forward+backward 640x480 radius 12 sigma 4", () -> blur(640, 480, GaussianTaps.of(12, 4.0))));
        results.add(guard("masked merge forward+backward 1000x517", () -> merge(1000, 517)));
        results.add(guard("neck gap fill 320x240 (5x5 blur)", () -> neckGapFill(320, 240)));
        results.add(guard("8-bit frames 509x263 (frame_rgb8, portrait_rgb8) vs FrameRgb8, NaN/inf/ties included (exact)",
                () -> frameRgb8(509, 263)));
        results.add(guard("memory pool reuses a released block", this::poolReuse));
        results.add(guard("missing kernel error names module, function and CUresult", this::missingKernelError));
        results.add(guard("cuDNN loads (libcudnn.so.8 or the shim over cuDNN 9)", ParityChecks::cudnn));
        results.add(guard("cuDNN conv 2x3x16x16 k3 pad1 fp32 vs CPU (normRel bound " + CUDNN_NORM_REL_ERROR + ")",
                this::cudnnConvolution));
        results.addAll(new BackendParityChecks(device, seed).runAll());


        results.add(dev.synctalk.gpu.cuda.render.OccupancyParityCheck.run(device, seed));
        results.add(dev.synctalk.gpu.cuda.render.OccupancyParityCheck.scan(device, seed));
        results.add(dev.synctalk.gpu.cuda.conv.AveParityCheck.run(device, seed + 2, 16));
        results.add(dev.synctalk.gpu.cuda.conv.LpipsParityCheck.run(device, seed + 3, 2, 64));
        results.add(dev.synctalk.gpu.cuda.conv.AveParityCheck.run(device, seed + 4, 16, 8));
        results.addAll(dev.synctalk.gpu.cuda.conv.ConvOpsParityCheck.runAll(device, seed + 5));
        results.add(TrainingParityCheck.run(device, seed));
        results.addAll(dev.synctalk.nerf.cuda.HeadTrainerParityCheck.run(device, seed));
        results.addAll(dev.synctalk.gpu.cuda.torso.TorsoParityCheck.runAll(device, seed + 4));
        return results;
    }

    /** Runs {@code check} (returning {passed, detail}); a check that throws fails with the exception's message. */
    public static CheckResult guard(String name, Supplier<String[]> check) {
        try {
            String[] outcome = check.get();
            return new CheckResult(name, Boolean.parseBoolean(outcome[0]), outcome[1]);
        } catch (RuntimeException | LinkageError e) {
            return new CheckResult(name, false, "threw " + e);
        }
    }

    private static String[] outcome(ErrorStats stats, TimingStats timing) {
        String detail = stats + String.format(Locale.ROOT, " bound=%.0e", MAX_REL_ERROR)
                + (timing == null ? "" : String.format(Locale.ROOT, " gpu_median=%.4fms", timing.medianMillis()));
        return new String[] {Boolean.toString(stats.within(MAX_REL_ERROR)), detail};
    }

    /** n floats uniform in [lo, hi). */
    public static float[] uniform(SplittableRandom rng, int n, float lo, float hi) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return values;
    }

    private SplittableRandom rng(int checkIndex) {
        return new SplittableRandom(seed * 1_000_003L + checkIndex);
    }

    // ---- checks ------------------------------------------------------------------------------------------

    private String[] saxpy() {
        SplittableRandom rng = rng(1);
        int n = 1_000_003;
        float a = (float) (rng.nextDouble() * 4 - 2);
        float[] x = uniform(rng, n, -1, 1);
        float[] y = uniform(rng, n, -1, 1);
        float[] dy = uniform(rng, n, -1, 1);
        float[] expectedY = y.clone();
        CudaSaxpy.reference(a, x, expectedY);
        float[] expectedDx = new float[n];
        for (int i = 0; i < n; i++) {
            expectedDx[i] = a * dy[i];
        }
        try (DeviceBuffer dx = device.upload(x); DeviceBuffer dY = device.upload(y); DeviceBuffer dDy = device.upload(dy);
             DeviceBuffer dDx = device.allocateFloats(n)) {
            device.poison(dDx);
            CudaSaxpy.saxpy(device, n, a, dx, dY);
            CudaSaxpy.saxpyBackward(device, n, a, dDy, dDx);
            device.synchronize();
            ErrorStats stats = ErrorStats.compare(expectedY, device.download(dY, n))
                    .merge(ErrorStats.compare(expectedDx, device.download(dDx, n)));
            TimingStats timing = device.time(TIMING_WARMUPS, TIMING_REPETITIONS, () -> CudaSaxpy.saxpy(device, n, a, dx, dY));
            return outcome(stats, timing);
        }
    }

    private String[] adamw(double beta1, double beta2, double learningRate, double weightDecay) {
        SplittableRandom rng = rng(2 + (int) (beta1 * 10));
        ErrorStats total = null;
        TimingStats timing = null;
        for (int n : new int[] {1, 7, 1_000_003}) {
            float[] p = uniform(rng, n, -1, 1);
            float[] m = uniform(rng, n, -0.1f, 0.1f);
            float[] v = uniform(rng, n, 0, 0.01f);
            float[] cpuP = p.clone();
            float[] cpuM = m.clone();
            float[] cpuV = v.clone();
            try (DeviceBuffer dp = device.upload(p); DeviceBuffer dm = device.upload(m); DeviceBuffer dv = device.upload(v);
                 DeviceBuffer dg = device.allocateFloats(n)) {
                for (int step = 1; step <= 3; step++) {
                    float[] g = uniform(rng, n, -1, 1);
                    device.copyToDevice(g, dg);
                    AdamWScalars s = AdamWScalars.of(learningRate, beta1, beta2, 1e-8, weightDecay, step);
                    new AdamWUpdate(new AdamWConfig(learningRate, beta1, beta2, 1e-8, weightDecay), learningRate, step)
                            .apply(cpuP, g, cpuM, cpuV, 0, n);
                    CudaAdamW.step(device, n, dp, dg, dm, dv, s);
                }
                device.synchronize();
                ErrorStats stats = ErrorStats.compare(cpuP, device.download(dp, n))
                        .merge(ErrorStats.compare(cpuM, device.download(dm, n)))
                        .merge(ErrorStats.compare(cpuV, device.download(dv, n)));
                total = total == null ? stats : total.merge(stats);
                if (n > 1000) {
                    AdamWScalars s = AdamWScalars.of(learningRate, beta1, beta2, 1e-8, weightDecay, 4);
                    timing = device.time(TIMING_WARMUPS, TIMING_REPETITIONS, () -> CudaAdamW.step(device, n, dp, dg, dm, dv, s));
                }
            }
        }
        return outcome(total, timing);
    }

    private String[] blur(int width, int height, GaussianTaps taps) {
        SplittableRandom rng = rng(10 + width);
        RgbImage image = new RgbImage(width, height, uniform(rng, width * height * 3, 0, 1));
        RgbImage gradOut = new RgbImage(width, height, uniform(rng, width * height * 3, -1, 1));
        RgbImage expected = GaussianBlur.blur(image, taps);
        RgbImage expectedGrad = GaussianBlur.blurBackward(gradOut, taps);
        int floats = width * height * 3;
        try (CudaGaussianBlur blur = new CudaGaussianBlur(device, taps); DeviceBuffer in = device.upload(image.data());
             DeviceBuffer g = device.upload(gradOut.data()); DeviceBuffer scratch = device.allocateFloats(floats);
             DeviceBuffer out = device.allocateFloats(floats); DeviceBuffer gradIn = device.allocateFloats(floats)) {
            device.poison(scratch);
            device.poison(out);
            blur.blur(in, scratch, out, width, height);
            device.synchronize();
            ErrorStats stats = ErrorStats.compare(expected.data(), device.download(out, floats));
            device.poison(scratch);
            device.poison(gradIn);
            blur.blurBackward(g, scratch, gradIn, width, height);
            device.synchronize();
            stats = stats.merge(ErrorStats.compare(expectedGrad.data(), device.download(gradIn, floats)));
            TimingStats timing = device.time(TIMING_WARMUPS, TIMING_REPETITIONS, () -> blur.blur(in, scratch, out, width, height));
            return outcome(stats, timing);
        }
    }

    /**
     * frame.cu against {@link FrameRgb8} on fresh random inputs: float samples over [-0.25, 1.25) with a share of the
     * edge cases (exact rounding ties k + 0.5 over 255, 0, -0, 1, NaN, infinities), random original bytes and face-mask
     * greens. The bytes must be identical. Outputs are poisoned (0xff... bytes) first.
     */
    private String[] frameRgb8(int width, int height) {
        SplittableRandom rng = rng(50);
        int pixels = width * height;
        float[] image = uniform(rng, pixels * 3, -0.25f, 1.25f);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, 0.5f / 255f,
                254.5f / 255f, Math.nextDown(0.5f / 255f), Math.nextUp(254.5f / 255f)};
        for (int i = 0; i < image.length; i++) {
            int pick = rng.nextInt(8);
            if (pick == 0) {
                image[i] = special[rng.nextInt(special.length)];
            } else if (pick == 1) {
                image[i] = (rng.nextInt(256) + 0.5f) / 255f;
            }
        }
        byte[] original = new byte[pixels * 3];
        byte[] green = new byte[pixels];
        rng.nextBytes(original);
        rng.nextBytes(green);
        byte[] expectedPlain = FrameRgb8.quantize(image);
        byte[] expectedPortrait = FrameRgb8.portrait(image, original, green);
        try (DeviceBuffer di = device.upload(image); DeviceBuffer dorig = device.allocate(pixels * 3L);
             DeviceBuffer dmask = device.allocate(pixels); DeviceBuffer plain = device.allocate(pixels * 3L);
             DeviceBuffer portrait = device.allocate(pixels * 3L)) {
            device.copyBytesToDevice(original, dorig, 0);
            device.copyBytesToDevice(green, dmask, 0);
            device.poison(plain);
            device.poison(portrait);
            CudaFrameRgb8.quantize(device, pixels, di, plain);
            CudaFrameRgb8.portrait(device, pixels, di, dorig, 0, dmask, 0, portrait);
            int plainMismatches = mismatches(expectedPlain, device.downloadBytes(plain, pixels * 3));
            int portraitMismatches = mismatches(expectedPortrait, device.downloadBytes(portrait, pixels * 3));
            return new String[] {Boolean.toString(plainMismatches == 0 && portraitMismatches == 0), String.format(
                    Locale.ROOT, "frame_rgb8 mismatching bytes %d of %d, portrait_rgb8 %d of %d", plainMismatches,
                    pixels * 3, portraitMismatches, pixels * 3)};
        }
    }

    private static int mismatches(byte[] expected, byte[] actual) {
        int n = expected.length == actual.length ? 0 : Math.max(expected.length, actual.length);
        for (int i = 0; i < Math.min(expected.length, actual.length); i++) {
            n += expected[i] == actual[i] ? 0 : 1;
        }
        return n;
    }

    private String[] merge(int width, int height) {
        SplittableRandom rng = rng(20);
        int pixels = width * height;
        RgbImage a = new RgbImage(width, height, uniform(rng, pixels * 3, 0, 1));
        RgbImage b = new RgbImage(width, height, uniform(rng, pixels * 3, 0, 1));
        RgbImage gradOut = new RgbImage(width, height, uniform(rng, pixels * 3, -1, 1));
        float[] mask = uniform(rng, pixels, 0, 1);
        RgbImage expected = PortraitCompositing.merge(a, b, mask);
        PortraitCompositing.MergeGradients expectedGrads = PortraitCompositing.mergeBackward(gradOut, a, b, mask);
        try (DeviceBuffer da = device.upload(a.data()); DeviceBuffer db = device.upload(b.data());
             DeviceBuffer dm = device.upload(mask); DeviceBuffer dg = device.upload(gradOut.data());
             DeviceBuffer out = device.allocateFloats(pixels * 3L); DeviceBuffer ga = device.allocateFloats(pixels * 3L);
             DeviceBuffer gb = device.allocateFloats(pixels * 3L); DeviceBuffer gm = device.allocateFloats(pixels)) {
            for (DeviceBuffer poisoned : new DeviceBuffer[] {out, ga, gb, gm}) {
                device.poison(poisoned);
            }
            CudaPortraitCompositing.merge(device, pixels, da, db, dm, out);
            CudaPortraitCompositing.mergeBackward(device, pixels, dg, da, db, dm, ga, gb, gm);
            device.synchronize();
            ErrorStats stats = ErrorStats.compare(expected.data(), device.download(out, pixels * 3))
                    .merge(ErrorStats.compare(expectedGrads.gradA().data(), device.download(ga, pixels * 3)))
                    .merge(ErrorStats.compare(expectedGrads.gradB().data(), device.download(gb, pixels * 3)))
                    .merge(ErrorStats.compare(expectedGrads.gradMask(), device.download(gm, pixels)));
            TimingStats timing = device.time(TIMING_WARMUPS, TIMING_REPETITIONS,
                    () -> CudaPortraitCompositing.merge(device, pixels, da, db, dm, out));
            return outcome(stats, timing);
        }
    }

    private String[] neckGapFill(int width, int height) {
        SplittableRandom rng = rng(30);
        int pixels = width * height;
        RgbImage image = new RgbImage(width, height, uniform(rng, pixels * 3, 0, 1));
        float[] rgb = uniform(rng, 3, 0, 1);
        // a soft elliptical neck region with a hard core, like a parsed neck mask after blurring
        float[] mask = new float[pixels];
        double cx = width * (0.3 + 0.4 * rng.nextDouble());
        double cy = height * (0.3 + 0.4 * rng.nextDouble());
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double d = Math.hypot((x - cx) / (width * 0.2), (y - cy) / (height * 0.15));
                mask[y * width + x] = (float) Math.max(0, Math.min(1, 1.5 - d));
            }
        }
        GaussianTaps taps = GaussianTaps.openCvDefault(5);
        RgbImage expected = PortraitCompositing.neckGapFill(image, mask, rgb, taps);
        try (CudaGaussianBlur blur = new CudaGaussianBlur(device, taps); DeviceBuffer in = device.upload(image.data());
             DeviceBuffer dm = device.upload(mask); DeviceBuffer painted = device.allocateFloats(pixels * 3L);
             DeviceBuffer scratch = device.allocateFloats(pixels * 3L); DeviceBuffer out = device.allocateFloats(pixels * 3L)) {
            device.poison(painted);
            device.poison(scratch);
            device.poison(out);
            CudaPortraitCompositing.neckGapFill(device, blur, width, height, in, dm, rgb, painted, scratch, out);
            device.synchronize();
            ErrorStats stats = ErrorStats.compare(expected.data(), device.download(out, pixels * 3));
            TimingStats timing = device.time(TIMING_WARMUPS, TIMING_REPETITIONS, () ->
                    CudaPortraitCompositing.neckGapFill(device, blur, width, height, in, dm, rgb, painted, scratch, out));
            return outcome(stats, timing);
        }
    }

    private String[] poolReuse() {
        DeviceMemoryPool.Stats before = device.memoryStats();
        DeviceBuffer first = device.allocate(3_000_000);
        first.close();
        DeviceBuffer second = device.allocate(2_900_000); // same size class (2.5 MiB .. 3 MiB)
        DeviceMemoryPool.Stats after = device.memoryStats();
        second.close();
        long newRaw = after.rawAllocations() - before.rawAllocations();
        long reused = after.reuses() - before.reuses();
        boolean ok = newRaw <= 1 && reused >= 1 && first.block() == second.block();
        return new String[] {Boolean.toString(ok), "rawAllocations+" + newRaw + " reuses+" + reused + " sameBlock="
                + (first.block() == second.block())};
    }

    private String[] missingKernelError() {
        try {
            device.kernel("saxpy", "no_such_kernel");
            return new String[] {"false", "looking up saxpy/no_such_kernel did not throw"};
        } catch (CudaCallException e) {
            boolean ok = e.getMessage().contains("saxpy/no_such_kernel") && e.getMessage().contains("CUDA_ERROR_NOT_FOUND");
            return new String[] {Boolean.toString(ok), "message: " + e.getMessage()};
        }
    }

    private String[] cudnnConvolution() {
        ErrorStats stats = CudnnConvolutionCheck.run(device, rng(40));
        boolean ok = stats.nonFinite() == 0 && stats.normRelError() <= CUDNN_NORM_REL_ERROR;
        return new String[] {Boolean.toString(ok), stats.toString()};
    }

    private static String[] cudnn() {
        CudnnLoader.CudnnInfo info = CudnnLoader.load();
        boolean ok = info.major() >= 8;
        return new String[] {Boolean.toString(ok), "cudnnGetVersion=" + info.version() + " library=" + info.library()
                + " throughShim=" + info.throughShim()};
    }
}
