package dev.synctalk.gpu.cuda.conv;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import dev.synctalk.facesync.AveTrainer;
import dev.synctalk.facesync.FaceSyncBatches;
import dev.synctalk.facesync.FaceSyncSizes;
import dev.synctalk.facesync.SyncExpert;
import dev.synctalk.facesync.SyncExpertTrainer;
import dev.synctalk.gpu.conv.Conv2d;
import dev.synctalk.gpu.conv.ConvBuffer;
import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.conv.CpuConvOps;
import dev.synctalk.gpu.cuda.CheckResult;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.ErrorStats;
import dev.synctalk.gpu.cuda.ParityChecks;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.audio.AudioVisualEncoder;

/**
 * {@link CudnnConvOps} against the CPU: the convolutions (forward, backward data, backward filter and bias)
 * against {@link Conv2d}'s own loops, the other ops against {@link CpuConvOps}, on fresh random inputs;
 * then whole training steps of the lip-sync expert and of the AVE (one step each from the same weights and batch, every
 * tensor compared afterwards). Outputs that an op overwrites are poisoned with NaN first; gradients that
 * ops accumulate start from random values on both sides, so a kernel that overwrites instead of adding
 * fails.
 *
 * <p>Bounds: the convolutions and the whole steps sum in cuDNN's order, judged norm-wise
 * ({@value #CUDNN_NORM_REL}); convnet.cu's element-wise kernels do the CPU's exactly rounded operations,
 * judged per element ({@value #ELEMENT_REL}; the batch-norm reductions run in double in another order);
 * a training step, one Adam update of every tensor, {@value #STEP_NORM_REL} norm-wise per tensor. Any
 * non-finite result where the CPU's is finite fails.
 */
public final class ConvOpsParityCheck {
    public static final double CUDNN_NORM_REL = 1e-5;
    public static final double ELEMENT_REL = 1e-6;
    public static final double STEP_NORM_REL = 1e-4;

    private final CudaDevice device;
    private final long seed;

    private ConvOpsParityCheck(CudaDevice device, long seed) {
        this.device = device;
        this.seed = seed;
    }

    /** Every check, one result each. */
    public static List<CheckResult> runAll(CudaDevice device, long seed) {
        return new ConvOpsParityCheck(device, seed).checks();
    }

    private List<CheckResult> checks() {
        List<CheckResult> out = new ArrayList<>();
        List<Conv2d> convs = List.of(Conv2d.square(3, 8, 3, 1, 1), new Conv2d(8, 16, 3, 3, 3, 1, 1, 1),
                Conv2d.square(16, 16, 3, 2, 1), new Conv2d(15, 8, 3, 3, 1, 2, 1, 1), Conv2d.square(8, 32, 3, 1, 0),
                Conv2d.square(32, 24, 1, 1, 0));
        int[][] inputs = {{20, 16}, {80, 16}, {12, 24}, {24, 48}, {3, 3}, {5, 7}};
        for (int i = 0; i < convs.size(); i++) {
            Conv2d conv = convs.get(i);
            int h = inputs[i][0];
            int w = inputs[i][1];
            int index = i;
            out.add(ParityChecks.guard("cuDNN conv forward+bias " + conv + " batch 3, " + h + "x" + w + " (normRel bound "
                    + CUDNN_NORM_REL + ")", () -> convForward(conv, 3, h, w, 10 + index)));
            out.add(ParityChecks.guard("cuDNN conv backward data (accumulating) " + conv + " batch 3, " + h + "x" + w,
                    () -> convBackwardData(conv, 3, h, w, 20 + index)));
            out.add(ParityChecks.guard("cuDNN conv backward filter+bias (accumulating) " + conv + " batch 3, " + h + "x" + w,
                    () -> convBackwardFilter(conv, 3, h, w, 30 + index)));
        }
        out.add(ParityChecks.guard("convnet batch norm forward/backward (inference form) 5x7x6x10 (bound " + ELEMENT_REL + ")",
                this::batchNorm));
        out.add(ParityChecks.guard("convnet add, accumulate, relu, sigmoid forward/backward n=100003", this::elementwise));
        out.add(ParityChecks.guard("convnet per-channel add forward/backward 6x9x5x7", this::perChannel));
        out.add(ParityChecks.guard("convnet upsample x2 forward/backward 4x3x5x7", this::upsample));
        out.add(ParityChecks.guard("lip-sync expert training step (channels 4, 24x48 crops, batch 6) vs CPU (bound "
                + STEP_NORM_REL + " per tensor)", this::expertStep));
        out.add(ParityChecks.guard("AVE training step under the frozen expert (channels 4, 24x48, 2 windows) vs CPU", this::aveStep));
        return out;
    }

