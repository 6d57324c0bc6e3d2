package dev.synctalk.facesync.bench;

import dev.synctalk.facesync.AveTrainer;
import dev.synctalk.facesync.FaceSyncBatches;
import dev.synctalk.facesync.FaceSyncSizes;
import dev.synctalk.facesync.SyncExpert;
import dev.synctalk.facesync.SyncExpertTrainer;
import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.conv.CpuConvOps;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudaRuntime;
import dev.synctalk.gpu.cuda.conv.CudnnConvOps;
import dev.synctalk.nerf.audio.AudioVisualEncoder;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Timings of the Face-Sync training steps, on random inputs (the time does not depend on the values): one
 * lip-sync expert step and one AVE step (with the frozen expert) per size, on the CPU reference ops or on
 * cuDNN (device 0), each step waited for.
 *
 * <p>Usage: {@code FaceSyncBenchmark CHANNELS CROP_HEIGHT BATCH cpu:THREADS|gpu [REPETITIONS]}, e.g.
 * {@code java -cp gpu/target/classes dev.synctalk.facesync.bench.FaceSyncBenchmark 8 24 16 cpu:2} or, on the
 * GPU machine, {@code bash DIR/run.sh dev.synctalk.facesync.bench.FaceSyncBenchmark 32 48 64 gpu}. Prints the
 * median of the repetitions (default 5, after 1 warm-up).
 */
public final class FaceSyncBenchmark {
    private FaceSyncBenchmark() {
    }

    public static void main(String[] args) {
        if (args.length < 4 || !(args[3].equals("gpu") || args[3].startsWith("cpu:"))) {
            System.err.println("usage: FaceSyncBenchmark CHANNELS CROP_HEIGHT BATCH cpu:THREADS|gpu [REPETITIONS]");
            System.exit(64);
        }
        FaceSyncSizes sizes = new FaceSyncSizes(Integer.parseInt(args[0]), Integer.parseInt(args[1]),
                2 * Integer.parseInt(args[1]));
        int batch = Integer.parseInt(args[2]);
        boolean gpu = args[3].equals("gpu");
        int threads = gpu ? 0 : Integer.parseInt(args[3].substring(4));
        int repetitions = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        SplittableRandom rng = new SplittableRandom(1);
        int window = FaceSyncSizes.WINDOW_FRAMES;
        int mel = AudioVisualEncoder.MEL_BANDS * AudioVisualEncoder.WINDOW_FRAMES;
        FaceSyncBatches.ExpertBatch expertBatch = new FaceSyncBatches.ExpertBatch(batch,
                random(rng, batch * window * sizes.cropFloats(), 0, 1), random(rng, batch * mel, -4, 4), labels(batch));
        FaceSyncBatches.AveBatch aveBatch = new FaceSyncBatches.AveBatch(batch,
                random(rng, batch * window * 2 * sizes.cropFloats(), 0, 1), random(rng, batch * window * sizes.cropFloats(), 0, 1),
                random(rng, batch * window * mel, -4, 4), random(rng, batch * mel, -4, 4));
        CudaDevice device = gpu ? CudaRuntime.open(0) : null;
        try (ConvOps ops = gpu ? new CudnnConvOps(device) : new CpuConvOps(threads);
             SyncExpertTrainer expertTrainer = new SyncExpertTrainer(ops, new SyncExpertTrainer.Settings(sizes, 1e-4, 1));
             SyncExpert frozen = SyncExpert.create(ops, sizes, 2, false);
             AveTrainer aveTrainer = new AveTrainer(ops, new AveTrainer.Settings(sizes, 1e-4, 0.03, 3), frozen)) {
            Runnable wait = gpu ? device::synchronize : () -> { };
            double expert = median(repetitions, () -> {
                expertTrainer.step(expertBatch);
                wait.run();
            });
            double ave = median(repetitions, () -> {
                aveTrainer.step(aveBatch);
                wait.run();
            });
            System.out.printf(Locale.ROOT, "Face-Sync training on %s: sizes %s, batch %d windows: expert step %.1f ms"
                    + " (%.0f windows/s), AVE step %.1f ms (%.0f frames/s) (median of %d)%n", ops.name(), sizes, batch,
                    expert, batch * 1000 / expert, ave, batch * FaceSyncSizes.WINDOW_FRAMES * 1000 / ave, repetitions);
        } finally {
            if (device != null) {
                device.close();
            }
        }
    }

    private static float[] random(SplittableRandom rng, int n, float lo, float hi) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = lo + (hi - lo) * (float) rng.nextDouble();
        }
        return out;
    }

    private static float[] labels(int batch) {
        float[] out = new float[batch];
        for (int i = 0; i < batch / 2; i++) {
            out[i] = 1f;
        }
        return out;
    }

    private static double median(int repetitions, Runnable work) {
        work.run();
        double[] ms = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long start = System.nanoTime();
            work.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[repetitions / 2];
    }
}
