package dev.synctalk.nerf.cuda;

import dev.synctalk.gpu.cuda.CheckResult;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.ErrorStats;
import dev.synctalk.gpu.cuda.torso.CudaTorsoRenderer;
import dev.synctalk.gpu.image.FrameRgb8;
import dev.synctalk.gpu.render.FramePipeline;
import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.render.MarchedRays;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.Checkpoint;
import dev.synctalk.nerf.CpuHeadTraining;
import dev.synctalk.nerf.FrameComposition;
import dev.synctalk.nerf.FrameCompositor;
import dev.synctalk.nerf.FrameConditioning;
import dev.synctalk.nerf.FrameJob;
import dev.synctalk.nerf.HostFrameRenderer;
import dev.synctalk.nerf.TorsoModel;
import dev.synctalk.nerf.TorsoModelConfig;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.HeadTrainingData;
import dev.synctalk.nerf.HeadTrainingPlan;
import dev.synctalk.nerf.RayBatch;
import dev.synctalk.nerf.Renderer;
import dev.synctalk.nerf.StepLayout;
import dev.synctalk.nerf.TrainStepResult;
import dev.synctalk.nerf.TrainingDivergedException;
import dev.synctalk.nerf.TrainingSampler;
import dev.synctalk.nerf.fixture.FixtureTrainingSetup;
import dev.synctalk.nerf.fixture.FixtureTrainingSetup.AudioKind;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The device head trainer against the CPU reference, at the reference model sizes, both audio kinds, on the
 * synthetic fixture ({@value #SIDE}x{@value #SIDE}, {@value #RAYS} rays, a {@value #GRID}^3 grid so the CPU can
 * update it):
 * <ul>
 *   <li><b>twins</b>: the step's pixels, camera rays, targets, backgrounds and masks equal {@link TrainingSampler}
 *       + {@link HeadTrainingData#rayBatch}; the marched samples equal the CPU marcher's; the audio code equals the
 *       CPU conditioner's. Same operations in the same order: bound {@value #TWIN_BOUND} relative, ints exact.</li>
 *   <li><b>same state</b> (teacher forcing): before each of steps 1..{@value #FORCED_STEPS} the CPU trainer's state
 *       goes into the device trainer through a checkpoint file (so CPU checkpoints load on the GPU), then both
 *       compute the step (coarse rays, then fine patches with LPIPS, then a lips step) and the loss and every
 *       group's gradients are compared: fp16 operands with fp32 accumulation give ~1e-3 relative per product, a few
 *       layers deep and summed over thousands of samples, so loss {@value #LOSS_BOUND} and gradients norm-wise
 *       {@value #GRADIENT_BOUND}; the density grid of the step-0 update norm-wise {@value #DENSITY_BOUND}; a render
 *       of the trained state norm-wise {@value #RENDER_BOUND}; and a GPU checkpoint loads on the CPU unchanged.</li>
 *   <li><b>curves</b>: both train {@value #CURVE_STEPS} steps on their own from the same start; the per-step
 *       computations agree (above), but rounding differences compound through AdamW (betas (0, 0.99): early updates
 *       are +-lr wherever a gradient changes sign) and the grid's thresholds, so the trajectories are compared as
 *       the mean loss of the last {@value #CURVE_WINDOW} steps, within {@value #CURVE_BOUND} relative: a wrong
 *       gradient or loss term moves it by far more.</li>
 *   <li><b>frames</b>: the head-render stage's device path ({@link CudaFrameRenderer}, pipelined 8-bit frames) for
 *       every composition, against the synchronous render composed by the CPU twins (identical bytes) and against
 *       the CPU renderer (within the render bound).</li>
 * </ul>
 */
public final class HeadTrainerParityCheck {
    static final int SIDE = 64;
    static final int FRAMES = 24;
    static final int RAYS = 2048;
    static final int GRID = 32;
    static final int FORCED_STEPS = 4;
    static final double TWIN_BOUND = 1e-6;
    static final double LOSS_BOUND = 1e-2;
    static final double GRADIENT_BOUND = 5e-2;
    static final double DENSITY_BOUND = 2e-2;
    static final double RENDER_BOUND = 1e-2;
    static final int CURVE_STEPS = 24;
    static final int CURVE_WINDOW = 8;
    static final double CURVE_BOUND = 0.25;

    private HeadTrainerParityCheck() {
    }

    public static List<CheckResult> run(CudaDevice device, long seed) {
        List<CheckResult> out = new ArrayList<>();
        for (AudioKind kind : AudioKind.values()) {
            String k = kind.name().toLowerCase(Locale.ROOT);
            try {
                out.addAll(sameState(device, seed, kind));
            } catch (RuntimeException | LinkageError e) {
                out.add(new CheckResult("head trainer " + k + " twins and same-state parity", false, "threw " + e));
                e.printStackTrace(System.out);
            }
            out.add(guard("head trainer " + k + ": loss curves over " + CURVE_STEPS + " steps, GPU vs CPU (mean of the"
                    + " last " + CURVE_WINDOW + " rel <= " + CURVE_BOUND + ")", () -> curves(device, seed, kind)));
        }
        out.add(guard("head trainer on the GPU: a resumed run ends bit-identical to an uninterrupted one",
                () -> resume(device, seed)));
        out.add(guard("head trainer on the GPU: a non-finite loss stops training naming step and phase",
                () -> nonFinite(device, seed)));
        out.add(guard("head trainer on the GPU: a dataset that does not fit is refused naming the memory",
                () -> tooLarge(device)));
        return out;
    }

    private static CheckResult guard(String name, Supplier<CheckResult> check) {
        try {
            return check.get();
        } catch (RuntimeException | LinkageError e) {
            e.printStackTrace(System.out);
            return new CheckResult(name, false, "threw " + e);
        }
    }

    private static HeadTrainingData data(AudioKind kind, long seed) {
        SyntheticHeadFixture fixture = FixtureTrainingSetup.fixture(SIDE, SIDE, FRAMES, kind, seed);
        return FixtureTrainingSetup.trainingData(fixture, kind.featureShape(), FixtureTrainingSetup.WINDOW);
    }

    private static HeadTrainer trainer(CpuBackend backend, AudioKind kind, long iters, int interval, long seed) {
        return FixtureTrainingSetup.referenceTrainer(backend, kind, FRAMES, RAYS, iters, GRID, interval, seed);
    }

    private static Path temp() {
        try {
            Path p = Files.createTempFile("head-parity", ".ckpt");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<CheckResult> sameState(CudaDevice device, long seed, AudioKind kind) {
        String k = kind.name().toLowerCase(Locale.ROOT);
        List<CheckResult> out = new ArrayList<>();
        HeadTrainingData data = data(kind, seed);
        LpipsAlex lpips = LpipsAlex.random(LpipsAlex.ALEXNET_CHANNELS, seed);
        // steps 0, 1 coarse; 2, 3 fine (two 32x32 patches, LPIPS 0.1); step 4 the lips patch (LPIPS 0.01)
        HeadTrainingPlan plan = new HeadTrainingPlan(FORCED_STEPS, 2, 1, RAYS, 32, 0.1, 0.01);
        Path file = temp();
        try (CpuBackend cpuBackend = CpuBackend.withAvailableProcessors(); CpuBackend hostBackend = new CpuBackend(1)) {
            HeadTrainer cpuTrainer = trainer(cpuBackend, kind, plan.iters(), 16, seed);
            CpuHeadTraining cpu = new CpuHeadTraining(cpuTrainer, data, plan, lpips);
            HeadTrainer host = trainer(hostBackend, kind, plan.iters(), 16, seed);
            try (CudaHeadTrainer gpu = new CudaHeadTrainer(device, host, data, plan, lpips, null)) {
                // step 0: the grid update's densities (the occupancy thresholds them, so only step 0 compares them)
                cpu.computeGradients();
                gpu.computeGradients();
                ErrorStats density = ErrorStats.compare(cpuTrainer.grid().density().data(), gpu.densityGrid());
                out.add(new CheckResult("head trainer " + k + ": occupancy-grid update densities, GPU vs CPU (normRel <= "
                        + DENSITY_BOUND + ")", density.nonFinite() == 0 && density.normRelError() <= DENSITY_BOUND,
                        density.toString()));
                cpuTrainer.applyUpdate(plan.learningRateFactor(0));
                gpu.discardGradients();
                double worstLoss = 0;
                double worstGradient = 0;
                StringBuilder detail = new StringBuilder();
                for (long s = 1; s <= plan.totalSteps() - 1 + 0; s++) {
                    Checkpoint.write(cpuTrainer, file);
                    gpu.restoreCheckpoint(file);
                    TrainStepResult c = cpu.computeGradients();
                    TrainStepResult g = gpu.computeGradients();
                    if (s == 1) {
                        out.add(twins(k, cpuBackend, cpuTrainer, data, plan, gpu.lastStepTrace()));
                    }
                    gpu.gradientsToHost();
                    double lossRel = Math.abs(g.loss() - c.loss()) / Math.abs(c.loss());
                    worstLoss = Double.isNaN(lossRel) ? Double.NaN : Math.max(worstLoss, lossRel);
                    detail.append(String.format(Locale.ROOT, "%n    step %d %-6s loss cpu %.6f gpu %.6f (rel %.2e, lpips %.4f/%.4f,"
                                    + " samples %d/%d)", s, plan.phase(s), c.loss(), g.loss(), lossRel, c.imageLoss(),
                            g.imageLoss(), c.samples(), g.samples()));
                    List<ParamGroup> cg = cpuTrainer.optimizer().groups();
                    List<ParamGroup> gg = host.optimizer().groups();
                    for (int i = 0; i < cg.size(); i++) {
                        ErrorStats e = ErrorStats.compare(flatten(cg.get(i).grads()), flatten(gg.get(i).grads()));
                        worstGradient = Math.max(worstGradient, e.nonFinite() > 0 ? Double.NaN : e.normRelError());
                        detail.append(String.format(Locale.ROOT, " %s %.2e", cg.get(i).name(), e.normRelError()));
                    }
                    cpuTrainer.applyUpdate(plan.learningRateFactor(s));
                    gpu.discardGradients();
                }
                System.out.println("head trainer " + k + " same-state steps:" + detail);
                out.add(new CheckResult("head trainer " + k + ": same-state steps 1.." + (plan.totalSteps() - 1)
                        + " (coarse, fine + LPIPS, lips), GPU vs CPU: loss rel <= " + LOSS_BOUND
                        + ", every group's gradient normRel <= " + GRADIENT_BOUND,
                        worstLoss <= LOSS_BOUND && worstGradient <= GRADIENT_BOUND,
                        String.format(Locale.ROOT, "worst loss rel %.3e, worst gradient normRel %.3e", worstLoss,
                                worstGradient)));

                Checkpoint.write(cpuTrainer, file);
                gpu.restoreCheckpoint(file);
                var conditioning = data.conditioning(0);
                Tensor pose = Tensor.wrap(data.frames().get(0).pose().clone(), 4, 4);
                Tensor bg = Tensor.filled(0.5f, data.pixelCount(), 3);
                Renderer.Frame cr = cpuTrainer.renderer().render(data.camera(), pose, conditioning, bg);
                Renderer.Frame gr = gpu.renderer().render(data.camera(), pose, conditioning, bg);
                ErrorStats image = ErrorStats.compare(cr.image().data(), gr.image().data());
                ErrorStats opacity = ErrorStats.compare(cr.opacity().data(), gr.opacity().data());
                out.add(new CheckResult("head renderer " + k + ": a " + SIDE + "x" + SIDE + " frame, GPU vs CPU Renderer"
                        + " (image and opacity normRel <= " + RENDER_BOUND + ")",
                        image.nonFinite() == 0 && image.normRelError() <= RENDER_BOUND
                                && opacity.normRelError() <= RENDER_BOUND,
                        "image " + image + "; opacity " + opacity));

                out.add(frames(k, device, cpuTrainer, gpu, data, bg, seed));

                gpu.writeCheckpoint(file);
                HeadTrainer back = trainer(cpuBackend, kind, plan.iters(), 16, seed + 99);
                Checkpoint.restore(back, file);
                boolean same = back.step() == cpuTrainer.step();
                for (int i = 0; i < back.optimizer().groups().size(); i++) {
                    same &= Arrays.equals(flatten(back.optimizer().groups().get(i).params()),
                            flatten(cpuTrainer.optimizer().groups().get(i).params()));
                }
                out.add(new CheckResult("head trainer " + k + ": a CPU checkpoint loaded on the GPU and written back loads"
                        + " on the CPU with the same parameters", same, "step " + back.step()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Frames pushed through the pipelines of the frame checks; more than the slots, so slots are reused. */
    static final int PIPELINED_FRAMES = 5;

    /**
     * {@link CudaFrameRenderer} (the head-render stage's device path) for every {@link FrameComposition}: frames
     * 0..{@value #PIPELINED_FRAMES}-1 through a pipeline of {@link HeadTrainingBenchmark#STAGE_DEPTH} slots with fresh
     * random originals and face masks, each compared with (a) the synchronous {@link CudaHeadRenderer#render} of the
     * same frame composed by the CPU twins ({@link FrameRgb8}; for the torso {@link CudaTorsoRenderer#frame}): bytes
     * identical, the same kernels on the same inputs; (b) the CPU reference ({@link HostFrameRenderer} over the CPU
     * {@link Renderer} and {@link FrameCompositor}): the 8-bit frames over 255 within the render bound
     * {@value #RENDER_BOUND} norm-wise (rounding to bytes adds at most 0.5 / 255 per sample).
     */
    private static CheckResult frames(String k, CudaDevice device, HeadTrainer cpuTrainer, CudaHeadTrainer gpu,
                                      HeadTrainingData data, Tensor bg, long seed) {
        String name = "head frames " + k + ": " + PIPELINED_FRAMES + " pipelined " + SIDE + "x" + SIDE + " frames"
                + " (CudaFrameRenderer, 8-bit) per composition vs the synchronous render + CPU twins (identical) and"
                + " vs the CPU renderer (normRel <= " + RENDER_BOUND + ")";
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed * 17 + 3);
        CudaHeadRenderer head = (CudaHeadRenderer) gpu.renderer();
        int pixels = data.pixelCount();
        StringBuilder detail = new StringBuilder();
        boolean ok = true;
        TorsoModel torsoModel = new TorsoModel(TorsoModelConfig.syncTalk(4), seed + 5);
        try (CpuBackend cpuBackend = new CpuBackend(1);
             CudaTorsoRenderer torso = CudaTorsoRenderer.of(device, torsoModel, data.width(), data.height(), bg.data())) {
            for (FrameComposition composition : FrameComposition.values()) {
                List<FrameJob> jobs = new ArrayList<>();
                for (int i = 0; i < PIPELINED_FRAMES; i++) {
                    int f = i % data.frameCount();
                    var c = data.conditioning(f);
                    byte[] original = new byte[3 * pixels];
                    byte[] green = new byte[pixels];
                    rng.nextBytes(original);
                    rng.nextBytes(green);
                    jobs.add(new FrameJob(Tensor.wrap(data.frames().get(f).pose().clone(), 4, 4),
                            new FrameConditioning(c.audioWindow(), c.expression(), c.frameIndex()),
                            composition == FrameComposition.PORTRAIT ? new FrameJob.Portrait(original, green) : null));
                }
                List<byte[]> synchronous = new ArrayList<>();
                for (FrameJob job : jobs) {
                    synchronous.add(switch (composition) {
                        case HEAD_OVER_BACKGROUND -> FrameRgb8.quantize(
                                head.render(data.camera(), job.pose(), job.conditioning(), bg).image().data());
                        case PORTRAIT -> FrameRgb8.portrait(
                                head.render(data.camera(), job.pose(), job.conditioning(), bg).image().data(),
                                job.portrait().originalRgb(), job.portrait().faceMaskGreen());
                        case HEAD_OVER_TORSO -> {
                            Renderer.Frame alone = head.render(data.camera(), job.pose(), job.conditioning(), null);
                            yield FrameRgb8.quantize(torso.frame(job.pose().data(), 0, alone.image().data(),
                                    alone.opacity().data()));
                        }
                    });
                }
                HostFrameRenderer cpu = new HostFrameRenderer(cpuTrainer.renderer(),
                        composition == FrameComposition.HEAD_OVER_TORSO
                                ? new FrameCompositor(cpuBackend, cpuTrainer.renderer(), torsoModel) : null,
                        data.camera(), bg, composition);
                List<byte[]> pipelined = new ArrayList<>();
                List<Long> order = new ArrayList<>();
                try (CudaFrameRenderer frames = new CudaFrameRenderer(head,
                        composition == FrameComposition.HEAD_OVER_TORSO ? torso : null, data.camera(), bg.data(),
                        composition);
                     FramePipeline<FrameJob, byte[]> pipeline = frames.pipeline(HeadTrainingBenchmark.STAGE_DEPTH)) {
                    for (int i = 0; i < jobs.size(); i++) {
                        for (FramePipeline.Done<byte[]> d : pipeline.submit(i, jobs.get(i))) {
                            order.add(d.frameIndex());
                            pipelined.add(d.frame());
                        }
                    }
                    for (FramePipeline.Done<byte[]> d : pipeline.drain()) {
                        order.add(d.frameIndex());
                        pipelined.add(d.frame());
                    }
                }
                int mismatches = 0;
                double worst = 0;
                for (int i = 0; i < jobs.size(); i++) {
                    mismatches += Arrays.equals(synchronous.get(i), pipelined.get(i)) ? 0 : 1;
                    ErrorStats e = ErrorStats.compare(unit(cpu.render(jobs.get(i))), unit(pipelined.get(i)));
                    worst = e.nonFinite() > 0 ? Double.NaN : Math.max(worst, e.normRelError());
                }
                boolean inOrder = order.equals(java.util.stream.LongStream.range(0, jobs.size()).boxed().toList());
                boolean pass = mismatches == 0 && inOrder && worst <= RENDER_BOUND;
                ok &= pass;
                detail.append(String.format(Locale.ROOT, "%n    %s %s: %d of %d frames differ from the synchronous path,"
                                + " order %s, worst normRel vs CPU %.3e", pass ? "ok  " : "FAIL", composition, mismatches,
                        jobs.size(), order, worst));
            }
        }
        return new CheckResult(name, ok, detail.toString());
    }

    private static float[] unit(byte[] rgb) {
        float[] v = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            v[i] = (rgb[i] & 0xff) / 255f;
        }
        return v;
    }

    private static CheckResult twins(String k, CpuBackend backend, HeadTrainer cpuTrainer, HeadTrainingData data,
                                     HeadTrainingPlan plan, CudaHeadTrainer.StepTrace trace) {
        long s = 1;
        TrainingSampler sampler = cpuTrainer.sampler();
        int frame = sampler.frameOfStep(s, data.frameCount());
        StepLayout layout = CpuHeadTraining.layout(plan, data, s, frame);
        int[] pixels = sampler.pixels(s, layout, data.width(), data.height());
        RayBatch batch = data.rayBatch(backend, frame, pixels);
        MarchedRays marched = backend.marchRays(cpuTrainer.config().marcher(), cpuTrainer.grid().occupancy(),
                batch.origins(), batch.directions(), true, sampler.marchNoiseSeed(s));
        float[] code = cpuTrainer.conditioner().encode(backend, data.conditioning(frame).audioWindow()).code().data();
        ErrorStats rays = ErrorStats.compare(batch.origins().data(), trace.origins())
                .merge(ErrorStats.compare(batch.directions().data(), trace.dirs()))
                .merge(ErrorStats.compare(batch.target().data(), trace.target()))
                .merge(ErrorStats.compare(batch.background().data(), trace.background()))
                .merge(ErrorStats.compare(batch.faceMask().data(), trace.face()))
                .merge(ErrorStats.compare(batch.lowerFaceMask().data(), trace.lower()));
        boolean pixelsEqual = Arrays.equals(pixels, trace.pixels());
        boolean rangesEqual = Arrays.equals(marched.rays(), trace.rayRanges());
        ErrorStats samples = rangesEqual ? ErrorStats.compare(marched.positions().data(), trace.points())
                .merge(ErrorStats.compare(marched.dt().data(), trace.dt()))
                .merge(ErrorStats.compare(marched.t().data(), trace.t())) : null;
        ErrorStats codeStats = ErrorStats.compare(code, trace.code());
        boolean pass = pixelsEqual && rays.within(TWIN_BOUND) && rangesEqual && samples.within(TWIN_BOUND)
                && codeStats.within(TWIN_BOUND);
        return new CheckResult("head trainer " + k + " twins: sampled pixels and rays, marched samples, audio code"
                + " (GPU vs TrainingSampler, RayMarcher, AudioConditioner; rel <= " + TWIN_BOUND + ", ints exact)", pass,
                "pixels equal " + pixelsEqual + " (" + pixels.length + "), rays " + rays + "; ray ranges equal "
                        + rangesEqual + " (" + marched.sampleCount() + " samples), samples "
                        + (samples == null ? "-" : samples.toString()) + "; code " + codeStats);
    }

    private static float[] flatten(List<Tensor> tensors) {
        int n = 0;
        for (Tensor t : tensors) {
            n += t.size();
        }
        float[] out = new float[n];
        int o = 0;
        for (Tensor t : tensors) {
            System.arraycopy(t.data(), 0, out, o, t.size());
            o += t.size();
        }
        return out;
    }

    private static CheckResult curves(CudaDevice device, long seed, AudioKind kind) {
        String k = kind.name().toLowerCase(Locale.ROOT);
        HeadTrainingData data = data(kind, seed);
        HeadTrainingPlan plan = HeadTrainingPlan.coarse(CURVE_STEPS, RAYS);
        double[] cpuLoss = new double[CURVE_STEPS];
        double[] gpuLoss = new double[CURVE_STEPS];
        try (CpuBackend cpuBackend = CpuBackend.withAvailableProcessors(); CpuBackend hostBackend = new CpuBackend(1)) {
            CpuHeadTraining cpu = new CpuHeadTraining(trainer(cpuBackend, kind, CURVE_STEPS, 16, seed), data, plan, null);
            for (int s = 0; s < CURVE_STEPS; s++) {
                cpuLoss[s] = cpu.trainStep().loss();
            }
            try (CudaHeadTrainer gpu = new CudaHeadTrainer(device, trainer(hostBackend, kind, CURVE_STEPS, 16, seed),
                    data, plan, null, null)) {
                for (int s = 0; s < CURVE_STEPS; s++) {
                    gpuLoss[s] = gpu.trainStep().loss();
                }
            }
        }
        double c = tailMean(cpuLoss);
        double g = tailMean(gpuLoss);
        double rel = Math.abs(g - c) / c;
        StringBuilder table = new StringBuilder();
        for (int s = 0; s < CURVE_STEPS; s += 4) {
            table.append(String.format(Locale.ROOT, " %d:%.5f/%.5f", s, cpuLoss[s], gpuLoss[s]));
        }
        System.out.println("head trainer " + k + " loss curves (step:cpu/gpu):" + table);
        return new CheckResult("head trainer " + k + ": loss curves over " + CURVE_STEPS + " steps, GPU vs CPU (mean of the"
                + " last " + CURVE_WINDOW + " rel <= " + CURVE_BOUND + ")", Double.isFinite(rel) && rel <= CURVE_BOUND,
                String.format(Locale.ROOT, "cpu %.6f gpu %.6f rel %.3e; first step cpu %.6f gpu %.6f", c, g, rel,
                        cpuLoss[0], gpuLoss[0]));
    }

    private static double tailMean(double[] loss) {
        double sum = 0;
        for (int s = loss.length - CURVE_WINDOW; s < loss.length; s++) {
            sum += loss[s];
        }
        return sum / CURVE_WINDOW;
    }

    private static CheckResult resume(CudaDevice device, long seed) {
        String name = "head trainer on the GPU: 12 steps (coarse, fine patches, grid every 4) resumed at 7 end"
                + " bit-identical to uninterrupted runs";
        HeadTrainingData data = data(AudioKind.MEL, seed);
        HeadTrainingPlan plan = new HeadTrainingPlan(12, 6, 0, 4096, 16, 0, 0);
        try (CpuBackend host = new CpuBackend(1)) {
            byte[] first = runOnGpu(device, host, data, plan, seed, 12, null);
            byte[] second = runOnGpu(device, host, data, plan, seed, 12, null);
            Path middle = temp();
            runOnGpu(device, host, data, plan, seed, 7, middle);
            byte[] resumed = runOnGpu(device, host, data, plan, seed, 12, middle);
            boolean repeat = Arrays.equals(first, second);
            boolean resume = Arrays.equals(first, resumed);
            return new CheckResult(name, repeat && resume, "repeated run identical " + repeat
                    + ", resumed run identical " + resume + " (" + first.length + " checkpoint bytes)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Trains to {@code until} steps (from {@code file} when it exists, else writes it at the end); checkpoint bytes. */
    private static byte[] runOnGpu(CudaDevice device, CpuBackend host, HeadTrainingData data, HeadTrainingPlan plan,
                                   long seed, int until, Path file) throws IOException {
        HeadTrainer trainer = FixtureTrainingSetup.referenceTrainer(host, AudioKind.MEL, FRAMES, plan.raysPerStep(),
                plan.iters(), GRID, 4, seed);
        try (CudaHeadTrainer gpu = new CudaHeadTrainer(device, trainer, data, plan, null, null)) {
            if (file != null && Files.size(file) > 0 && until == plan.totalSteps()) {
                gpu.restoreCheckpoint(file);
            }
            while (gpu.step() < until) {
                gpu.trainStep();
            }
            Path out = file != null && until < plan.totalSteps() ? file : temp();
            gpu.writeCheckpoint(out);
            return Files.readAllBytes(out);
        }
    }

    private static CheckResult nonFinite(CudaDevice device, long seed) {
        String name = "head trainer on the GPU: a non-finite loss stops training naming step and phase";
        HeadTrainingData base = data(AudioKind.AVE, seed);
        float[][] audio = new float[base.audioFeatures().length][];
        for (int a = 0; a < audio.length; a++) {
            audio[a] = new float[base.featureSize()];
            Arrays.fill(audio[a], Float.NaN);
        }
        HeadTrainingData poisoned = new HeadTrainingData(base.camera(), base.frames(), base.featureShape(), audio,
                base.window(), base.pixelSource());
        try (CpuBackend host = new CpuBackend(1); CudaHeadTrainer gpu = new CudaHeadTrainer(device,
                trainer(host, AudioKind.AVE, 10, 16, seed), poisoned, HeadTrainingPlan.coarse(10, RAYS), null, null)) {
            try {
                gpu.trainStep();
                return new CheckResult(name, false, "the step with NaN audio features trained");
            } catch (TrainingDivergedException e) {
                return new CheckResult(name, e.step() == 0 && e.getMessage().contains("coarse phase"), e.getMessage());
            }
        }
    }

    private static CheckResult tooLarge(CudaDevice device) {
        String name = "head trainer on the GPU: a dataset that does not fit is refused naming the memory";
        HeadTrainingData small = data(AudioKind.AVE, 1);
        List<HeadTrainingData.Frame> frames = new ArrayList<>();
        HeadTrainingData.Frame f = small.frames().get(0);
        int count = (int) Math.min(Integer.MAX_VALUE - 8, device.totalMemoryBytes() / (7L * 512 * 512) + 1000);
        for (int i = 0; i < count; i++) {
            frames.add(new HeadTrainingData.Frame(i, 0, 0, f.pose(), f.expression(), null));
        }
        HeadTrainingData huge = new HeadTrainingData(new dev.synctalk.gpu.render.CameraRays(512, 512, 700, 700, 256, 256),
                frames, small.featureShape(), new float[][] {small.audioFeatures()[0]}, small.window(),
                (k, rgbm, bg) -> {
                    throw new IllegalStateException("nothing may be read from a dataset that does not fit");
                });
        try (CpuBackend host = new CpuBackend(1)) {
            HeadTrainer trainer = FixtureTrainingSetup.referenceTrainer(host, AudioKind.AVE, count, RAYS, 10, GRID, 16, 1);
            try (CudaHeadTrainer gpu = new CudaHeadTrainer(device, trainer, huge, HeadTrainingPlan.coarse(10, RAYS), null,
                    null)) {
                return new CheckResult(name, false, "a dataset of " + count + " frames at 512x512 was accepted");
            } catch (IllegalStateException e) {
                return new CheckResult(name, e.getMessage().contains("does not fit") && e.getMessage().contains("free"),
                        e.getMessage());
            }
        }
    }
}