    private SplittableRandom rng(int index) {
        return new SplittableRandom(seed * 1_000_003L + index);
    }

    /** Runs {@code body} on the CPU ops and on cuDNN; each returns the arrays to compare, in the same order. */
    private ErrorStats both(Function<ConvOps, List<float[]>> body) {
        List<float[]> expected;
        try (CpuConvOps cpu = new CpuConvOps(2)) {
            expected = body.apply(cpu);
        }
        List<float[]> actual;
        try (CudnnConvOps gpu = new CudnnConvOps(device)) {
            actual = body.apply(gpu);
            device.synchronize();
        }
        ErrorStats stats = null;
        for (int i = 0; i < expected.size(); i++) {
            ErrorStats s = ErrorStats.compare(expected.get(i), actual.get(i));
            stats = stats == null ? s : stats.merge(s);
        }
        return stats;
    }

    /** A buffer the op overwrites: NaN on the device, so an element left unwritten fails. */
    private ConvBuffer output(ConvOps ops, long floats) {
        ConvBuffer b = ops.zeros(floats);
        if (b instanceof CudnnConvOps.Device d) {
            device.poison(d.buffer);
        }
        return b;
    }

    private static float[] read(ConvOps ops, ConvBuffer b, long n) {
        float[] out = new float[(int) n];
        ops.download(b, out);
        return out;
    }

    private static String[] normOutcome(ErrorStats stats, double bound, String extra) {
        boolean ok = stats.nonFinite() == 0 && stats.normRelError() <= bound;
        return new String[] {Boolean.toString(ok), stats + String.format(Locale.ROOT, " bound=%.0e", bound) + extra};
    }

    private static String[] elementOutcome(ErrorStats stats) {
        return new String[] {Boolean.toString(stats.within(ELEMENT_REL)),
            stats + String.format(Locale.ROOT, " bound=%.0e", ELEMENT_REL)};
    }

    // ---- convolutions --------------------------------------------------------------------------------

    /** cuDNN's result of {@code body} against {@code expected} (from {@link Conv2d}'s own loops). */
    private ErrorStats cudnn(List<float[]> expected, Function<ConvOps, List<float[]>> body) {
        List<float[]> actual;
        try (CudnnConvOps gpu = new CudnnConvOps(device)) {
            actual = body.apply(gpu);
            device.synchronize();
        }
        ErrorStats stats = null;
        for (int i = 0; i < expected.size(); i++) {
            ErrorStats s = ErrorStats.compare(expected.get(i), actual.get(i));
            stats = stats == null ? s : stats.merge(s);
        }
        return stats;
    }

    private String[] convForward(Conv2d conv, int batch, int h, int w, int index) {
        SplittableRandom rng = rng(index);
        float[] x = ParityChecks.uniform(rng, batch * conv.inChannels() * h * w, -1, 1);
        float[] weight = conv.newWeight(rng).data();
        float[] bias = conv.newBias(rng).data();
        long yn = (long) batch * conv.outChannels() * conv.outputHeight(h) * conv.outputWidth(w);
        float[] expected = new float[(int) yn];
        conv.forward(x, weight, bias, expected, h, w, 0, batch);
        String[] algorithms = new String[1];
        ErrorStats stats = cudnn(List.of(expected), ops -> {
            try (ConvBuffer bx = ops.upload(x); ConvBuffer bw = ops.upload(weight); ConvBuffer bb = ops.upload(bias);
                 ConvBuffer by = output(ops, yn)) {
                ops.conv2dForward(conv, bx, bw, bb, by, batch, h, w);
                algorithms[0] = ((CudnnConvOps) ops).algorithms(conv, batch, h, w);
                return List.of(read(ops, by, yn));
            }
        });
        return normOutcome(stats, CUDNN_NORM_REL, " algos=" + algorithms[0]);
    }

