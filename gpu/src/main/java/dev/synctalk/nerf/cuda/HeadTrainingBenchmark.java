package dev.synctalk.nerf.cuda;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.HeadTrainingData;
import dev.synctalk.nerf.HeadTrainingPlan;
import dev.synctalk.nerf.TrainStepResult;
import dev.synctalk.nerf.fixture.FixtureTrainingSetup;
import dev.synctalk.nerf.fixture.FixtureTrainingSetup.AudioKind;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;

import java.util.Locale;

/**
 * What the engine runs, timed: {@link CudaHeadTrainer} (head-train placed on gpu:N) at the reference sizes and
 * {@value #RAYS} rays per step with a 128^3 occupancy grid updated every 16 steps, for mel and ave features, then
 * {@link CudaHeadRenderer} (head-render on gpu:N) on whole frames with the trained head. Data: the synthetic
 * fixture at {@code side} x {@code side} as {@link HeadTrainingData} (bytes on the device, as a dataset's); the
 * renders follow {@value #MORE_STEPS} more steps of training, so the head and its occupancy grid have settled.
 * Steady state: the first {@value #WARMUP_STEPS} steps (start-up, the grid settling) are not timed; steps are timed
 * by the host clock end to end (each step ends with its metrics read back, as in the stage).
 */
public final class HeadTrainingBenchmark {
    public static final int RAYS = 65_536;
    static final int WARMUP_STEPS = 100;
    static final int TIMED_STEPS = 200;
    /** Steps trained between the coarse and fine timings, so the renders see a trained head and a settled grid. */
    static final int MORE_STEPS = 1700;
    static final int FINE_WARMUP = 20;
    static final int FINE_TIMED = 60;
    static final int RENDER_WARMUP = 10;
    static final int RENDER_TIMED = 100;

    private HeadTrainingBenchmark() {
    }

    /** Prints one line per figure; returns nothing (the lines are the record). */
    public static void run(CudaDevice device, int side, int frames) {
        for (AudioKind kind : AudioKind.values()) {
            String k = kind.name().toLowerCase(Locale.ROOT);
            long t0 = System.nanoTime();
            SyntheticHeadFixture fixture = FixtureTrainingSetup.fixture(side, side, frames, kind, 7);
            HeadTrainingData data = FixtureTrainingSetup.trainingData(fixture, kind.featureShape(),
                    FixtureTrainingSetup.WINDOW);
            int coarse = WARMUP_STEPS + TIMED_STEPS + MORE_STEPS;
            long iters = coarse + FINE_WARMUP + FINE_TIMED;
            HeadTrainingPlan plan = new HeadTrainingPlan(iters, coarse, 0, RAYS, 32, 0.1, 0.01);
            LpipsAlex lpips = LpipsAlex.random(LpipsAlex.ALEXNET_CHANNELS, 11);
            try (CpuBackend host = new CpuBackend(1)) {
                HeadTrainer trainer = FixtureTrainingSetup.referenceTrainer(host, kind, frames, RAYS, iters, 128, 16, 3);
                try (CudaHeadTrainer gpu = new CudaHeadTrainer(device, trainer, data, plan, lpips, null)) {
                    System.out.printf(Locale.ROOT, "engine head %s: fixture %dx%d x %d frames built and uploaded in %.1f s%n",
                            k, side, side, frames, (System.nanoTime() - t0) / 1e9);
                    long samples = 0;
                    for (int s = 0; s < WARMUP_STEPS; s++) {
                        gpu.trainStep();
                    }
                    long start = System.nanoTime();
                    TrainStepResult last = null;
                    for (int s = 0; s < TIMED_STEPS; s++) {
                        last = gpu.trainStep();
                        samples += last.samples();
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf(Locale.ROOT, "engine head train %s %d rays (coarse, CudaHeadTrainer.trainStep):"
                                    + " %.1f steps/s (%.3f ms/step, %d samples/step, loss %.5f psnr %.2f dB at step %d)%n",
                            k, RAYS, TIMED_STEPS / seconds, 1000 * seconds / TIMED_STEPS, samples / TIMED_STEPS,
                            last.loss(), last.psnr(), gpu.step());
                    for (int s = 0; s < MORE_STEPS; s++) {
                        last = gpu.trainStep();
                    }
                    System.out.printf(Locale.ROOT, "engine head %s after %d steps: loss %.5f psnr %.2f dB, %d samples/step,"
                            + " %.1f%% of the grid occupied%n", k, gpu.step(), last.loss(), last.psnr(), last.samples(),
                            100 * gpu.occupiedFraction());
                    for (int s = 0; s < FINE_WARMUP; s++) {
                        gpu.trainStep();
                    }
                    start = System.nanoTime();
                    for (int s = 0; s < FINE_TIMED; s++) {
                        last = gpu.trainStep();
                    }
                    seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf(Locale.ROOT, "engine head train %s fine (64 patches of 32x32 + LPIPS 0.1):"
                                    + " %.1f steps/s (%.3f ms/step, lpips term %.5f)%n", k, FINE_TIMED / seconds,
                            1000 * seconds / FINE_TIMED, last.imageLoss());
                    var renderer = gpu.renderer();
                    Tensor background = Tensor.filled(0.9f, data.pixelCount(), 3);
                    for (int i = 0; i < RENDER_WARMUP; i++) {
                        render(renderer, data, i % frames, background);
                    }
                    start = System.nanoTime();
                    for (int i = 0; i < RENDER_TIMED; i++) {
                        render(renderer, data, i % frames, background);
                    }
                    seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf(Locale.ROOT, "engine head render %s %dx%d (CudaHeadRenderer.render, trained %d steps):"
                                    + " %.1f frames/s (%.3f ms/frame, %d network samples in the last frame)%n", k, side, side,
                            gpu.step(), RENDER_TIMED / seconds, 1000 * seconds / RENDER_TIMED,
                            ((CudaHeadRenderer) renderer).lastLiveSamples());
                }
            }
        }
    }

    private static void render(dev.synctalk.nerf.HeadRendering renderer, HeadTrainingData data, int frame,
                               Tensor background) {
        var conditioning = data.conditioning(frame);
        renderer.render(data.camera(), Tensor.wrap(data.frames().get(frame).pose().clone(), 4, 4),
                new dev.synctalk.nerf.FrameConditioning(conditioning.audioWindow(), conditioning.expression(), 0),
                background);
    }
}
