package dev.synctalk.gpu.bench;

import java.util.Locale;
import java.util.SplittableRandom;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudaRuntime;
import dev.synctalk.gpu.cuda.CudaSaxpy;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.TimingStats;
import dev.synctalk.gpu.cuda.image.CudaGaussianBlur;
import dev.synctalk.gpu.cuda.image.CudaPortraitCompositing;
import dev.synctalk.gpu.cuda.optim.AdamWScalars;
import dev.synctalk.gpu.cuda.optim.CudaAdamW;
import dev.synctalk.gpu.image.GaussianTaps;

/**
 * Times the CUDA kernels with CUDA events (warm-ups, then the median of many runs) and reports achieved
 * bandwidth: the fewest bytes each must move (every input read once, every output written once) over
 * its median time. A device-to-device copy gives the machine's ceiling to compare with.
 * Inputs are random, never zeros; sizes are chosen well above the 50 MB L2 except where marked.
 *
 * <p>Usage: {@code GpuBenchmark [--repetitions N]} (default 50, after 5 warm-ups).
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
        if (args.length == 2 && args[0].equals("--repetitions")) {
            repetitions = Integer.parseInt(args[1]);
        } else if (args.length != 0) {
            System.err.println("usage: GpuBenchmark [--repetitions N]");
            System.exit(64);
        }
        if (!CudaRuntime.available()) {
            System.out.println("NO GPU: " + CudaRuntime.unavailableReason());
            System.exit(2);
        }
        try (CudaDevice device = CudaRuntime.open(0)) {
            System.out.println(device + "; median of " + repetitions + " after " + WARMUPS + " warm-ups, CUDA events");
            System.out.println(String.format(Locale.ROOT, "%-44s %12s %12s %10s", "work", "median ms", "min ms", "GB/s"));
            new GpuBenchmark(device, repetitions).run();
        }
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