    private String[] convBackwardData(Conv2d conv, int batch, int h, int w, int index) {
        SplittableRandom rng = rng(index);
        float[] weight = conv.newWeight(rng).data();
        long yn = (long) batch * conv.outChannels() * conv.outputHeight(h) * conv.outputWidth(w);
        float[] gy = ParityChecks.uniform(rng, (int) yn, -1, 1);
        float[] gx0 = ParityChecks.uniform(rng, batch * conv.inChannels() * h * w, -1, 1);
        float[] expected = new float[gx0.length];
        conv.backwardInput(gy, weight, expected, h, w, 0, batch);
        for (int i = 0; i < expected.length; i++) {
            expected[i] += gx0[i];
        }
        ErrorStats stats = cudnn(List.of(expected), ops -> {
            try (ConvBuffer bw = ops.upload(weight); ConvBuffer bgy = ops.upload(gy); ConvBuffer bgx = ops.upload(gx0)) {
                ops.conv2dBackwardData(conv, bgy, bw, bgx, batch, h, w);
                return List.of(read(ops, bgx, gx0.length));
            }
        });
        return normOutcome(stats, CUDNN_NORM_REL, "");
    }

    private String[] convBackwardFilter(Conv2d conv, int batch, int h, int w, int index) {
        SplittableRandom rng = rng(index);
        float[] x = ParityChecks.uniform(rng, batch * conv.inChannels() * h * w, -1, 1);
        long yn = (long) batch * conv.outChannels() * conv.outputHeight(h) * conv.outputWidth(w);
        float[] gy = ParityChecks.uniform(rng, (int) yn, -1, 1);
        float[] gw0 = ParityChecks.uniform(rng, conv.weightCount(), -1, 1);
        float[] gb0 = ParityChecks.uniform(rng, conv.outChannels(), -1, 1);
        float[] expectedW = gw0.clone();
        float[] expectedB = gb0.clone();
        conv.backwardParameters(x, gy, expectedW, expectedB, batch, h, w);
        ErrorStats stats = cudnn(List.of(expectedW, expectedB), ops -> {
            try (ConvBuffer bx = ops.upload(x); ConvBuffer bgy = ops.upload(gy); ConvBuffer bgw = ops.upload(gw0);
                 ConvBuffer bgb = ops.upload(gb0)) {
                ops.conv2dBackwardFilter(conv, bx, bgy, bgw, bgb, batch, h, w);
                return List.of(read(ops, bgw, gw0.length), read(ops, bgb, gb0.length));
            }
        });
        return normOutcome(stats, CUDNN_NORM_REL, "");
    }

    // ---- convnet.cu --------------------------------------------------------------------------------------

    private String[] batchNorm() {
        SplittableRandom rng = rng(40);
        int n = 5;
        int c = 7;
        int plane = 60;
        int total = n * c * plane;
        float[] x = ParityChecks.uniform(rng, total, -2, 2);
        float[] gamma = ParityChecks.uniform(rng, c, -1.5f, 1.5f);
        float[] beta = ParityChecks.uniform(rng, c, -0.5f, 0.5f);
        float[] mean = ParityChecks.uniform(rng, c, -0.3f, 0.3f);
        float[] var = ParityChecks.uniform(rng, c, 0.2f, 2f);
        float[] gy = ParityChecks.uniform(rng, total, -1, 1);
        float[] gx0 = ParityChecks.uniform(rng, total, -1, 1);
        float[] gg0 = ParityChecks.uniform(rng, c, -1, 1);
        float[] gb0 = ParityChecks.uniform(rng, c, -1, 1);
        float eps = 1e-5f;
        ErrorStats stats = both(ops -> {
            try (ConvBuffer bx = ops.upload(x); ConvBuffer bg = ops.upload(gamma); ConvBuffer bbeta = ops.upload(beta);
                 ConvBuffer bm = ops.upload(mean); ConvBuffer bv = ops.upload(var); ConvBuffer by = output(ops, total);
                 ConvBuffer bgy = ops.upload(gy); ConvBuffer bgx = ops.upload(gx0); ConvBuffer bgg = ops.upload(gg0);
                 ConvBuffer bgb = ops.upload(gb0)) {
                ops.batchNormForward(bx, bg, bbeta, bm, bv, eps, by, n, c, plane);
                ops.batchNormBackward(bx, bg, bm, bv, eps, bgy, bgx, bgg, bgb, n, c, plane);
                return List.of(read(ops, by, total), read(ops, bgx, total), read(ops, bgg, c), read(ops, bgb, c));
            }
        });
        return elementOutcome(stats);
    }

