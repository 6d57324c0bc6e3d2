package dev.synctalk.gpu.cuda.render;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import dev.synctalk.gpu.cuda.CheckResult;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.ErrorStats;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.LaunchShape;
import dev.synctalk.gpu.render.OccupancyMarch;

/**
 * occupancy.cu against its CPU twin {@link OccupancyMarch} on a seeded random density: the bitfield
 * (occupancy_build), live-sample counts (march_count), ray ranges and total (the ray scan, {@link RayScan}) must be
 * identical;
 * packed sample points, directions, dt and t (march_write) bit-identical (max relative error 0). Outputs are
 * NaN-poisoned before the kernels run.
 */
public final class OccupancyParityCheck {

    private OccupancyParityCheck() {
    }

    public static CheckResult run(CudaDevice device, long seed) {
        OccupancyMarch m = new OccupancyMarch(97, 61, 70f, 2.5f, 1f, 32, 24);
        String name = String.format(Locale.ROOT, "occupancy grid build + march + scan + compaction %dx%d, res %d, %d "
                + "candidates/ray vs CPU (exact)", m.width(), m.height(), m.resolution(), m.samplesPerRay());
        SplittableRandom rng = new SplittableRandom(seed * 31 + 7);
        float[] density = new float[m.cells()];
        for (int i = 0; i < density.length; i++) {
            density[i] = (float) rng.nextDouble();
        }
        float threshold = 0.6f;
        int[] bitsCpu = OccupancyMarch.buildBits(density, threshold);
        OccupancyMarch.LiveSamples cpu = m.samples(bitsCpu);
        int[] rangesCpu = OccupancyMarch.rayRanges(cpu.counts());
        int totalCpu = cpu.dt().length;
        try (DeviceBuffer dens = device.upload(density); DeviceBuffer bits = device.allocate(4L * m.bitfieldWords());
             DeviceBuffer counts = device.allocate(4L * m.rays()); DeviceBuffer rays = device.allocate(8L * m.rays());
             DeviceBuffer total = device.allocate(4); DeviceBuffer points = device.allocateFloats(3L * totalCpu + 3);
             DeviceBuffer dirs = device.allocateFloats(3L * totalCpu + 3); DeviceBuffer dt = device.allocateFloats(totalCpu + 1L);
             DeviceBuffer t = device.allocateFloats(totalCpu + 1L)) {
            for (DeviceBuffer b : new DeviceBuffer[] {bits, counts, rays, total, points, dirs, dt, t}) {
                device.poison(b);
            }
            buildBits(device, m.cells(), dens, threshold, bits);
            long totalGpu = march(device, m, bits, counts, rays, total, points, dirs, dt, t);
            StringBuilder detail = new StringBuilder();
            boolean ok = true;
            ok &= same(detail, "bitfield", bitsCpu, ints(device.download(bits, m.bitfieldWords())));
            ok &= same(detail, "counts", cpu.counts(), ints(device.download(counts, m.rays())));
            ok &= same(detail, "ray ranges", rangesCpu, ints(device.download(rays, 2 * m.rays())));
            ok &= same(detail, "total", new int[] {totalCpu}, new int[] {(int) totalGpu});
            ok &= exact(detail, "points", cpu.points(), device.download(points, 3 * totalCpu));
            ok &= exact(detail, "dirs", cpu.dirs(), device.download(dirs, 3 * totalCpu));
            ok &= exact(detail, "dt", cpu.dt(), device.download(dt, totalCpu));
            ok &= exact(detail, "t", cpu.t(), device.download(t, totalCpu));
            detail.append(String.format(Locale.ROOT, "%n    live samples %d of %d candidates (%.2f per ray)", totalCpu,
                    (long) m.rays() * m.samplesPerRay(), (double) totalCpu / m.rays()));
            return new CheckResult(name, ok && totalCpu > 0, detail.toString());
        } catch (RuntimeException | LinkageError e) {
            return new CheckResult(name, false, "threw " + e);
        }
    }

    /** Sizes of the ray scan check: one ray, tile edges, a 512x512 frame and one more tile. */
    static final int[] SCAN_SIZES = {1, RayScan.TILE - 1, RayScan.TILE, RayScan.TILE + 1, 65_536, 262_144 + 17};

