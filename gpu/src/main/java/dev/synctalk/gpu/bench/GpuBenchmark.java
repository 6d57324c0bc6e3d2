package dev.synctalk.gpu.bench;

import java.util.Locale;
import java.util.SplittableRandom;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudaRuntime;
import dev.synctalk.gpu.cuda.CudaSaxpy;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.TimingStats;
import dev.synctalk.gpu.cuda.image.CudaGaussianBlur;
import dev.synctalk.gpu.cuda.nn.CudaNn;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.cuda.image.CudaPortraitCompositing;
import dev.synctalk.gpu.cuda.optim.AdamWScalars;
import dev.synctalk.gpu.cuda.optim.CudaAdamW;
import dev.synctalk.gpu.image.GaussianTaps;
import dev.synctalk.gpu.render.OccupancyMarch;
import dev.synctalk.nerf.cuda.HeadTrainingBenchmark;

/**
 * Times the CUDA kernels with CUDA events (warm-ups, then the median of many runs) and reports achieved
 * bandwidth: the fewest bytes each must move (every input read once, every output written once) over
 * its median time. A device-to-device copy gives the machine's ceiling to compare with.
 * Inputs are random, never zeros; sizes are chosen well above the 50 MB L2 except where marked.
 *
 * <p>Two kinds of entries: <b>engine</b> figures time the objects the engine's stages run
 * ({@link HeadTrainingBenchmark}: the device head trainer and renderer on a dataset), everything else is a
 * <b>kernel micro-benchmark</b> (one kernel on synthetic inputs), labelled as such.
 *
 * <p>Usage: {@code GpuBenchmark [--repetitions N] [--only engine|ave|train|lpips] [--side 512] [--frames 16]}
 * (default 50, after 5 warm-ups; {@code --only engine} the engine objects, {@code --only ave} the cuDNN
 * audio-visual encoder entries, {@code --only train} the tri-plane kernels, {@code --only lpips} the cuDNN LPIPS
 * entries).
 */
public final class GpuBenchmark {

    private static final int WARMUPS = 5;

    private final CudaDevice device;
    private final int repetitions;
    private final SplittableRandom rng = new SplittableRandom(20261124);

    private GpuBenchmark(CudaDevice device, int repetitions) {
        this.device = device;
        this.repetitions = repetitions;
    }

