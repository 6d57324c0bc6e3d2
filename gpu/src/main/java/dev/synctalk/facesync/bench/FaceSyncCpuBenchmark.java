package dev.synctalk.facesync.bench;

import dev.synctalk.facesync.AveTrainer;
import dev.synctalk.facesync.FaceSyncBatches;
import dev.synctalk.facesync.FaceSyncSizes;
import dev.synctalk.facesync.SyncExpert;
import dev.synctalk.facesync.SyncExpertTrainer;
import dev.synctalk.gpu.conv.CpuConvOps;
import dev.synctalk.nerf.audio.AudioVisualEncoder;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Timings of the Face-Sync training steps on the CPU reference ops, on random inputs (the time does not
 * depend on the values): one lip-sync expert step and one AVE step (with the frozen expert) per size.
 *
 * <p>Usage: {@code java -cp gpu/target/classes dev.synctalk.facesync.bench.FaceSyncCpuBenchmark
 * CHANNELS CROP_HEIGHT BATCH THREADS [REPETITIONS]}, e.g. {@code 8 24 16 2}. Prints the median of the
 * repetitions (default 5, after 1 warm-up).
 */
public final class FaceSyncCpuBenchmark {
    private FaceSyncCpuBenchmark() {
    }

    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: FaceSyncCpuBenchmark CHANNELS CROP_HEIGHT BATCH THREADS [REPETITIONS]");
            System.exit(64);
        }
        FaceSyncSizes sizes = new FaceSyncSizes(Integer.parseInt(args[0]), Integer.parseInt(args[1]),
                2 * Integer.parseInt(args[1]));
        int batch = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int repetitions = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        SplittableRandom rng = new SplittableRandom(1);
        int window = FaceSyncSizes.WINDOW_FRAMES;
        int mel = AudioVisualEncoder.MEL_BANDS * AudioVisualEncoder.WINDOW_FRAMES;
        FaceSyncBatches.ExpertBatch expertBatch = new FaceSyncBatches.ExpertBatch(batch,
                random(rng, batch * window * sizes.cropFloats(), 0, 1), random(rng, batch * mel, -4, 4), labels(batch));
        FaceSyncBatches.AveBatch aveBatch = new FaceSyncBatches.AveBatch(batch,
                random(rng, batch * window * 2 * sizes.cropFloats(), 0, 1), random(rng, batch * window * sizes.cropFloats(), 0, 1),
                random(rng, batch * window * mel, -4, 4), random(rng, batch * mel, -4, 4));
        try (CpuConvOps ops = new CpuConvOps(threads);
             SyncExpertTrainer expertTrainer = new SyncExpertTrainer(ops, new SyncExpertTrainer.Settings(sizes, 1e-4, 1));
             SyncExpert frozen = SyncExpert.create(ops, sizes, 2, false);
             AveTrainer aveTrainer = new AveTrainer(ops, new AveTrainer.Settings(sizes, 1e-4, 0.03, 3), frozen)) {
            double expert = median(repetitions, () -> expertTrainer.step(expertBatch));
            double ave = median(repetitions, () -> aveTrainer.step(aveBatch));
            System.out.printf(Locale.ROOT, "Face-Sync CPU (%s, %d threads): sizes %s, batch %d windows: expert step"
                    + " %.1f ms, AVE step %.1f ms (median of %d)%n", ops.name(), threads, sizes, batch, expert, ave,
                    repetitions);
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
