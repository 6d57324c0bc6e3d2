package dev.synctalk.nerf.bench;

import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.AudioAttNet;
import dev.synctalk.nerf.AudioConditioner;
import dev.synctalk.nerf.AveAudioNet;
import dev.synctalk.nerf.HeadModel;
import dev.synctalk.nerf.HeadModelConfig;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.HeadTrainerConfig;
import dev.synctalk.nerf.Renderer;
import dev.synctalk.nerf.TrainStepResult;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;

import java.util.Locale;

/**
 * CPU throughput of the head NeRF at the reference sizes (tri-plane 3 x 12 levels, 2^14 rows; 64-wide
 * networks; AVE AudioNet 512 -> 32; 128^3 occupancy grid; 16 steps per ray):
 * <ul>
 *   <li>training samples/s: marched samples of full train steps (march, forward, render, losses,
 *       backward, AdamW) divided by their time, over steps 2..{@code steps} (the grid update that runs
 *       every 16 steps is timed separately);</li>
 *   <li>render frames/s at 128x128 (several frames) and 512x512 (one frame).</li>
 * </ul>
 * Run after {@code mvn -pl gpu -am package}:
 * {@code java -cp gpu/target/classes dev.synctalk.nerf.bench.NerfCpuBenchmark [raysPerStep] [steps] [threads]}
 * (defaults 4096 rays, 8 steps, all processors). Prints a JSON line with the three numbers last.
 */
public final class NerfCpuBenchmark {

    private NerfCpuBenchmark() {
    }

    public static void main(String[] args) {
        int rays = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        int frames = 16;
        SyntheticHeadFixture fixture = new SyntheticHeadFixture(new SyntheticHeadFixture.Config(128, 128, frames, 512, 3));
        try (CpuBackend backend = new CpuBackend(threads)) {
            HeadModelConfig modelConfig = HeadModelConfig.syncTalk(frames);
            HeadModel model = new HeadModel(modelConfig, 1);
            AudioConditioner conditioner = new AudioConditioner(AveAudioNet.syncTalk(2), new AudioAttNet(32, 8, 3));
            HeadTrainerConfig base = HeadTrainerConfig.syncTalk(100_000, 4);
            HeadTrainer trainer = new HeadTrainer(backend, new HeadTrainerConfig(rays, base.iterations(),
                    base.gridUpdateInterval(), base.gridResolution(), base.marcher(), base.seed()), model, conditioner);

            long gridStart = System.nanoTime();
            TrainStepResult first = trainer.trainStep(fixture.trainFrame(0, 8, 0));
            double firstStepSeconds = (System.nanoTime() - gridStart) / 1e9;
            long samples = 0;
            long start = System.nanoTime();
            for (int k = 1; k < steps; k++) {
                int f = k % frames;
                samples += trainer.trainStep(fixture.trainFrame(f, 8, f)).samples();
            }
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            double samplesPerSecond = samples / trainSeconds;
            System.out.printf(Locale.ROOT, "cpu backend, %d threads, reference head sizes, %d rays/step%n", threads, rays);
            System.out.printf(Locale.ROOT, "first step incl. full 128^3 grid update: %.2f s (%d samples)%n",
                    firstStepSeconds, first.samples());
            System.out.printf(Locale.ROOT, "training: %d samples in %d steps, %.2f s -> %.0f samples/s%n", samples,
                    steps - 1, trainSeconds, samplesPerSecond);

            Renderer renderer = trainer.renderer();
            double fps128 = renderFps(renderer, fixture, 128, 4);
            double fps512 = renderFps(renderer, fixture, 512, 1);
            System.out.printf(Locale.ROOT, "render 128x128: %.3f frames/s; 512x512: %.4f frames/s%n", fps128, fps512);
            System.out.printf(Locale.ROOT,
                    "{\"cpu_train_samples_per_s\": %.0f, \"cpu_render_fps_128\": %.3f, \"cpu_render_fps_512\": %.4f}%n",
                    samplesPerSecond, fps128, fps512);
        }
    }

    private static double renderFps(Renderer renderer, SyntheticHeadFixture fixture, int size, int frames) {
        float focal = 1.4f * size;
        CameraRays camera = new CameraRays(size, size, focal, focal, size / 2f, size / 2f);
        Tensor background = Tensor.filled(1f, size * size, 3);
        long start = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            renderer.render(camera, fixture.pose(i), fixture.conditioning(i, 8, 0), background);
        }
        return frames / ((System.nanoTime() - start) / 1e9);
    }
}