    private String[] elementwise() {
        SplittableRandom rng = rng(41);
        int n = 100_003;
        float[] a = ParityChecks.uniform(rng, n, -3, 3);
        float[] b = ParityChecks.uniform(rng, n, -3, 3);
        float[] gy = ParityChecks.uniform(rng, n, -1, 1);
        float[] g0 = ParityChecks.uniform(rng, n, -1, 1);
        ErrorStats stats = both(ops -> {
            try (ConvBuffer ba = ops.upload(a); ConvBuffer bb = ops.upload(b); ConvBuffer sum = output(ops, n);
                 ConvBuffer relu = output(ops, n); ConvBuffer sig = output(ops, n); ConvBuffer bgy = ops.upload(gy);
                 ConvBuffer acc = ops.upload(g0); ConvBuffer gRelu = ops.upload(g0); ConvBuffer gSig = ops.upload(g0)) {
                ops.add(ba, bb, sum, n);
                ops.accumulate(bgy, acc, n);
                ops.reluForward(ba, relu, n);
                ops.reluBackward(relu, bgy, gRelu, n);
                ops.sigmoidForward(ba, sig, n);
                ops.sigmoidBackward(sig, bgy, gSig, n);
                return List.of(read(ops, sum, n), read(ops, acc, n), read(ops, relu, n), read(ops, gRelu, n),
                        read(ops, sig, n), read(ops, gSig, n));
            }
        });
        return elementOutcome(stats);
    }

    private String[] perChannel() {
        SplittableRandom rng = rng(42);
        int n = 6;
        int c = 9;
        int plane = 35;
        float[] x = ParityChecks.uniform(rng, n * c * plane, -1, 1);
        float[] v = ParityChecks.uniform(rng, n * c, -1, 1);
        float[] gy = ParityChecks.uniform(rng, n * c * plane, -1, 1);
        float[] gv0 = ParityChecks.uniform(rng, n * c, -1, 1);
        ErrorStats stats = both(ops -> {
            try (ConvBuffer bx = ops.upload(x); ConvBuffer bv = ops.upload(v); ConvBuffer by = output(ops, x.length);
                 ConvBuffer bgy = ops.upload(gy); ConvBuffer bgv = ops.upload(gv0)) {
                ops.addPerChannelForward(bx, bv, by, n, c, plane);
                ops.addPerChannelBackward(bgy, bgv, n, c, plane);
                return List.of(read(ops, by, x.length), read(ops, bgv, gv0.length));
            }
        });
        return elementOutcome(stats);
    }

    private String[] upsample() {
        SplittableRandom rng = rng(43);
        int planes = 12;
        int h = 5;
        int w = 7;
        float[] x = ParityChecks.uniform(rng, planes * h * w, -1, 1);
        float[] gy = ParityChecks.uniform(rng, 4 * planes * h * w, -1, 1);
        float[] gx0 = ParityChecks.uniform(rng, planes * h * w, -1, 1);
        ErrorStats stats = both(ops -> {
            try (ConvBuffer bx = ops.upload(x); ConvBuffer by = output(ops, gy.length); ConvBuffer bgy = ops.upload(gy);
                 ConvBuffer bgx = ops.upload(gx0)) {
                ops.upsample2xForward(bx, by, planes, h, w);
                ops.upsample2xBackward(bgy, bgx, planes, h, w);
                return List.of(read(ops, by, gy.length), read(ops, bgx, gx0.length));
            }
        });
        return elementOutcome(stats);
    }

    // ---- whole steps -----------------------------------------------------------------------------------

    private static final FaceSyncSizes STEP_SIZES = new FaceSyncSizes(4, 24, 48);

    private static List<float[]> tensors(Map<String, Tensor> state) {
        List<float[]> out = new ArrayList<>();
        for (Tensor t : state.values()) {
            out.add(t.data());
        }
        return out;
    }

