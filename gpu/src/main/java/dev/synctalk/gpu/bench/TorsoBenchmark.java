package dev.synctalk.gpu.bench;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudaRuntime;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.TimingStats;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.cuda.torso.CudaTorsoRenderer;
import dev.synctalk.gpu.cuda.torso.CudaTorsoTrainer;
import dev.synctalk.nerf.TorsoModel;
import dev.synctalk.nerf.TorsoModelConfig;
import dev.synctalk.nerf.TorsoTrainerConfig;
import dev.synctalk.nerf.TorsoTrainingData;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The device-resident torso at the reference sizes on a synthetic 512x512 dataset (random torso images,
 * poses around a frontal camera): training steps per second at 65,536 pixels a step (wall clock, start-up and
 * warm-up excluded; each step ends with its one download of the loss, so the wall time is the step's), and
 * the full-frame render (torso layer + head-over-torso compositing) with CUDA events, plus a whole frame with
 * the head uploaded and the result downloaded.
 *
 * <p>Usage: {@code TorsoBenchmark [--steps N] [--frames F]} (defaults 200 timed steps after 20 warm-ups, 64
 * frames in the dataset).
 */
public final class TorsoBenchmark {
    private static final int WIDTH = 512;
    private static final int HEIGHT = 512;
    private static final int PIXELS_PER_STEP = 65_536;
    private static final int WARMUP_STEPS = 20;

    private TorsoBenchmark() {
    }

    public static void main(String[] args) {
        int steps = 200;
        int frames = 64;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--steps") && i + 1 < args.length) {
                steps = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--frames") && i + 1 < args.length) {
                frames = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: TorsoBenchmark [--steps N] [--frames F]");
                System.exit(64);
            }
        }
        if (!CudaRuntime.available()) {
            System.out.println("NO GPU: " + CudaRuntime.unavailableReason());
            System.exit(2);
        }
        try (CudaDevice device = CudaRuntime.open(0)) {
            System.out.println(device);
            run(device, steps, frames);
        }
    }

    private static TorsoTrainingData dataset(int frames, SplittableRandom rng) {
        int pixels = WIDTH * HEIGHT;
        float[] background = new float[3 * pixels];
        for (int i = 0; i < background.length; i++) {
            background[i] = (float) rng.nextDouble();
        }
        List<TorsoTrainingData.Frame> list = new ArrayList<>();
        List<int[]> images = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            float yaw = (float) (0.2 * (rng.nextDouble() - 0.5));
            float[] pose = {(float) Math.cos(yaw), 0, (float) Math.sin(yaw), 0, 0, 1, 0, 0,
                (float) -Math.sin(yaw), 0, (float) Math.cos(yaw), 3, 0, 0, 0, 1};
            list.add(new TorsoTrainingData.Frame(f, f, pose));
            int[] rgba = new int[pixels];
            for (int p = 0; p < pixels; p++) {
                rgba[p] = p / WIDTH > HEIGHT / 2 ? rng.nextInt() | 0xFF000000 : rng.nextInt() & 0x00FFFFFF;
            }
            images.add(rgba);
        }
        return new TorsoTrainingData(WIDTH, HEIGHT, background, list, images::get);
    }

    private static void run(CudaDevice device, int steps, int frames) {
        SplittableRandom rng = new SplittableRandom(20261204);
        TorsoTrainingData data = dataset(frames, rng);
        TorsoModelConfig modelConfig = TorsoModelConfig.syncTalk(frames);
        TorsoTrainerConfig config = new TorsoTrainerConfig(PIXELS_PER_STEP, WARMUP_STEPS + steps, 1f, 1e-4f, 2);
        long start = System.nanoTime();
        try (CudaTorsoTrainer trainer = new CudaTorsoTrainer(device, config, new TorsoModel(modelConfig, 1), data, null)) {
            System.out.printf(Locale.ROOT, "start-up (upload %d frames of %dx%d, parameters): %.1f ms; pool %d MiB in use%n",
                    frames, WIDTH, HEIGHT, (System.nanoTime() - start) / 1e6, device.memoryStats().bytesInUse() >> 20);
            for (int k = 0; k < WARMUP_STEPS; k++) {
                trainer.trainStep();
            }
            long t0 = System.nanoTime();
            double loss = 0;
            for (int k = 0; k < steps; k++) {
                loss = trainer.trainStep().loss();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "torso train step, %d pixels, reference sizes: %.3f ms/step = %.1f steps/s"
                    + " (%d steps after %d warm-ups, wall clock; last loss %.5f)%n", PIXELS_PER_STEP,
                    1e3 * seconds / steps, steps / seconds, steps, WARMUP_STEPS, loss);

            float[] headAccum = new float[3 * WIDTH * HEIGHT];
            float[] headOpacity = new float[WIDTH * HEIGHT];
            for (int i = 0; i < headOpacity.length; i++) {
                headOpacity[i] = (float) rng.nextDouble();
                for (int c = 0; c < 3; c++) {
                    headAccum[3 * i + c] = headOpacity[i] * (float) rng.nextDouble();
                }
            }
            TorsoModel trained = trainer.model();
            float[] pose = data.frame(0).pose();
            try (CudaTorsoRenderer renderer = CudaTorsoRenderer.of(device, trained, WIDTH, HEIGHT, data.background());
                 DeviceBuffer accum = device.upload(headAccum); DeviceBuffer opacity = device.upload(headOpacity)) {
                TimingStats layer = device.time(5, 50, () -> renderer.renderLayer(pose, 0));
                TimingStats composite = device.time(5, 50, () -> renderer.compositeOnDevice(DeviceView.of(accum),
                        DeviceView.of(opacity)));
                for (int k = 0; k < 5; k++) {
                    renderer.frame(pose, 0, headAccum, headOpacity);
                }
                long f0 = System.nanoTime();
                int renders = 50;
                for (int k = 0; k < renders; k++) {
                    renderer.frame(pose, 0, headAccum, headOpacity);
                }
                double frameMs = (System.nanoTime() - f0) / 1e6 / renders;
                System.out.printf(Locale.ROOT, "torso layer %dx%d: %.3f ms (CUDA events, median of 50); compositing"
                                + " head over torso over background: %.3f ms; whole frame with the head uploaded and the"
                                + " frame downloaded: %.3f ms = %.0f frames/s (wall clock)%n", WIDTH, HEIGHT,
                        layer.medianMillis(), composite.medianMillis(), frameMs, 1e3 / frameMs);
            }
        }
    }
}