    /**
     * {@link RayScan} against {@link RayScan#reference} on fresh random counts (0..16, a third of the rays empty, as a
     * marcher gives) for every size of {@link #SCAN_SIZES}: ray ranges and total identical. Outputs NaN-poisoned.
     */
    public static CheckResult scan(CudaDevice device, long seed) {
        String name = "ray scan (scan_tile_sums + scan_tiles_apply) vs CPU prefix sum, n = "
                + Arrays.toString(SCAN_SIZES) + " (exact)";
        SplittableRandom rng = new SplittableRandom(seed * 131 + 5);
        StringBuilder detail = new StringBuilder();
        boolean ok = true;
        int max = Arrays.stream(SCAN_SIZES).max().orElseThrow();
        try (RayScan scan = new RayScan(device, max); DeviceBuffer counts = device.allocate(4L * max);
             DeviceBuffer rays = device.allocate(8L * max); DeviceBuffer total = device.allocate(4)) {
            for (int n : SCAN_SIZES) {
                int[] c = new int[n];
                for (int i = 0; i < n; i++) {
                    c[i] = rng.nextInt(3) == 0 ? 0 : rng.nextInt(17);
                }
                device.poison(rays);
                device.poison(total);
                device.copyToDevice(c, counts, 0);
                scan.scan(n, counts, rays, total);
                int[] expected = RayScan.reference(c);
                int[] actual = Arrays.copyOf(device.downloadInts(rays, 2 * n), 2 * n + 1);
                actual[2 * n] = device.downloadInts(total, 1)[0];
                ok &= same(detail, "n=" + n + " ranges and total", expected, actual);
            }
            return new CheckResult(name, ok, detail.toString());
        } catch (RuntimeException | LinkageError e) {
            return new CheckResult(name, false, "threw " + e);
        }
    }

    private static int[] ints(float[] raw) {
        int[] v = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            v[i] = Float.floatToRawIntBits(raw[i]);
        }
        return v;
    }

    private static boolean same(StringBuilder detail, String what, int[] expected, int[] actual) {
        int mismatches = 0;
        for (int i = 0; i < expected.length; i++) {
            mismatches += expected[i] == actual[i] ? 0 : 1;
        }
        boolean ok = mismatches == 0 && expected.length == actual.length;
        detail.append(String.format(Locale.ROOT, "%n    %s %s: n=%d mismatches=%d", ok ? "ok  " : "FAIL", what,
                expected.length, mismatches));
        if (!ok) {
            detail.append(" first expected ").append(Arrays.toString(Arrays.copyOf(expected, Math.min(8, expected.length))))
                    .append(" actual ").append(Arrays.toString(Arrays.copyOf(actual, Math.min(8, actual.length))));
        }
        return ok;
    }

    private static boolean exact(StringBuilder detail, String what, float[] expected, float[] actual) {
        ErrorStats s = ErrorStats.compare(expected, actual);
        boolean ok = s.within(0.0) && s.bitMismatches() == 0;
        detail.append(String.format(Locale.ROOT, "%n    %s %s: %s", ok ? "ok  " : "FAIL", what, s));
        return ok;
    }

    static void buildBits(CudaDevice device, int cells, DeviceBuffer density, float threshold, DeviceBuffer bits) {
        device.kernel(KernelCatalog.OCCUPANCY_BUILD).launch(KernelCatalog.elementwise(device, (cells + 31) / 32),
                KernelArgs.create().i32(cells).buffer(density).f32(threshold).buffer(bits));
    }

    /** Marching only: counts, ranges and packed live samples for {@code bitfield}; returns the total (synchronises). */
    static long march(CudaDevice device, OccupancyMarch m, DeviceBuffer bitfield, DeviceBuffer counts,
                             DeviceBuffer rays, DeviceBuffer total, DeviceBuffer points, DeviceBuffer dirs,
                             DeviceBuffer dt, DeviceBuffer t) {
        LaunchShape perRay = KernelCatalog.elementwise(device, m.rays());
        device.kernel(KernelCatalog.MARCH_COUNT).launch(perRay, KernelArgs.create().i32(m.width()).i32(m.height())
                .f32(m.focalPx()).f32(m.cameraZ()).f32(m.bound()).i32(m.resolution()).buffer(bitfield)
                .i32(m.samplesPerRay()).buffer(counts));
        try (RayScan scan = new RayScan(device, m.rays())) {
            scan.scan(m.rays(), counts, rays, total);
        }
        long live = Float.floatToRawIntBits(device.download(total, 1)[0]);
        device.kernel(KernelCatalog.MARCH_WRITE).launch(perRay, KernelArgs.create().i32(m.width()).i32(m.height())
                .f32(m.focalPx()).f32(m.cameraZ()).f32(m.bound()).i32(m.resolution()).buffer(bitfield)
                .i32(m.samplesPerRay()).buffer(rays).buffer(points).buffer(dirs).buffer(dt).buffer(t));
        return live;
    }

}
