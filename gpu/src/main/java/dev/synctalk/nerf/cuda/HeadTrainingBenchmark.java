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

import dev.synctalk.gpu.cuda.TimingStats;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.render.FramePipeline;
import dev.synctalk.nerf.FrameComposition;
import dev.synctalk.nerf.FrameConditioning;
import dev.synctalk.nerf.FrameJob;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the engine runs, timed: {@link CudaHeadTrainer} (head-train placed on gpu:N) at the reference sizes and
 * {@value #RAYS} rays per step with a 128^3 occupancy grid updated every 16 steps, for mel and ave features, then
 * {@link CudaHeadRenderer} (head-render on gpu:N) on whole frames with the trained head. Data: the synthetic
 * fixture at {@code side} x {@code side} as {@link HeadTrainingData} (bytes on the device, as a dataset's); the
 * renders follow {@value #MORE_STEPS} more steps of training, so the head and its occupancy grid have settled.
 * Steady state: the first {@value #WARMUP_STEPS} steps (start-up, the grid settling) are not timed; steps are timed
 * by the host clock end to end (each step ends with its metrics read back, as in the stage).
 *
 * <p>Render figures, with the trained head: the synchronous {@link CudaHeadRenderer#render} (floats read back, what
 * evaluation uses); the device time of one head frame and of each of its phases (CUDA events); and the head-render
 * stage's own work, {@link CudaFrameRenderer} frames through a {@link FramePipeline} of {@value #STAGE_DEPTH} slots
 * (head + composition + 8-bit download into pinned memory, each frame copied out), portrait and head over
 * background, timed by the host clock like the stage's {@code frames_per_s}. A table of every figure ends the run.
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
        Table table = new Table();
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
                    table.add(k, "train coarse, " + RAYS + " rays (CudaHeadTrainer.trainStep)", TIMED_STEPS / seconds,
                            "steps/s");
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
                    table.add(k, "train fine, 64 patches of 32x32 + LPIPS", FINE_TIMED / seconds, "steps/s");
                    CudaHeadRenderer renderer = (CudaHeadRenderer) gpu.renderer();
                    Tensor background = Tensor.filled(0.9f, data.pixelCount(), 3);
                    for (int i = 0; i < RENDER_WARMUP; i++) {
                        render(renderer, data, i % frames, background);
                    }
                    start = System.nanoTime();
                    for (int i = 0; i < RENDER_TIMED; i++) {
                        render(renderer, data, i % frames, background);
                    }
                    seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf(Locale.ROOT, "engine head render %s %dx%d (CudaHeadRenderer.render, float image and"
                                    + " opacity read back, trained %d steps): %.1f frames/s (%.3f ms/frame, %d network"
                                    + " samples in the last frame)%n", k, side, side, gpu.step(), RENDER_TIMED / seconds,
                            1000 * seconds / RENDER_TIMED, renderer.lastLiveSamples());
                    table.add(k, "head render, floats read back (CudaHeadRenderer.render)", RENDER_TIMED / seconds,
                            "frames/s");
                    table.add(k, "network samples per frame", renderer.lastLiveSamples(), "");
                    TimingStats enqueue = device.time(RENDER_WARMUP, RENDER_TIMED,
                            () -> renderer.enqueue(data.camera(), 0, DeviceView.absent()));
                    System.out.printf(Locale.ROOT, "engine head render %s: device time of one head frame (enqueue only,"
                            + " CUDA events): median %.3f ms, min %.3f ms%n", k, enqueue.medianMillis(), enqueue.minMillis());
                    table.add(k, "head frame, device time (CUDA events), ms", enqueue.medianMillis(), "ms");
                    phases(device, renderer, data, k, table);
                    for (FrameComposition composition : new FrameComposition[] {FrameComposition.PORTRAIT,
                            FrameComposition.HEAD_OVER_BACKGROUND}) {
                        double fps = stageFrames(renderer, data, background.data(), composition);
                        System.out.printf(Locale.ROOT, "engine frames %s %s %dx%d (CudaFrameRenderer, %d slots, 8-bit"
                                        + " frames into pinned memory, host clock, %d frames after %d): %.1f frames/s"
                                        + " (%.3f ms/frame)%n", k, composition, side, side, STAGE_DEPTH, STAGE_TIMED,
                                STAGE_WARMUP, fps, 1000 / fps);
                        table.add(k, "stage frames " + composition.name().toLowerCase(Locale.ROOT)
                                + " (head + compose + uint8 download, pipelined)", fps, "frames/s");
                    }
                }
            }
        }
        table.print(side);
    }

    /**
     * The device time of each phase of a head frame (CudaHeadRenderer's phases, each repeated on its own after one
     * whole frame, CUDA events, median): where the frame's time goes.
     */
    static void phases(CudaDevice device, CudaHeadRenderer renderer, HeadTrainingData data, String k, Table table) {
        var camera = data.camera();
        renderer.enqueue(camera, 0, DeviceView.absent());
        String[] names = {"audio code (smallnn)", "march: rays, counts, scan, samples", "tri-plane encoding",
                "spherical harmonics", "fused network (render mode)", "volume rendering"};
        Runnable[] work = {renderer::phaseAudioCode, () -> renderer.phaseMarch(camera), renderer::phaseEncode,
                renderer::phaseSphericalHarmonics, () -> renderer.phaseNetwork(0),
                () -> renderer.phaseComposite(DeviceView.absent())};
        StringBuilder line = new StringBuilder("engine head render " + k + " phases (device, median ms):");
        for (int i = 0; i < names.length; i++) {
            TimingStats t = device.time(RENDER_WARMUP, RENDER_TIMED, work[i]);
            line.append(String.format(Locale.ROOT, " %s %.3f;", names[i], t.medianMillis()));
            table.add(k, "  phase: " + names[i] + ", ms", t.medianMillis(), "ms");
        }
        System.out.println(line);
    }

    /** Pipeline slots of the head-render stage on a GPU (HeadRenderStage uses the same). */
    public static final int STAGE_DEPTH = 2;
    static final int STAGE_WARMUP = 20;
    static final int STAGE_TIMED = 300;

    /**
     * The head-render stage's device work for {@code composition}, timed by the host clock: a job per frame (pose,
     * conditioning and, for portraits, the training frame's RGB as the original and its face bits as the mask), through
     * a {@link CudaFrameRenderer} pipeline of {@value #STAGE_DEPTH} slots, each finished frame copied out as bytes.
     * Frames per second after {@value #STAGE_WARMUP} untimed ones. Decoding originals is left out: the stage does it
     * ahead on worker threads.
     */
    static double stageFrames(CudaHeadRenderer renderer, HeadTrainingData data, float[] background,
                              FrameComposition composition) {
        int frames = data.frameCount();
        List<FrameJob.Portrait> portraits = new ArrayList<>();
        if (composition == FrameComposition.PORTRAIT) {
            for (int f = 0; f < frames; f++) {
                byte[] rgbm = new byte[data.pixelCount() * 4];
                byte[] bg = new byte[data.pixelCount() * 3];
                try {
                    data.pixelSource().read(f, rgbm, bg);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                byte[] rgb = new byte[data.pixelCount() * 3];
                byte[] green = new byte[data.pixelCount()];
                for (int p = 0; p < data.pixelCount(); p++) {
                    System.arraycopy(rgbm, 4 * p, rgb, 3 * p, 3);
                    green[p] = (byte) ((rgbm[4 * p + 3] & HeadTrainingData.FACE) != 0 ? 0 : 255);
                }
                portraits.add(new FrameJob.Portrait(rgb, green));
            }
        }
        long checksum = 0;
        try (CudaFrameRenderer frameRenderer = new CudaFrameRenderer(renderer, null, data.camera(), background,
                composition);
             FramePipeline<FrameJob, byte[]> pipeline = frameRenderer.pipeline(STAGE_DEPTH)) {
            long start = 0;
            int collected = 0;
            for (int i = 0; i < STAGE_WARMUP + STAGE_TIMED; i++) {
                if (i == STAGE_WARMUP) {
                    checksum += collect(pipeline.drain());
                    start = System.nanoTime();
                }
                int f = i % frames;
                var c = data.conditioning(f);
                FrameJob job = new FrameJob(Tensor.wrap(data.frames().get(f).pose().clone(), 4, 4),
                        new FrameConditioning(c.audioWindow(), c.expression(), 0),
                        portraits.isEmpty() ? null : portraits.get(f));
                List<FramePipeline.Done<byte[]>> done = pipeline.submit(i, job);
                if (i >= STAGE_WARMUP) {
                    collected += done.size();
                }
                checksum += collect(done);
            }
            List<FramePipeline.Done<byte[]>> rest = pipeline.drain();
            collected += rest.size();
            checksum += collect(rest);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (collected != STAGE_TIMED || checksum == 0) {
                throw new IllegalStateException("collected " + collected + " of " + STAGE_TIMED + " frames (checksum "
                        + checksum + ")");
            }
            return STAGE_TIMED / seconds;
        }
    }

    private static long collect(List<FramePipeline.Done<byte[]>> done) {
        long sum = 0;
        for (FramePipeline.Done<byte[]> d : done) {
            sum += d.frame()[d.frame().length / 2] & 0xff;
            sum += d.frame().length;
        }
        return sum;
    }

    /** Figures per audio kind, printed as one table at the end. */
    static final class Table {
        private final java.util.LinkedHashMap<String, java.util.Map<String, String>> rows = new java.util.LinkedHashMap<>();

        void add(String kind, String figure, double value, String unit) {
            String text = unit.equals("ms") ? String.format(Locale.ROOT, "%.3f", value)
                    : value >= 1000 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value);
            rows.computeIfAbsent(figure, f -> new java.util.LinkedHashMap<>()).put(kind, text);
        }

        void print(int side) {
            System.out.println();
            System.out.printf(Locale.ROOT, "engine figures (%dx%d, GpuBenchmark --only engine)%n", side, side);
            System.out.printf(Locale.ROOT, "| %-72s | %12s | %12s |%n", "figure", "mel", "ave");
            System.out.printf(Locale.ROOT, "| %-72s | %12s | %12s |%n", "-".repeat(72), "-".repeat(12), "-".repeat(12));
            rows.forEach((figure, byKind) -> System.out.printf(Locale.ROOT, "| %-72s | %12s | %12s |%n", figure,
                    byKind.getOrDefault("mel", "-"), byKind.getOrDefault("ave", "-")));
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
