package dev.synctalk.gpu.cuda.torso;

import static dev.synctalk.gpu.cuda.ParityChecks.guard;
import static dev.synctalk.gpu.cuda.ParityChecks.uniform;

import dev.synctalk.gpu.cuda.CheckResult;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.ErrorStats;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.encoding.FrequencyEncoding;
import dev.synctalk.gpu.loss.RayMseLoss;
import dev.synctalk.gpu.loss.WeightsEntropyLoss;
import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.render.AlphaOver;
import dev.synctalk.gpu.render.AnchorProjection;
import dev.synctalk.gpu.render.HeadTorsoComposite;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.gpu.tensor.TensorKernels;
import dev.synctalk.nerf.TorsoModel;
import dev.synctalk.nerf.TorsoModelConfig;
import dev.synctalk.nerf.TorsoPixelSampler;
import dev.synctalk.nerf.TorsoStepResult;
import dev.synctalk.nerf.TorsoTrainer;
import dev.synctalk.nerf.TorsoTrainerConfig;
import dev.synctalk.nerf.TorsoTrainingData;
import dev.synctalk.nerf.fixture.FixtureTorsoData;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;
import dev.synctalk.nerf.fixture.TrainingParity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The torso's kernels and its whole training step against their CPU twins on fresh random inputs, for
 * {@link dev.synctalk.gpu.cuda.ParityChecks} (and so GpuSelfTest). Outputs are poisoned with NaN first, so an
 * element a kernel leaves unwritten fails; NaN never passes a bound.
 *
 * <p>Bounds, and why they hold:
 * <ul>
 *   <li>{@value #EXACT_REL}: kernels doing the twin's exactly rounded float (or double) operations in its order
 *       (sampling, coordinates, targets, anchor projection, clamp, broadcast, compositing). Sample indices must
 *       be identical, element for element.</li>
 *   <li>{@value #TRANSCENDENTAL_REL} relative to the output's largest magnitude: kernels whose only difference
 *       is the device's double sin/cos/exp/log against Java's (an ulp of double, which moves the float result
 *       only near a rounding boundary, and then by an ulp).</li>
 *   <li>{@value #SUM_REL} relative to the sum of magnitudes: the column sums, which add in another order than
 *       the CPU's float chunks (fp32 summation error is below n eps of that sum, in practice far below).</li>
 *   <li>{@value #NETWORK_NORM_REL} norm-wise: the render and the first step's gradients, chains of fp32 with
 *       fused multiply-adds on the device; the colour grid's finest level (2048 cells over [-1, 1]) turns a
 *       one-ulp difference of a deformed coordinate into ~1e3 ulps of a feature when the grid is rough
 *       (random), so the fixture uses trained-like grids and this bound leaves room for that.</li>
 *   <li>Training curves: {@value #CURVE_MOVING_AVERAGE_REL} on the {@value TrainingParity#MOVING_AVERAGE_STEPS}-step
 *       moving average of the loss, {@value #CURVE_PSNR_DB} dB on the final PSNR. Differences of the first
 *       kind compound through AdamW (betas (0, 0.99) make early updates sign-like, so gradients that are
 *       rounding noise take full steps). What summation order alone does, measured on the CPU by permuting each
 *       step's pixels (same set-up, seeds 1 to 5): 1.3 % to 4.1 % on the moving average, at most 0.08 dB on
 *       the final PSNR; the bounds are about 3.7 times that, and TorsoCurveSensitivityTest keeps seed 1's
 *       within a third of them. Formula errors are the first-step check's to find, not this one's.</li>
 * </ul>
 */
public final class TorsoParityCheck {
    public static final double EXACT_REL = 1e-6;
    public static final double TRANSCENDENTAL_REL = 1e-6;
    public static final double SUM_REL = 1e-5;
    public static final double NETWORK_NORM_REL = 1e-3;
    public static final double FIRST_STEP_LOSS_REL = 1e-5;
    public static final double CURVE_MOVING_AVERAGE_REL = 0.15;
    public static final double CURVE_PSNR_DB = 0.3;
    /** Steps and pixels of the training-curve check; the fixture is {@link #STEP_WIDTH} x {@link #STEP_HEIGHT}. */
    public static final int CURVE_STEPS = 60;
    public static final int STEP_PIXELS = 2048;
    public static final int STEP_WIDTH = 64;
    public static final int STEP_HEIGHT = 48;
    public static final int STEP_FRAMES = 12;

    private final CudaDevice device;
    private final long seed;

    private TorsoParityCheck(CudaDevice device, long seed) {
        this.device = device;
        this.seed = seed;
    }

    /** Every torso check on {@code device} with inputs from {@code seed}. */
    public static List<CheckResult> runAll(CudaDevice device, long seed) {
        TorsoParityCheck c = new TorsoParityCheck(device, seed);
        List<CheckResult> results = new ArrayList<>();
        results.add(guard("torso sampler: device pixels, coordinates, targets = TorsoPixelSampler + CPU gather"
                + " (67x45, 100003 samples, step above 2^32)", c::sampler));
        results.add(guard("frequency encoding fwd+bwd D=2 F=8 n=100003, D=6 F=3 n=4099 (strided)", c::frequency));
        results.add(guard("anchor projection fwd+bwd, 64 random rigid poses", c::anchors));
        results.add(guard("offset clamp fwd+bwd n=200001 around +-1, NaN kept", c::offsetClamp));
        results.add(guard("torso output + loss fwd+bwd (scaled sigmoid, alpha-over, MSE, alpha entropy) n=100003",
                c::loss));
        results.add(guard("column sums (deterministic) 70001 x 50, accumulate; broadcast row; non-finite count",
                c::reductions));
        results.add(guard("head over torso over background compositing n=100003, with and without a head",
                c::composite));
        results.add(guard("torso render 96x80, reference sizes, trained-like grid: layer and frame vs TorsoModel",
                c::render));
        results.addAll(c.training());
        return results;
    }

    private SplittableRandom rng(int check) {
        return new SplittableRandom(seed * 1_000_033L + check);
    }

    private DeviceBuffer poisoned(long floats) {
        DeviceBuffer b = device.allocateFloats(Math.max(1, floats));
        device.poison(b);
        return b;
    }

    private static DeviceView v(DeviceBuffer b) {
        return DeviceView.of(b);
    }

    /** max |actual - expected| / max |expected| over the tensor; NaN where the reference is finite counts as infinite. */
    static double maxNormRel(float[] expected, float[] actual) {
        double maxRef = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
            if (Float.isNaN(expected[i]) != Float.isNaN(actual[i])) {
                return Double.POSITIVE_INFINITY;
            }
            if (!Float.isNaN(expected[i])) {
                double d = Math.abs((double) actual[i] - expected[i]);
                maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, d);
            }
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    private static String[] outcome(boolean passed, String detail) {
        return new String[] {Boolean.toString(passed), detail};
    }

    private static String[] exact(ErrorStats stats, String extra) {
        return outcome(stats.within(EXACT_REL), stats + String.format(Locale.ROOT, " bound=%.0e", EXACT_REL) + extra);
    }

    // ---- checks ---------------------------------------------------------------------------------------------

    private String[] sampler() {
        SplittableRandom rng = rng(1);
        int w = 67;
        int h = 45;
        int p = w * h;
        int samples = 100_003;
        long step = (1L << 32) + rng.nextInt(1 << 20);
        TorsoPixelSampler sampler = new TorsoPixelSampler(rng.nextLong());
        int[] rgba = new int[p];
        for (int i = 0; i < p; i++) {
            rgba[i] = rng.nextInt();
        }
        rgba[0] = TorsoTrainingData.pack(10, 20, 30, 0);
        rgba[1] = TorsoTrainingData.pack(200, 100, 50, 255);
        float[] background = uniform(rng, 3 * p, 0, 1);
        TorsoTrainingData data = new TorsoTrainingData(w, h, background,
                List.of(new TorsoTrainingData.Frame(0, 0, new float[16])), f -> rgba);
        float shrink = 0.8f;
        int[] expectedPixels = sampler.pixels(step, samples, p);
        var batch = data.gather(0, rgba, expectedPixels);
        float[] expectedShrunk = batch.coords().data().clone();
        TensorKernels.scaleColumns(batch.coords().data(), new float[] {shrink, shrink}, expectedShrunk, 2, 0, samples);
        try (DeviceBuffer image = device.upload(new float[p]); DeviceBuffer bgImage = device.upload(background);
             DeviceBuffer pixels = poisoned(samples); DeviceBuffer shrunk = poisoned(2L * samples);
             DeviceBuffer target = poisoned(3L * samples); DeviceBuffer bg = poisoned(3L * samples)) {
            device.copyToDevice(rgba, image, 0);
            TorsoKernels.samplePixels(device, samples, sampler.keyLow(), sampler.keyHigh(), step, w, h, shrink, v(image),
                    v(bgImage), v(pixels), v(shrunk), v(target), v(bg));
            float[] raw = device.download(pixels, samples);
            long wrong = 0;
            int firstWrong = -1;
            for (int i = 0; i < samples; i++) {
                if (Float.floatToRawIntBits(raw[i]) != expectedPixels[i]) {
                    wrong++;
                    firstWrong = firstWrong < 0 ? i : firstWrong;
                }
            }
            ErrorStats stats = ErrorStats.compare(expectedShrunk, device.download(shrunk, 2 * samples))
                    .merge(ErrorStats.compare(batch.target().data(), device.download(target, 3 * samples)))
                    .merge(ErrorStats.compare(batch.background().data(), device.download(bg, 3 * samples)));
            String[] base = exact(stats, " pixelsDiffering=" + wrong
                    + (firstWrong < 0 ? "" : " (first at sample " + firstWrong + ": device "
                    + Float.floatToRawIntBits(raw[firstWrong]) + ", CPU " + expectedPixels[firstWrong] + ")"));
            return outcome(wrong == 0 && Boolean.parseBoolean(base[0]), base[1]);
        }
    }

    private String[] frequency() {
        SplittableRandom rng = rng(2);
        double worst = 0;
        long nonFinite = 0;
        StringBuilder detail = new StringBuilder();
        int[][] cases = {{2, 8, 100_003, 2, 84}, {6, 3, 4099, 6, 42}};
        for (int[] c : cases) {
            FrequencyEncoding e = FrequencyEncoding.torchNgp(c[0], c[1]);
            int n = c[2];
            int ldx = c[3];
            int ldOut = c[4];
            int offset = ldOut - e.outputDim();
            float[] x = uniform(rng, n * ldx, -3f, 3f);
            float[] gradOut = uniform(rng, n * ldOut, -1f, 1f);
            float[] expectedOut = new float[n * e.outputDim()];
            e.forward(x, expectedOut, 0, n);
            float[] packedGrad = new float[n * e.outputDim()];
            for (int i = 0; i < n; i++) {
                System.arraycopy(gradOut, i * ldOut + offset, packedGrad, i * e.outputDim(), e.outputDim());
            }
            float[] expectedGradX = new float[n * ldx];
            e.backward(x, packedGrad, expectedGradX, 0, n);
            try (DeviceBuffer dx = device.upload(x); DeviceBuffer out = poisoned((long) n * ldOut);
                 DeviceBuffer dg = device.upload(gradOut); DeviceBuffer gx = poisoned((long) n * ldx)) {
                TorsoKernels.frequencyForward(device, e, n, v(dx), ldx, v(out).plus(offset), ldOut);
                TorsoKernels.frequencyBackward(device, e, n, v(dx), ldx, v(dg).plus(offset), ldOut, v(gx), ldx);
                float[] o = device.download(out, n * ldOut);
                float[] actualOut = new float[n * e.outputDim()];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(o, i * ldOut + offset, actualOut, i * e.outputDim(), e.outputDim());
                }
                float[] actualGrad = device.download(gx, n * ldx);
                double fwd = maxNormRel(expectedOut, actualOut);
                double bwd = maxNormRel(expectedGradX, actualGrad);
                ErrorStats s = ErrorStats.compare(expectedOut, actualOut).merge(ErrorStats.compare(expectedGradX, actualGrad));
                nonFinite += s.nonFinite();
                worst = Math.max(worst, Math.max(fwd, bwd));
                detail.append(String.format(Locale.ROOT, " D=%d: fwd %.2e bwd %.2e (%s);", c[0], fwd, bwd, s));
            }
        }
        return outcome(nonFinite == 0 && worst <= TRANSCENDENTAL_REL, String.format(Locale.ROOT,
                "maxNormRel=%.3e bound=%.0e;%s", worst, TRANSCENDENTAL_REL, detail));
    }

    /** A random rigid camera-to-world pose [16] looking at the origin from about 3 units. */
    private static float[] rigidPose(SplittableRandom rng) {
        double qw = rng.nextGaussian();
        double qx = rng.nextGaussian();
        double qy = rng.nextGaussian();
        double qz = rng.nextGaussian();
        double norm = Math.sqrt(qw * qw + qx * qx + qy * qy + qz * qz);
        qw /= norm;
        qx /= norm;
        qy /= norm;
        qz /= norm;
        double[][] r = {
            {1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy - qz * qw), 2 * (qx * qz + qy * qw)},
            {2 * (qx * qy + qz * qw), 1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz - qx * qw)},
            {2 * (qx * qz - qy * qw), 2 * (qy * qz + qx * qw), 1 - 2 * (qx * qx + qy * qy)}};
        float[] pose = new float[16];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                pose[4 * i + j] = (float) r[i][j];
            }
            // the camera sits along its own +z axis, 3 units out, so the anchors are in front of it
            pose[4 * i + 3] = (float) (3 * r[i][2] + 0.1 * rng.nextGaussian());
        }
        pose[15] = 1f;
        return pose;
    }

    private String[] anchors() {
        SplittableRandom rng = rng(3);
        int k = TorsoModelConfig.ANCHOR_COUNT;
        ErrorStats total = null;
        try (DeviceBuffer a = device.allocateFloats(4L * k); DeviceBuffer pose = device.allocateFloats(16);
             DeviceBuffer projected = device.allocateFloats(2L * k); DeviceBuffer gp = device.allocateFloats(2L * k);
             DeviceBuffer ga = device.allocateFloats(4L * k)) {
            for (int trial = 0; trial < 64; trial++) {
                float[] anchors = uniform(rng, 4 * k, -0.2f, 0.2f);
                for (int j = 0; j < k; j++) {
                    anchors[4 * j + 3] = (float) (1 + 0.05 * rng.nextGaussian());
                }
                float[] p = rigidPose(rng);
                float[] gradProjected = uniform(rng, 2 * k, -1, 1);
                float[] gradAnchors = uniform(rng, 4 * k, -1, 1);
                float[] expectedProjected = new float[2 * k];
                AnchorProjection.forward(anchors, p, expectedProjected, k);
                float[] expectedGrad = gradAnchors.clone();
                AnchorProjection.backward(anchors, p, gradProjected, expectedGrad, k);
                device.copyToDevice(anchors, a);
                device.copyToDevice(p, pose);
                device.copyToDevice(gradProjected, gp);
                device.copyToDevice(gradAnchors, ga);
                device.poison(projected);
                TorsoKernels.projectAnchorsForward(device, k, v(a), v(pose), v(projected));
                TorsoKernels.projectAnchorsBackward(device, k, v(a), v(pose), v(gp), v(ga));
                ErrorStats s = ErrorStats.compare(expectedProjected, device.download(projected, 2 * k))
                        .merge(ErrorStats.compare(expectedGrad, device.download(ga, 4 * k)));
                total = total == null ? s : total.merge(s);
            }
        }
        return exact(total, "");
    }

    private String[] offsetClamp() {
        SplittableRandom rng = rng(4);
        int n = 200_001;
        float[] base = uniform(rng, n, -1.1f, 1.1f);
        float[] offset = uniform(rng, n, -0.2f, 0.2f);
        offset[7] = Float.NaN;
        float[] gradOut = uniform(rng, n, -1, 1);
        float[] expected = new float[n];
        TensorKernels.offsetClamp(base, offset, 1f, expected, 0, n);
        float[] expectedGrad = new float[n];
        TensorKernels.offsetClampBackward(base, offset, 1f, gradOut, expectedGrad, 0, n);
        try (DeviceBuffer b = device.upload(base); DeviceBuffer o = device.upload(offset); DeviceBuffer g = device.upload(gradOut);
             DeviceBuffer out = poisoned(n); DeviceBuffer go = poisoned(n)) {
            TorsoKernels.offsetClampForward(device, n, v(b), v(o), 1f, v(out));
            TorsoKernels.offsetClampBackward(device, n, v(b), v(o), 1f, v(g), v(go));
            float[] actual = device.download(out, n);
            boolean nanKept = Float.isNaN(actual[7]);
            ErrorStats s = ErrorStats.compare(expected, actual).merge(ErrorStats.compare(expectedGrad, device.download(go, n)));
            String[] base2 = exact(s, " nanKept=" + nanKept);
            return outcome(nanKept && Boolean.parseBoolean(base2[0]), base2[1]);
        }
    }

    /** The CPU trainer's per-pixel chain for parts [n, 2] and gradRaw [n, 4] (TorsoTrainer.computeGradients). */
    static void lossReference(float[] raw, float[] bg, float[] target, float gradPerPixel, float entropyWeight,
                              float[] parts, float[] gradRaw) {
        int n = raw.length / 4;
        Activation sigmoid = new Activation.ScaledSigmoid();
        float[] y = new float[4 * n];
        sigmoid.forward(raw, y, 0, 4 * n);
        float[] alpha = new float[n];
        float[] rgb = new float[3 * n];
        for (int i = 0; i < n; i++) {
            alpha[i] = y[4 * i];
            System.arraycopy(y, 4 * i + 1, rgb, 3 * i, 3);
        }
        float[] composite = new float[3 * n];
        AlphaOver.forward(alpha, rgb, bg, composite, 0, n);
        RayMseLoss mse = new RayMseLoss(3);
        float[] mseLoss = new float[n];
        mse.forward(composite, target, mseLoss, 0, n);
        WeightsEntropyLoss entropy = new WeightsEntropyLoss(entropyWeight, WeightsEntropyLoss.syncTalk().eps());
        float[] entropyLoss = new float[n];
        entropy.forward(alpha, entropyLoss, 0, n);
        float[] gradLoss = new float[n];
        java.util.Arrays.fill(gradLoss, gradPerPixel);
        float[] gradComposite = new float[3 * n];
        mse.backward(composite, target, gradLoss, gradComposite, 0, n);
        float[] gradAlpha = new float[n];
        float[] gradRgb = new float[3 * n];
        AlphaOver.backward(alpha, rgb, bg, gradComposite, gradAlpha, gradRgb, null, 0, n);
        float[] gradEntropy = new float[n];
        entropy.backward(alpha, gradLoss, gradEntropy, 0, n);
        float[] gradY = new float[4 * n];
        for (int i = 0; i < n; i++) {
            gradAlpha[i] += 1f * gradEntropy[i];
            gradY[4 * i] = gradAlpha[i];
            System.arraycopy(gradRgb, 3 * i, gradY, 4 * i + 1, 3);
            parts[2 * i] = mseLoss[i];
            parts[2 * i + 1] = entropyLoss[i];
        }
        sigmoid.backward(raw, y, gradY, gradRaw, 0, 4 * n);
    }

    private String[] loss() {
        SplittableRandom rng = rng(5);
        int n = 100_003;
        float[] raw = uniform(rng, 4 * n, -4f, 4f);
        raw[0] = 30f;      // alpha at 1 + margin: the entropy clamp's upper side
        raw[4] = -30f;     // and its lower side
        raw[8] = 0f;       // alpha 0.5: the entropy gradient's zero
        float[] bg = uniform(rng, 3 * n, 0, 1);
        float[] target = uniform(rng, 3 * n, 0, 1);
        float gradPerPixel = 1f / n;
        float weight = 1e-4f;
        float[] expectedParts = new float[2 * n];
        float[] expectedGrad = new float[4 * n];
        lossReference(raw, bg, target, gradPerPixel, weight, expectedParts, expectedGrad);
        try (DeviceBuffer r = device.upload(raw); DeviceBuffer b = device.upload(bg); DeviceBuffer t = device.upload(target);
             DeviceBuffer parts = poisoned(2L * n); DeviceBuffer grad = poisoned(4L * n);
             DeviceBuffer alpha = poisoned(n); DeviceBuffer rgb = poisoned(3L * n)) {
            TorsoKernels.loss(device, n, v(r), v(b), v(t), gradPerPixel, weight, WeightsEntropyLoss.syncTalk().eps(),
                    v(parts), v(grad));
            TorsoKernels.output(device, n, v(r), v(alpha), v(rgb));
            float[] actualParts = device.download(parts, 2 * n);
            float[] actualGrad = device.download(grad, 4 * n);
            float[] y = new float[4 * n];
            new Activation.ScaledSigmoid().forward(raw, y, 0, 4 * n);
            float[] expectedAlpha = new float[n];
            float[] expectedRgb = new float[3 * n];
            for (int i = 0; i < n; i++) {
                expectedAlpha[i] = y[4 * i];
                System.arraycopy(y, 4 * i + 1, expectedRgb, 3 * i, 3);
            }
            float[] actualAlpha = device.download(alpha, n);
            float[] actualRgb = device.download(rgb, 3 * n);
            double worst = Math.max(Math.max(maxNormRel(expectedParts, actualParts), maxNormRel(expectedGrad, actualGrad)),
                    Math.max(maxNormRel(expectedAlpha, actualAlpha), maxNormRel(expectedRgb, actualRgb)));
            ErrorStats s = ErrorStats.compare(expectedParts, actualParts).merge(ErrorStats.compare(expectedGrad, actualGrad))
                    .merge(ErrorStats.compare(expectedAlpha, actualAlpha)).merge(ErrorStats.compare(expectedRgb, actualRgb));
            return outcome(s.nonFinite() == 0 && worst <= TRANSCENDENTAL_REL, String.format(Locale.ROOT,
                    "maxNormRel=%.3e bound=%.0e (%s)", worst, TRANSCENDENTAL_REL, s));
        }
    }

    private String[] reductions() {
        SplittableRandom rng = rng(6);
        int n = 70_001;
        int ld = 50;
        int col = 7;
        int width = 42;
        float[] src = uniform(rng, n * ld, -1, 1);
        float[] start = uniform(rng, width + 3, -1, 1);
        float[] expected = start.clone();
        try (CpuBackend cpu = new CpuBackend(1)) {
            Tensor dst = Tensor.wrap(expected, width + 3);
            cpu.sumColumns(Tensor.wrap(src, n, ld), col, width, dst, 3);
        }
        double[] magnitude = new double[width];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < width; c++) {
                magnitude[c] += Math.abs(src[i * ld + col + c]);
            }
        }
        float[] row = uniform(rng, 11, -1, 1);
        int rows = 1001;
        int rowLd = 13;
        long injected = 1 + rng.nextInt(20);
        float[] values = uniform(rng, 300_007, -1, 1);
        for (int i = 0; i < injected; i++) {
            values[(int) ((i * 7919L + 13) % values.length)] = i % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
        }
        try (DeviceBuffer s = device.upload(src); DeviceBuffer d = device.upload(start);
             DeviceBuffer scratch = device.allocateFloats(TorsoKernels.columnSumScratchFloats(width));
             DeviceBuffer r = device.upload(row); DeviceBuffer b = poisoned((long) rows * rowLd);
             DeviceBuffer x = device.upload(values); DeviceBuffer counter = device.allocateFloats(1)) {
            TorsoKernels.columnSums(device, n, v(s).plus(col), ld, width, scratch, v(d).plus(3), true);
            float[] first = device.download(d, width + 3);
            device.copyToDevice(start, d);
            TorsoKernels.columnSums(device, n, v(s).plus(col), ld, width, scratch, v(d).plus(3), true);
            float[] second = device.download(d, width + 3);
            double worst = 0;
            boolean headKept = true;
            for (int c = 0; c < 3; c++) {
                headKept &= Float.floatToRawIntBits(first[c]) == Float.floatToRawIntBits(start[c]);
            }
            for (int c = 0; c < width; c++) {
                double diff = Math.abs((double) first[3 + c] - expected[3 + c]);
                worst = Math.max(worst, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / magnitude[c]);
            }
            boolean reproducible = java.util.Arrays.equals(first, second);
            TorsoKernels.broadcastRow(device, rows, v(r).plus(2), 9, v(b).plus(1), rowLd);
            float[] broadcast = device.download(b, rows * rowLd);
            boolean broadcastOk = true;
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < 9; c++) {
                    broadcastOk &= broadcast[i * rowLd + 1 + c] == row[2 + c];
                }
            }
            device.fill(counter, 0f);
            TorsoKernels.countNonFinite(device, values.length, v(x), v(counter));
            long counted = (long) device.download(counter, 1)[0];
            boolean ok = worst <= SUM_REL && reproducible && headKept && broadcastOk && counted == injected;
            return outcome(ok, String.format(Locale.ROOT, "column sums max |error| / sum|x| = %.3e bound=%.0e,"
                            + " bit-reproducible=%s, untouched columns kept=%s; broadcast exact=%s; non-finite counted %d"
                            + " of %d", worst, SUM_REL, reproducible, headKept, broadcastOk, counted, injected));
        }
    }

    private String[] composite() {
        SplittableRandom rng = rng(7);
        int n = 100_003;
        float[] acc = uniform(rng, 3 * n, 0, 1);
        float[] opacity = uniform(rng, n, 0, 1);
        float[] alpha = uniform(rng, n, -0.001f, 1.001f);
        float[] rgb = uniform(rng, 3 * n, 0, 1);
        float[] bg = uniform(rng, 3 * n, 0, 1);
        float[] expectedWith = new float[3 * n];
        HeadTorsoComposite.forward(acc, opacity, alpha, rgb, bg, expectedWith, 0, n);
        float[] expectedWithout = new float[3 * n];
        HeadTorsoComposite.forward(null, null, alpha, rgb, bg, expectedWithout, 0, n);
        try (DeviceBuffer a = device.upload(acc); DeviceBuffer o = device.upload(opacity); DeviceBuffer al = device.upload(alpha);
             DeviceBuffer c = device.upload(rgb); DeviceBuffer b = device.upload(bg); DeviceBuffer out = poisoned(3L * n);
             DeviceBuffer out2 = poisoned(3L * n)) {
            TorsoKernels.composite(device, n, v(a), v(o), v(al), v(c), v(b), v(out));
            TorsoKernels.composite(device, n, DeviceView.absent(), DeviceView.absent(), v(al), v(c), v(b), v(out2));
            ErrorStats s = ErrorStats.compare(expectedWith, device.download(out, 3 * n))
                    .merge(ErrorStats.compare(expectedWithout, device.download(out2, 3 * n)));
            return exact(s, "");
        }
    }

    /** A model at the reference sizes whose grid and codes look trained: uniform in [-range, range]. */
    private static TorsoModel trainedLike(TorsoModelConfig config, long modelSeed, float range) {
        TorsoModel model = new TorsoModel(config, modelSeed);
        SplittableRandom rng = new SplittableRandom(modelSeed ^ 0x5DEECE66DL);
        ParamGroup grid = model.paramGroups().get(0);
        for (Tensor t : grid.params()) {
            float[] d = t.data();
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) ((2 * rng.nextDouble() - 1) * range);
            }
        }
        return model;
    }

    private String[] render() {
        SplittableRandom rng = rng(8);
        int w = 96;
        int h = 80;
        int pixels = w * h;
        TorsoModelConfig config = TorsoModelConfig.syncTalk(5);
        TorsoModel model = trainedLike(config, rng.nextLong(), 0.1f);
        float[] pose = rigidPose(rng);
        int code = 3;
        float[] background = uniform(rng, 3 * pixels, 0, 1);
        float[] headAccum = uniform(rng, 3 * pixels, 0, 0.5f);
        float[] headOpacity = uniform(rng, pixels, 0, 1);
        Tensor alpha = Tensor.zeros(pixels);
        Tensor rgb = Tensor.zeros(pixels, 3);
        try (CpuBackend cpu = CpuBackend.withAvailableProcessors()) {
            model.renderLayer(cpu, w, h, Tensor.wrap(pose.clone(), 4, 4), code, alpha, rgb);
        }
        float[] expectedFrame = new float[3 * pixels];
        HeadTorsoComposite.forward(headAccum, headOpacity, alpha.data(), rgb.data(), background, expectedFrame, 0, pixels);
        try (CudaTorsoRenderer renderer = CudaTorsoRenderer.of(device, model, w, h, background)) {
            float[] frame = renderer.frame(pose, code, headAccum, headOpacity);
            float[] actualAlpha = device.download(renderer.alpha(), pixels);
            float[] actualRgb = device.download(renderer.rgb(), 3 * pixels);
            ErrorStats a = ErrorStats.compare(alpha.data(), actualAlpha);
            ErrorStats c = ErrorStats.compare(rgb.data(), actualRgb);
            ErrorStats f = ErrorStats.compare(expectedFrame, frame);
            double worst = Math.max(a.normRelError(), Math.max(c.normRelError(), f.normRelError()));
            boolean ok = a.nonFinite() + c.nonFinite() + f.nonFinite() == 0 && worst <= NETWORK_NORM_REL;
            return outcome(ok, String.format(Locale.ROOT, "normRel alpha %.3e rgb %.3e frame %.3e bound=%.0e; frame %s",
                    a.normRelError(), c.normRelError(), f.normRelError(), NETWORK_NORM_REL, f));
        }
    }

    /** The fixture both step checks train on (reference model sizes). */
    static TorsoTrainingData stepData(long seed) {
        return FixtureTorsoData.of(new SyntheticHeadFixture(new SyntheticHeadFixture.Config(STEP_WIDTH, STEP_HEIGHT,
                STEP_FRAMES, 16, seed)));
    }

    /** The trainer settings of the step checks: reference model and losses, {@link #STEP_PIXELS} pixels per step. */
    static TorsoTrainerConfig stepConfig(long seed) {
        return new TorsoTrainerConfig(STEP_PIXELS, CURVE_STEPS, 1f, 1e-4f, seed + 1);
    }

    private List<CheckResult> training() {
        String firstName = "torso first step at reference sizes, " + STEP_PIXELS + " pixels: same pixels, loss rel <= "
                + FIRST_STEP_LOSS_REL + ", gradients per group normRel <= " + NETWORK_NORM_REL;
        String curveName = "torso training " + CURVE_STEPS + " steps x " + STEP_PIXELS + " pixels, CPU vs CUDA (mean"
                + TrainingParity.MOVING_AVERAGE_STEPS + " loss rel <= " + CURVE_MOVING_AVERAGE_REL + ", final PSNR within "
                + CURVE_PSNR_DB + " dB)";
        try {
            TorsoTrainingData data = stepData(seed);
            TorsoModelConfig modelConfig = TorsoModelConfig.syncTalk(STEP_FRAMES);
            TorsoTrainerConfig config = stepConfig(seed);
            List<CheckResult> results = new ArrayList<>();
            try (CpuBackend cpuBackend = CpuBackend.withAvailableProcessors();
                 CudaTorsoTrainer gpu = new CudaTorsoTrainer(device, config, new TorsoModel(modelConfig, seed), data,
                         null)) {
                TorsoTrainer cpu = new TorsoTrainer(cpuBackend, config, new TorsoModel(modelConfig, seed), data);
                results.add(guard(firstName, () -> firstStep(cpu, gpu)));
                results.add(guard(curveName, () -> curve(cpu, gpu)));
                results.add(guard("CUDA torso trainer stops on an injected NaN, naming the step, without counting it",
                        () -> injectedNan(gpu)));
            }
            return results;
        } catch (RuntimeException | LinkageError e) {
            return List.of(new CheckResult(firstName, false, "threw " + e), new CheckResult(curveName, false, "threw " + e),
                    new CheckResult("CUDA torso trainer stops on an injected NaN", false, "threw " + e));
        }
    }

    private String[] firstStep(TorsoTrainer cpu, CudaTorsoTrainer gpu) {
        var batch = cpu.batchOfStep(0);
        TorsoStepResult expected = cpu.computeGradients(batch);
        TorsoStepResult actual = gpu.computeGradients();
        int[] devicePixels = gpu.lastPixels();
        boolean samePixels = java.util.Arrays.equals(batch.pixels(), devicePixels);
        double lossRel = Math.abs(actual.loss() - expected.loss()) / Math.abs(expected.loss());
        StringBuilder detail = new StringBuilder(String.format(Locale.ROOT,
                "frame %d, samePixels=%s, loss cpu=%.8f cuda=%.8f rel=%.3e;", batch.frame(), samePixels,
                expected.loss(), actual.loss(), lossRel));
        boolean ok = samePixels && lossRel <= FIRST_STEP_LOSS_REL;
        List<ParamGroup> groups = cpu.optimizer().groups();
        for (int g = 0; g < groups.size(); g++) {
            List<Tensor> grads = groups.get(g).grads();
            int total = 0;
            for (Tensor t : grads) {
                total += t.size();
            }
            float[] cpuGrad = new float[total];
            int at = 0;
            for (Tensor t : grads) {
                System.arraycopy(t.data(), 0, cpuGrad, at, t.size());
                at += t.size();
            }
            ErrorStats s = ErrorStats.compare(cpuGrad, gpu.gradients(g));
            ok &= s.nonFinite() == 0 && s.normRelError() <= NETWORK_NORM_REL;
            detail.append(String.format(Locale.ROOT, " %s normRel=%.3e (%s);", groups.get(g).name(), s.normRelError(), s));
        }
        cpu.optimizer().zeroGrad();
        return outcome(ok, detail.toString());
    }

    private String[] injectedNan(CudaTorsoTrainer gpu) {
        DeviceBuffer anchors = gpu.network().group(CudaTorsoNetwork.ANCHORS).params();
        float[] values = device.download(anchors, 4 * TorsoModelConfig.ANCHOR_COUNT);
        values[3] = Float.NaN;
        device.copyToDevice(values, anchors);
        long step = gpu.step();
        try {
            gpu.trainStep();
            return outcome(false, "step " + step + " with a NaN anchor trained without an error");
        } catch (dev.synctalk.nerf.TorsoDivergedException e) {
            boolean ok = e.step() == step && gpu.step() == step && e.getMessage().contains("at step " + step);
            return outcome(ok, "trainer at step " + gpu.step() + ": " + e.getMessage());
        }
    }

    private String[] curve(TorsoTrainer cpu, CudaTorsoTrainer gpu) {
        double[] cpuLoss = new double[CURVE_STEPS];
        double[] cpuPsnr = new double[CURVE_STEPS];
        double[] gpuLoss = new double[CURVE_STEPS];
        double[] gpuPsnr = new double[CURVE_STEPS];
        for (int k = 0; k < CURVE_STEPS; k++) {
            TorsoStepResult c = cpu.trainStep();
            TorsoStepResult d = gpu.trainStep();
            cpuLoss[k] = c.loss();
            cpuPsnr[k] = c.psnr();
            gpuLoss[k] = d.loss();
            gpuPsnr[k] = d.psnr();
        }
        TrainingParity.Comparison c = TrainingParity.compare(new TrainingParity.Curve("cpu", cpuLoss, cpuPsnr),
                new TrainingParity.Curve("cuda", gpuLoss, gpuPsnr));
        System.out.println("torso training parity curves (ref = cpu, cand = cuda):");
        System.out.print(c.table(10));
        return outcome(c.within(CURVE_MOVING_AVERAGE_REL, CURVE_PSNR_DB), c.summary());
    }
}