    public static void main(String[] args) {
        int repetitions = 50;
        String only = "";
        int side = 512;
        int frames = 16;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--repetitions") && i + 1 < args.length) {
                repetitions = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--side") && i + 1 < args.length) {
                side = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--frames") && i + 1 < args.length) {
                frames = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--only") && i + 1 < args.length
                    && (args[i + 1].equals("ave") || args[i + 1].equals("train")
                    || args[i + 1].equals("lpips") || args[i + 1].equals("engine"))) {
                only = args[++i];
            } else {
                System.err.println("usage: GpuBenchmark [--repetitions N] [--only engine|ave|train|lpips] [--side 512]"
                        + " [--frames 16]");
                System.exit(64);
            }
        }
        if (!CudaRuntime.available()) {
            System.out.println("NO GPU: " + CudaRuntime.unavailableReason());
            System.exit(2);
        }
        try (CudaDevice device = CudaRuntime.open(0)) {
            System.out.println(device + "; median of " + repetitions + " after " + WARMUPS + " warm-ups, CUDA events");
            System.out.println(String.format(Locale.ROOT, "%-44s %12s %12s %10s", "work", "median ms", "min ms", "GB/s"));
            GpuBenchmark benchmark = new GpuBenchmark(device, repetitions);
            if (only.equals("engine")) {
                HeadTrainingBenchmark.run(device, side, frames);
            } else if (only.equals("ave")) {
                benchmark.audioEncoder();
            } else if (only.equals("train")) {
                benchmark.trainOnly();
            } else if (only.equals("lpips")) {
                benchmark.lpips(64, 32);
                benchmark.lpips(8, 64);
            } else {
                benchmark.run();
                HeadTrainingBenchmark.run(device, side, frames);
            }
        }
    }

    /** Kernel micro-benchmark: the tri-plane kernels the training step uses. */
    private void trainOnly() {
        triPlaneKernels(1 << 20);
    }

    private void run() {
        copyCeiling(256L << 20);
        saxpy(64 << 20);
        adamw(16 << 20);
        adamw(64 << 20);
        blur(1920, 1080, GaussianTaps.openCvDefault(9), "(fits in L2)");
        blur(4096, 4096, GaussianTaps.openCvDefault(9), "");
        blur(4096, 4096, GaussianTaps.openCvDefault(5), "");
        merge(4096, 4096);
        neckGapFill(4096, 4096);
        triPlaneKernels(1 << 20);
        denseKernels(1 << 20);
        audioEncoder();
        lpips(64, 32);
    }

    /**
     * The cuDNN LPIPS (AlexNet widths, random weights; the speed does not depend on them) on {@code batch}
     * random image pairs of side x side in [-1, 1]: the distance alone, and distance plus the gradient
     * w.r.t. the first image (the fine phase's use: 64 patches of 32 x 32 per step).
     */
    private void lpips(int batch, int side) {
        dev.synctalk.gpu.lpips.LpipsAlex model =
                dev.synctalk.gpu.lpips.LpipsAlex.random(dev.synctalk.gpu.lpips.LpipsAlex.ALEXNET_CHANNELS, 20261124);
        long floats = (long) batch * 3 * side * side;
        try (dev.synctalk.gpu.cuda.conv.CudnnLpipsAlex lpips =
                     new dev.synctalk.gpu.cuda.conv.CudnnLpipsAlex(device, model, batch, side, side);
             DeviceBuffer x0 = device.allocateFloats(floats); DeviceBuffer x1 = device.allocateFloats(floats);
             DeviceBuffer gradDistance = device.allocateFloats(batch); DeviceBuffer distance = device.allocateFloats(batch);
             DeviceBuffer gradX0 = device.allocateFloats(floats)) {
            float[] host = new float[(int) floats];
            for (int i = 0; i < host.length; i++) {
                host[i] = (float) (2 * rng.nextDouble() - 1);
            }
            device.copyToDevice(host, x0);
            for (int i = 0; i < host.length; i++) {
                host[i] = (float) (2 * rng.nextDouble() - 1);
            }
            device.copyToDevice(host, x1);
            device.fill(gradDistance, 1f / batch);
            TimingStats forward = device.time(WARMUPS, repetitions, () -> lpips.distance(x0, x1, distance, batch));
            TimingStats both = device.time(WARMUPS, repetitions,
                    () -> lpips.distanceAndGradient(x0, x1, gradDistance, distance, gradX0, batch));
            String shape = batch + "x3x" + side + "x" + side;
            line(String.format(Locale.ROOT, "%-44s %12.4f %12.4f", "cuDNN LPIPS distance " + shape, forward.medianMillis(),
                    forward.minMillis()));
            line(String.format(Locale.ROOT, "%-44s %12.4f %12.4f", "cuDNN LPIPS distance+grad " + shape,
                    both.medianMillis(), both.minMillis()));
            line("  LPIPS algorithms (forward / backward data) " + lpips.algorithms());
        }
    }

    /**
     * The cuDNN audio-visual encoder (random weights; the speed does not depend on them) on mel windows in
     * [-4, 4]: all 7500 windows of 5 minutes of audio (25 frames/s) in one batch, and one window at a time
     * (the live case). FLOPs: 2 x multiply-adds of the 13 convolutions, about 0.19 GFLOP per window.
     */
    private void audioEncoder() {
        dev.synctalk.nerf.audio.AudioVisualEncoder encoder = dev.synctalk.nerf.audio.AudioVisualEncoder.randomInit(20261127);
        double flopPerWindow = 0;
        int h = dev.synctalk.nerf.audio.AudioVisualEncoder.MEL_BANDS;
        int w = dev.synctalk.nerf.audio.AudioVisualEncoder.WINDOW_FRAMES;
        for (dev.synctalk.nerf.audio.AudioVisualEncoder.Block b : dev.synctalk.nerf.audio.AudioVisualEncoder.architecture()) {
            int oh = b.conv().outputHeight(h);
            int ow = b.conv().outputWidth(w);
            flopPerWindow += 2.0 * oh * ow * b.conv().outChannels() * b.conv().inChannels() * b.conv().kernelH() * b.conv().kernelW();
            h = oh;
            w = ow;
        }
        for (int batch : new int[] {7500, 1}) {
            try (dev.synctalk.gpu.cuda.conv.CudnnAudioVisualEncoder ave =
                         new dev.synctalk.gpu.cuda.conv.CudnnAudioVisualEncoder(device, encoder, batch);
                 DeviceBuffer mel = device.allocateFloats((long) batch * 1280);
                 DeviceBuffer features = device.allocateFloats((long) batch * 512)) {
                float[] host = new float[batch * 1280];
                for (int i = 0; i < host.length; i++) {
                    host[i] = (float) (8 * rng.nextDouble() - 4);
                }
                device.copyToDevice(host, mel);
                TimingStats t = device.time(WARMUPS, repetitions, () -> ave.encode(mel, features, batch));
                double windowsPerSecond = batch / (t.medianMillis() / 1000);
                line(String.format(Locale.ROOT, "%-44s %12.4f %12.4f            %6.1f TFLOP/s",
                        "cuDNN AVE encoder, batch " + batch + " windows", t.medianMillis(), t.minMillis(),
                        flopPerWindow * batch / (t.medianMillis() / 1000) / 1e12));
                line(String.format(Locale.ROOT, "  AVE: %.0f windows/s (%.3f GFLOP per window); 5 min of audio = 7500 windows"
                        + " in %.2f ms at this batch; algorithms %s", windowsPerSecond, flopPerWindow / 1e9,
                        7500 / windowsPerSecond * 1000, ave.algorithms()));
            }
        }
    }

    private void line(String text) {
        System.out.println(text);
    }

    /**
     * Tri-plane encoding kernels on 1M samples. Bytes: the fewest that must move (points read, features
     * written; gradients read) — the table gathers (144 per sample) hit the 50 MB L2, not DRAM, since the
     * three tables hold 3 x ~0.15M floats.
     */
    private void triPlaneKernels(int n) {
        HashGrid2D grid = HashGrid2D.syncTalkPlane(1f);
        long tableFloats = 3L * grid.parameterRows();
        try (DeviceBuffer levels = device.uploadInts(CudaNn.levelTable(grid)); DeviceBuffer points = random(3L * n);
             DeviceBuffer table = random(tableFloats); DeviceBuffer out = device.allocateFloats(36L * n);
             DeviceBuffer grad = random(36L * n); DeviceBuffer gradTable = device.allocateFloats(tableFloats)) {
            CudaNn.GridLaunch g = new CudaNn.GridLaunch(grid, 3, CudaNn.TRI_PLANE_AXES, levels);
            TimingStats f = device.time(WARMUPS, repetitions, () -> CudaNn.hashGridForward(device, g, n,
                    DeviceView.of(points), 3, DeviceView.of(table), DeviceView.of(out), 36));
            report("tri-plane forward 1M samples (36 out)", f, 4.0 * n * (3 + 36));
            TimingStats b = device.time(WARMUPS, repetitions, () -> CudaNn.hashGridBackwardEmbeddings(device, g, n,
                    DeviceView.of(points), 3, DeviceView.of(grad), 36, DeviceView.of(gradTable)));
            report("tri-plane backward (atomics) 1M samples", b, 4.0 * n * (3 + 36));
            line(String.format(Locale.ROOT, "  tri-plane: %.1f G table gathers/s forward, %.1f G atomic adds/s backward",
                    144.0 * n / f.medianMillis() / 1e6, 144.0 * n / b.medianMillis() / 1e6));
        }
    }

    /** The dense kernels at SyncTalk's widest layers on 1M rows: FLOP rate against the fp32 CUDA-core peak. */
    private void denseKernels(int n) {
        int[][] shapes = {{75, 64}, {64, 64}, {64, 65}, {84, 64}};
        for (int[] shape : shapes) {
            int in = shape[0];
            int out = shape[1];
            try (DeviceBuffer x = random((long) n * in); DeviceBuffer w = random((long) in * out);
                 DeviceBuffer y = device.allocateFloats((long) n * out); DeviceBuffer gy = random((long) n * out);
                 DeviceBuffer gw = device.allocateFloats((long) in * out);
                 DeviceBuffer gx = device.allocateFloats((long) n * in)) {
                double flops = 2.0 * n * in * out;
                TimingStats f = device.time(WARMUPS, repetitions, () -> CudaNn.denseRows(device, n, DeviceView.of(x), in,
                        in, DeviceView.of(w), false, out, DeviceView.absent(), DeviceView.of(y), out,
                        CudaNn.EPILOGUE_RELU, DeviceView.absent(), 0));
                denseReport("dense fwd+relu " + in + "->" + out + " 1M rows", f, flops, 4.0 * n * (in + out));
                TimingStats bi = device.time(WARMUPS, repetitions, () -> CudaNn.denseRows(device, n, DeviceView.of(gy),
                        out, out, DeviceView.of(w), true, in, DeviceView.absent(), DeviceView.of(gx), in,
                        CudaNn.EPILOGUE_MASK_POSITIVE, DeviceView.of(x), in));
                denseReport("dense bwd input+mask " + in + "->" + out, bi, flops, 4.0 * n * (2 * in + out));
                TimingStats bw = device.time(WARMUPS, repetitions, () -> CudaNn.denseWeightGrad(device, n,
                        DeviceView.of(gy), out, out, DeviceView.of(x), in, in, DeviceView.of(gw), DeviceView.absent()));
                denseReport("dense bwd weight " + in + "->" + out, bw, flops, 4.0 * n * (in + out));
            }
        }
    }

    private void denseReport(String work, TimingStats t, double flops, double bytes) {
        line(String.format(Locale.ROOT, "%-44s %12.4f %12.4f %10.1f   %6.1f TFLOP/s", work, t.medianMillis(),
                t.minMillis(), t.gigabytesPerSecond(bytes), flops / t.medianMillis() / 1e9));
    }

    private void report(String work, TimingStats t, double bytes) {
        System.out.println(String.format(Locale.ROOT, "%-44s %12.4f %12.4f %10.1f", work, t.medianMillis(), t.minMillis(),
                t.gigabytesPerSecond(bytes)));
    }

    private DeviceBuffer random(long floats) {
        float[] host = new float[(int) floats];
        for (int i = 0; i < host.length; i++) {
            host[i] = (float) rng.nextDouble();
        }
        return device.upload(host);
    }

    private void copyCeiling(long bytes) {
        try (DeviceBuffer src = random(bytes / 4); DeviceBuffer dst = device.allocate(bytes)) {
            TimingStats t = device.time(WARMUPS, repetitions, () -> device.copyDeviceToDevice(src, dst, bytes));
            report("device-to-device copy " + (bytes >> 20) + " MiB (ceiling)", t, 2.0 * bytes);
        }
    }

    private void saxpy(int n) {
        try (DeviceBuffer x = random(n); DeviceBuffer y = random(n)) {
            TimingStats t = device.time(WARMUPS, repetitions, () -> CudaSaxpy.saxpy(device, n, 0.5f, x, y));
            report("saxpy n=" + (n >> 20) + "M", t, 12.0 * n);
        }
    }

    private void adamw(int n) {
        AdamWScalars s = AdamWScalars.of(1e-3, 0.0, 0.99, 1e-8, 0.0, 10);
        try (DeviceBuffer p = random(n); DeviceBuffer g = random(n); DeviceBuffer m = random(n); DeviceBuffer v = random(n)) {
            TimingStats t = device.time(WARMUPS, repetitions, () -> CudaAdamW.step(device, n, p, g, m, v, s));
            // reads p, g, m, v and writes p, m, v: 28 bytes per parameter
            report("adamw step n=" + (n >> 20) + "M params", t, 28.0 * n);
        }
    }

    private void blur(int width, int height, GaussianTaps taps, String note) {
        long floats = (long) width * height * 3;
        try (CudaGaussianBlur blur = new CudaGaussianBlur(device, taps); DeviceBuffer in = random(floats);
             DeviceBuffer scratch = device.allocateFloats(floats); DeviceBuffer out = device.allocateFloats(floats)) {
            TimingStats t = device.time(WARMUPS, repetitions, () -> blur.blur(in, scratch, out, width, height));
            // two passes, each reading and writing the image once: 4 x 12 bytes per pixel
            report("blur " + width + "x" + height + " k" + taps.kernelSize() + " " + note, t, 4.0 * floats * 4);
            TimingStats back = device.time(WARMUPS, repetitions, () -> blur.blurBackward(in, scratch, out, width, height));
            report("blur backward " + width + "x" + height + " k" + taps.kernelSize(), back, 4.0 * floats * 4);
        }
    }

    private void merge(int width, int height) {
        long pixels = (long) width * height;
        try (DeviceBuffer a = random(pixels * 3); DeviceBuffer b = random(pixels * 3); DeviceBuffer mask = random(pixels);
             DeviceBuffer out = device.allocateFloats(pixels * 3)) {
            TimingStats t = device.time(WARMUPS, repetitions,
                    () -> CudaPortraitCompositing.merge(device, pixels, a, b, mask, out));
            // reads a, b (12 bytes each) and the mask (4), writes 12: 40 bytes per pixel
            report("masked merge " + width + "x" + height, t, 40.0 * pixels);
        }
    }

    private void neckGapFill(int width, int height) {
        long pixels = (long) width * height;
        float[] rgb = {0.6f, 0.45f, 0.4f};
        try (CudaGaussianBlur blur = new CudaGaussianBlur(device, GaussianTaps.openCvDefault(5));
             DeviceBuffer image = random(pixels * 3); DeviceBuffer mask = random(pixels);
             DeviceBuffer painted = device.allocateFloats(pixels * 3); DeviceBuffer scratch = device.allocateFloats(pixels * 3);
             DeviceBuffer out = device.allocateFloats(pixels * 3)) {
            TimingStats t = device.time(WARMUPS, repetitions, () -> CudaPortraitCompositing.neckGapFill(device, blur, width,
                    height, image, mask, rgb, painted, scratch, out));
            // fill 28 B/px, two blur passes 48 B/px, merge 40 B/px (4 launches, intermediates through memory)
            report("neck gap fill " + width + "x" + height + " (4 launches)", t, 116.0 * pixels);
        }
    }
}