    /** Compares tensor by tensor: the worst normRel over tensors must stay within the bound. */
    private String[] stepOutcome(List<float[]> expected, List<float[]> actual, double expectedLoss, double actualLoss) {
        ErrorStats stats = null;
        for (int i = 0; i < expected.size(); i++) {
            ErrorStats s = ErrorStats.compare(expected.get(i), actual.get(i));
            stats = stats == null ? s : stats.merge(s);
        }
        double lossRel = Math.abs(actualLoss - expectedLoss) / Math.max(1e-12, Math.abs(expectedLoss));
        boolean ok = stats.nonFinite() == 0 && stats.normRelError() <= STEP_NORM_REL && lossRel <= STEP_NORM_REL;
        return new String[] {Boolean.toString(ok), stats + String.format(Locale.ROOT, " loss cpu=%.6f gpu=%.6f rel=%.2e"
                + " bound=%.0e", expectedLoss, actualLoss, lossRel, STEP_NORM_REL)};
    }

    private String[] expertStep() {
        SplittableRandom rng = rng(50);
        int batch = 6;
        int mel = AudioVisualEncoder.MEL_BANDS * AudioVisualEncoder.WINDOW_FRAMES;
        float[] labels = {1, 1, 1, 0, 0, 0};
        FaceSyncBatches.ExpertBatch data = new FaceSyncBatches.ExpertBatch(batch,
                ParityChecks.uniform(rng, batch * FaceSyncSizes.WINDOW_FRAMES * STEP_SIZES.cropFloats(), 0, 1),
                ParityChecks.uniform(rng, batch * mel, -4, 4), labels);
        SyncExpertTrainer.Settings settings = new SyncExpertTrainer.Settings(STEP_SIZES, 1e-3, seed);
        double[] loss = new double[2];
        List<float[]> expected;
        try (CpuConvOps cpu = new CpuConvOps(2); SyncExpertTrainer t = new SyncExpertTrainer(cpu, settings)) {
            loss[0] = t.step(data).loss();
            expected = tensors(t.expert().stateDict());
        }
        List<float[]> actual;
        try (CudnnConvOps gpu = new CudnnConvOps(device); SyncExpertTrainer t = new SyncExpertTrainer(gpu, settings)) {
            loss[1] = t.step(data).loss();
            actual = tensors(t.expert().stateDict());
        }
        return stepOutcome(expected, actual, loss[0], loss[1]);
    }

    private String[] aveStep() {
        SplittableRandom rng = rng(51);
        int windows = 2;
        int frames = windows * FaceSyncSizes.WINDOW_FRAMES;
        int mel = AudioVisualEncoder.MEL_BANDS * AudioVisualEncoder.WINDOW_FRAMES;
        FaceSyncBatches.AveBatch data = new FaceSyncBatches.AveBatch(windows,
                ParityChecks.uniform(rng, frames * 2 * STEP_SIZES.cropFloats(), 0, 1), ParityChecks.uniform(rng, frames * STEP_SIZES.cropFloats(), 0, 1),
                ParityChecks.uniform(rng, frames * mel, -4, 4), ParityChecks.uniform(rng, windows * mel, -4, 4));
        AveTrainer.Settings settings = new AveTrainer.Settings(STEP_SIZES, 1e-3, 0.5, seed);
        double[] loss = new double[2];
        List<float[]> expected;
        try (CpuConvOps cpu = new CpuConvOps(2); SyncExpert expert = SyncExpert.create(cpu, STEP_SIZES, seed + 1, false);
             AveTrainer t = new AveTrainer(cpu, settings, expert)) {
            loss[0] = t.step(data).loss();
            expected = tensors(t.model().stateDict());
        }
        List<float[]> actual;
        try (CudnnConvOps gpu = new CudnnConvOps(device); SyncExpert expert = SyncExpert.create(gpu, STEP_SIZES, seed + 1, false);
             AveTrainer t = new AveTrainer(gpu, settings, expert)) {
            loss[1] = t.step(data).loss();
            actual = tensors(t.model().stateDict());
        }
        return stepOutcome(expected, actual, loss[0], loss[1]);
    }
}
