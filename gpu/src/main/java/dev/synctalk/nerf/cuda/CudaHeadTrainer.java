package dev.synctalk.nerf.cuda;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.LaunchShape;
import dev.synctalk.gpu.cuda.render.RayScan;
import dev.synctalk.gpu.cuda.conv.CudnnLpipsAlex;
import dev.synctalk.gpu.cuda.head.FusedHeadKernels;
import dev.synctalk.gpu.cuda.head.FusedHeadLayout;
import dev.synctalk.gpu.cuda.nn.CudaNn;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.loss.AmbientLoss;
import dev.synctalk.gpu.loss.UncertaintyWeightedLoss;
import dev.synctalk.gpu.loss.WeightsEntropyLoss;
import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.render.RayMarcher;
import dev.synctalk.gpu.render.VolumeRenderer;
import dev.synctalk.nerf.Checkpoint;
import dev.synctalk.nerf.CpuHeadTraining;
import dev.synctalk.nerf.HeadRendering;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.HeadTraining;
import dev.synctalk.nerf.HeadTrainingData;
import dev.synctalk.nerf.HeadTrainingPlan;
import dev.synctalk.nerf.OccupancyGrid;
import dev.synctalk.nerf.StepLayout;
import dev.synctalk.nerf.TrainStepResult;
import dev.synctalk.nerf.TrainingDivergedException;
import dev.synctalk.nerf.TrainingPhase;
import dev.synctalk.nerf.TrainingSampler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiConsumer;

/**
 * {@link HeadTrainer}'s model trained on the device, step by step as {@link CpuHeadTraining} trains it on the
 * CPU: the same parameters (the host trainer's, uploaded), the same data ({@link HeadTrainingData}, uploaded
 * once), the same pixels ({@link TrainingSampler}'s streams, drawn by headtrain.cu's sample_rays), the same
 * marcher, losses, grid schedule, AdamW groups and lr schedule, and the same checkpoint (the state is brought
 * back into the host trainer and written by {@link Checkpoint}). Per step:
 * <ol>
 *   <li>audio code: the window gathered from the uploaded features, audio net and attention (smallnn.cu);</li>
 *   <li>every gridUpdateInterval steps the occupancy grid update (density of jittered cell points through the
 *       fused network, dilate, decay-max, mean, threshold);</li>
 *   <li>rays of the step's frame (sample_rays), the training march (count, scan, write; the live-sample total
 *       is the one value read back mid-step: it sizes the network launches);</li>
 *   <li>tri-plane encoding, SH, the fused fp16 head forward (sigma, rgb, ambient), volume rendering of colour
 *       over the background and of the ambient values, the per-ray losses, LPIPS on the step's patches
 *       (cuDNN) when weighted;</li>
 *   <li>backward: render backward, the fused backward (loss scale chosen on the device from the largest output
 *       gradient), weight gradients (per-block partials summed in block order), the tri-plane gradient in fixed
 *       point (integer atomics), the conditioning gradients into the individual code and the audio nets;</li>
 *   <li>AdamW per group; the non-finite count of every parameter and the step's loss sums are read back.</li>
 * </ol>
 * Determinism: every reduction has a fixed order or is exact (integer atomics, max), so a step computes the same
 * bits each time and a resumed run continues bit for bit, except in steps with LPIPS when cuDNN picks a
 * non-deterministic backward-data algorithm. The MLPs run in fp16 with fp32 accumulation: results track the CPU
 * reference within the bounds GpuSelfTest states, not bit for bit.
 */
public final class CudaHeadTrainer implements HeadTraining {
    /** The largest output gradient is scaled to about this before fp16 rounding (leaves ~256x of headroom). */
    private static final float LOSS_SCALE_TARGET = 256f;
    /** Grid cells per density query of the occupancy update. */
    private static final int CELL_CHUNK = 1 << 18;
    /** CpuBackend.sum's chunk, so the mean density is summed in the CPU's order. */
    private static final int SUM_CHUNK = 16384;

    private final CudaDevice device;
    private final HeadTrainer host;
    private final HeadTrainingPlan plan;
    private final DeviceHeadNetwork net;
    private final DeviceTrainingData data;
    private final LpipsAlex lpips;
    private final Map<Integer, CudnnLpipsAlex> lpipsBySide = new HashMap<>();
    private final TrainingSampler sampler;
    private final RayMarcher marcher;
    private final UncertaintyWeightedLoss uncertaintyLoss = UncertaintyWeightedLoss.syncTalk();
    private final AmbientLoss ambientLoss = AmbientLoss.syncTalk();
    private final WeightsEntropyLoss entropyLoss = WeightsEntropyLoss.syncTalk();
    private final int maxRays;
    private final long maxSamples;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private long step;
    private long gridUpdates;
    private int lastRays;
    private long lastSamples;
    private boolean pending;
    private CudaHeadRenderer renderer;

    // per ray
    private final DeviceBuffer pixels, origins, dirs, target, background, face, lower, counts, rayRanges, image, depth,
            weightsSum, ambientImage, ambientDepth, ambientWeightsSum, perRay, gradImage, gradAmbientImage,
            gradWeightsSum;
    // per sample
    private final DeviceBuffer points, sampleDirs, dt, t, enc, sh, sigma, rgb, ambient, extras, planes, gradPlanes,
            gradEnc, gSigma, gRgb, gSigmaAmbient, gAmbient, condPartial;
    // scalars and reductions
    private final DeviceBuffer total, stats, sums, maxBits, lossScale, nonFinite, condGrad, weightPartials, gridFixed,
            expressions;
    // occupancy update
    private final DeviceBuffer cellPoints, cellEnc, fresh, dilated, gridPartial;
    // LPIPS
    private final DeviceBuffer lpipsX0, lpipsX1, lpipsGrad, lpipsGradDistance, lpipsDistance;
    private RayScan rayScan;

    /**
     * @param host     the trainer whose model, optimiser groups, grid, schedule and seed this one trains (its state
     *                 is uploaded now; it is the checkpoint container)
     * @param lpips    the LPIPS backbone for the fine and lips phases, or null (MSE only)
     * @param progress called during the data upload with (frames done, frame count); may be null
     */
    public CudaHeadTrainer(CudaDevice device, HeadTrainer host, HeadTrainingData trainingData, HeadTrainingPlan plan,
                           LpipsAlex lpips, BiConsumer<Integer, Integer> progress) {
        CpuHeadTraining.requireCompatible(host, trainingData, plan, lpips);
        if (host.conditioner().window() != trainingData.window()) {
            throw new IllegalArgumentException("the data's audio window is " + trainingData.window()
                    + " frames, the attention net's " + host.conditioner().window());
        }
        this.device = device;
        this.host = host;
        this.plan = plan;
        this.lpips = lpips;
        this.sampler = host.sampler();
        this.marcher = host.config().marcher();
        int lipsRays = 0;
        for (HeadTrainingData.Frame f : trainingData.frames()) {
            if (f.lipsRectangle() != null) {
                lipsRays = Math.max(lipsRays, f.lipsRectangle()[2] * f.lipsRectangle()[2]);
            }
        }
        this.maxRays = Math.max(plan.raysPerStep(), plan.lipsIters() > 0 ? lipsRays : 0);
        this.maxSamples = (long) maxRays * marcher.maxSteps();
        this.net = new DeviceHeadNetwork(device, host);
        this.step = host.step();
        this.gridUpdates = host.grid().updates();
        try {
            this.data = new DeviceTrainingData(device, trainingData, workingBytes(), progress);
            pixels = ints(maxRays);
            origins = floats(3L * maxRays);
            dirs = floats(3L * maxRays);
            target = floats(3L * maxRays);
            background = floats(3L * maxRays);
            face = floats(maxRays);
            lower = floats(maxRays);
            counts = ints(maxRays);
            rayRanges = ints(2L * maxRays);
            image = floats(3L * maxRays);
            depth = floats(maxRays);
            weightsSum = floats(maxRays);
            ambientImage = floats(3L * maxRays);
            ambientDepth = floats(maxRays);
            ambientWeightsSum = floats(maxRays);
            perRay = floats(4L * maxRays);
            gradImage = floats(3L * maxRays);
            gradAmbientImage = floats(3L * maxRays);
            gradWeightsSum = floats(maxRays);
            points = floats(3 * maxSamples);
            sampleDirs = floats(3 * maxSamples);
            dt = floats(maxSamples);
            t = floats(maxSamples);
            enc = floats(36 * maxSamples);
            sh = floats(16 * maxSamples);
            sigma = floats(maxSamples);
            rgb = floats(3 * maxSamples);
            ambient = floats(3 * maxSamples);
            extras = floats((long) FusedHeadLayout.EXTRA_STRIDE * maxSamples);
            planes = own(device.allocate(2L * FusedHeadLayout.ACTIVATION_WIDTH * maxSamples));
            gradPlanes = own(device.allocate(2L * FusedHeadLayout.GRADIENT_WIDTH * maxSamples));
            gradEnc = floats(36 * maxSamples);
            gSigma = floats(maxSamples);
            gRgb = floats(3 * maxSamples);
            gSigmaAmbient = floats(maxSamples);
            gAmbient = floats(3 * maxSamples);
            condPartial = floats((long) FusedHeadLayout.COND * ((maxSamples + 15) / 16 + 1));
            total = ints(1);
            rayScan = new RayScan(device, maxRays);
            stats = floats(4);
            sums = floats(10);
            maxBits = ints(1);
            lossScale = floats(2);
            nonFinite = ints(1);
            condGrad = floats(FusedHeadLayout.COND);
            weightPartials = floats((long) FusedHeadKernels.WEIGHT_GRAD_BLOCKS * net.nets.size);
            gridFixed = own(device.allocate(8L * net.grid.size));
            float[] expr = new float[7 * trainingData.frameCount()];
            for (int f = 0; f < trainingData.frameCount(); f++) {
                System.arraycopy(trainingData.frames().get(f).expression(), 0, expr, 7 * f, 7);
            }
            expressions = own(device.upload(expr));
            int cells = host.grid().cellCount();
            cellPoints = floats(3L * Math.min(CELL_CHUNK, cells));
            cellEnc = floats(36L * Math.min(CELL_CHUNK, cells));
            fresh = floats(cells);
            dilated = floats(cells);
            gridPartial = floats(2L * ((cells + SUM_CHUNK - 1) / SUM_CHUNK));
            long lpipsFloats = lpips == null ? 1 : 3L * maxRays;
            int maxPatches = Math.max(1, maxRays / (LpipsAlex.MIN_SIDE * LpipsAlex.MIN_SIDE));
            lpipsX0 = floats(lpipsFloats);
            lpipsX1 = floats(lpipsFloats);
            lpipsGrad = floats(lpipsFloats);
            lpipsGradDistance = floats(maxPatches);
            lpipsDistance = floats(maxPatches);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Device memory of the step's buffers (checked with the data before the upload). */
    private long workingBytes() {
        long perSample = 4L * (3 + 3 + 1 + 1 + 36 + 16 + 1 + 3 + 3 + FusedHeadLayout.EXTRA_STRIDE + 36 + 1 + 3 + 1 + 3)
                + 2L * (FusedHeadLayout.ACTIVATION_WIDTH + FusedHeadLayout.GRADIENT_WIDTH) + 4L * FusedHeadLayout.COND / 16;
        long perRayBytes = 4L * 40;
        long cells = host.grid().cellCount();
        return perSample * maxSamples + perRayBytes * maxRays + 4L * 4 * cells + 4L * 40 * CELL_CHUNK
                + (lpips == null ? 0 : 4L * 9 * maxRays) + 4L * FusedHeadKernels.WEIGHT_GRAD_BLOCKS * 40_000
                + (64L << 20);
    }

    private DeviceBuffer own(DeviceBuffer b) {
        owned.add(b);
        return b;
    }

    private DeviceBuffer floats(long n) {
        return own(device.allocateFloats(Math.max(1, n)));
    }

    private DeviceBuffer ints(long n) {
        return own(device.allocate(4L * Math.max(1, n)));
    }

    private LaunchShape perItem(long n) {
        return KernelCatalog.elementwise(device, n);
    }

    private static final LaunchShape ONE_BLOCK = new LaunchShape(1, 1, 1, 1024, 1, 1, 0);

    public CudaDevice device() {
        return device;
    }

    /** The host trainer this one trains (its tensors hold the state after {@link #syncToHost()}). */
    public HeadTrainer host() {
        return host;
    }

    @Override
    public HeadTrainingPlan plan() {
        return plan;
    }

    @Override
    public long step() {
        return step;
    }

    @Override
    public String description() {
        return "fused fp16 head on " + device;
    }

    // ---- one step ----------------------------------------------------------------------------------------------

    @Override
    public TrainStepResult trainStep() {
        long s = step;
        TrainStepResult result = computeGradients();
        applyUpdate(plan.learningRateFactor(s));
        device.zero(nonFinite);
        net.groups.countNonFinite(nonFinite);
        long bad = (long) device.download(nonFinite, 1)[0];
        TrainingDivergedException.check(s, plan.phase(s), result.loss(), bad);
        return result;
    }

    /** Drops the gradients of {@link #computeGradients} without an update (parity checks). */
    public void discardGradients() {
        net.groups.zeroGradients();
        pending = false;
    }

    /** AdamW of every group at base lr x {@code learningRateFactor} from the gradients of {@link #computeGradients}. */
    public void applyUpdate(double learningRateFactor) {
        if (!pending) {
            throw new IllegalStateException("no step's gradients to apply at step " + step);
        }
        net.groups.adamWStep(learningRateFactor);
        net.parametersChanged();
        step++;
        pending = false;
    }

    /**
     * Step {@link #step()}'s forward, losses and backward, the gradients left in the device groups (see
     * {@link #gradientsToHost()}); the update follows with {@link #applyUpdate}.
     *
     * @throws TrainingDivergedException when the loss is not finite (no update is applied)
     */
    public TrainStepResult computeGradients() {
        if (pending) {
            throw new IllegalStateException("step " + step + " has gradients that were not applied");
        }
        long s = step;
        TrainingPhase phase = plan.phase(s);
        HeadTrainingData hd = data.data();
        int frame = sampler.frameOfStep(s, hd.frameCount());
        HeadTrainingData.Frame f = hd.frames().get(frame);
        StepLayout layout = CpuHeadTraining.layout(plan, hd, s, frame);
        int r = layout.rays();
        float stepFactor = UncertaintyWeightedLoss.stepFactor(s, host.config().iterations());

        net.pack();
        net.groups.zeroGradients();
        net.audio.gatherWindow(data.audioFeatures, hd.audioFeatures().length, f.audioId());
        net.audio.forward();
        long expressionOffset = 7L * frame;
        if (s % host.config().gridUpdateInterval() == 0) {
            updateGrid(s, expressionOffset);
        }

        CameraRays camera = hd.camera();
        int mode = switch (layout.kind()) {
            case RAYS -> 0;
            case PATCHES -> 1;
            case LIPS -> 2;
        };
        device.kernel(KernelCatalog.SAMPLE_RAYS).launch(perItem(r), KernelArgs.create().i32(r).i32(mode)
                .i64(sampler.key(TrainingSampler.PIXEL_STREAM, s)).i32(camera.width()).i32(camera.height())
                .i32(layout.side()).i32(layout.x0()).i32(layout.y0()).f32(camera.fx()).f32(camera.fy()).f32(camera.cx())
                .f32(camera.cy()).buffer(data.poses, 16L * frame)
                .bufferAtByte(data.rgbmChunk(frame), data.rgbmByteOffset(frame))
                .bufferAtByte(data.backgroundChunk(frame), data.backgroundByteOffset(frame))
                .buffer(pixels).buffer(origins).buffer(dirs).buffer(target).buffer(background).buffer(face).buffer(lower));
        long m = march(r, sampler.marchNoiseSeed(s), true);
        lastRays = r;
        lastSamples = m;

        long codeOffset = net.codeOffset(f.codeIndex());
        DeviceBuffer code = codeOffset < 0 ? null : net.codes.params;
        if (m > 0) {
            net.encode(m, points, enc);
            CudaNn.shForward(device, m, DeviceView.of(sampleDirs), DeviceView.of(sh), 16);
            FusedHeadKernels.forward(device, m, enc, sh, net.packed, net.audio.code(), expressions, expressionOffset,
                    code, Math.max(0, codeOffset), sigma, 0, rgb, ambient, extras, planes);
        }
        CudaNn.DeviceRays colourRays = new CudaNn.DeviceRays(r, rayRanges, DeviceView.of(sigma), DeviceView.of(rgb),
                DeviceView.of(dt), DeviceView.of(t));
        CudaNn.DeviceRays ambientRays = new CudaNn.DeviceRays(r, rayRanges, DeviceView.of(sigma), DeviceView.of(ambient),
                DeviceView.of(dt), DeviceView.of(t));
        float threshold = VolumeRenderer.TRAINING_THRESHOLD;
        CudaNn.volumeRenderForward(device, colourRays, threshold, DeviceView.of(background), DeviceView.of(image),
                DeviceView.of(depth), DeviceView.of(weightsSum));
        CudaNn.volumeRenderForward(device, ambientRays, threshold, DeviceView.absent(), DeviceView.of(ambientImage),
                DeviceView.of(ambientDepth), DeviceView.of(ambientWeightsSum));

        device.kernel(KernelCatalog.UNCERTAINTY_SOFTMAX_STATS).launch(ONE_BLOCK,
                KernelArgs.create().i32(r).buffer(ambientImage).buffer(stats));
        device.kernel(KernelCatalog.HEAD_RAY_LOSSES).launch(perItem(r), KernelArgs.create().i32(r).buffer(image)
                .buffer(target).buffer(ambientImage).buffer(weightsSum).buffer(face).buffer(lower).buffer(stats)
                .f32(stepFactor).f32(uncertaintyLoss.floorWeight()).f32(uncertaintyLoss.clampMax())
                .f32(uncertaintyLoss.faceWeight()).f32(uncertaintyLoss.staticWeight()).f32(ambientLoss.weight())
                .f32(entropyLoss.weight()).f32(entropyLoss.eps()).buffer(perRay).buffer(gradImage)
                .buffer(gradAmbientImage).buffer(gradWeightsSum));
        device.kernel(KernelCatalog.COLUMN_SUMS).launch(ONE_BLOCK,
                KernelArgs.create().i32(r).i32(4).buffer(perRay).buffer(sums));
        double lpipsWeight = plan.lpipsWeight(s);
        boolean withLpips = lpips != null && lpipsWeight > 0 && layout.isPatches();
        if (withLpips) {
            lpipsForwardBackward(layout, lpipsWeight);
        }

        CudaNn.volumeRenderBackward(device, colourRays, threshold, DeviceView.of(background), DeviceView.of(gradImage),
                DeviceView.absent(), DeviceView.of(gradWeightsSum), DeviceView.of(gSigma), DeviceView.of(gRgb));
        CudaNn.volumeRenderBackward(device, ambientRays, threshold, DeviceView.absent(), DeviceView.of(gradAmbientImage),
                DeviceView.absent(), DeviceView.absent(), DeviceView.of(gSigmaAmbient), DeviceView.of(gAmbient));
        if (m > 0) {
            device.kernel(KernelCatalog.ADD_INTO).launch(perItem(m),
                    KernelArgs.create().i64(m).buffer(gSigmaAmbient).buffer(gSigma));
            device.zero(maxBits);
            device.kernel(KernelCatalog.HEAD_GRAD_ABS_MAX).launch(perItem(m), KernelArgs.create().i64(m).buffer(gSigma)
                    .buffer(gRgb).buffer(gAmbient).buffer(extras).i32(FusedHeadLayout.EXTRA_STRIDE).buffer(maxBits));
            device.kernel(KernelCatalog.HEAD_LOSS_SCALE).launch(new LaunchShape(1, 1, 1, 1, 1, 1, 0),
                    KernelArgs.create().buffer(maxBits).f32(LOSS_SCALE_TARGET).buffer(lossScale));
            FusedHeadKernels.backward(device, m, net.packed, net.audio.code(), expressions, expressionOffset, planes,
                    extras, gSigma, gRgb, gAmbient, lossScale, gradEnc, gradPlanes, condPartial);
            FusedHeadKernels.weightGrad(device, m, net.gradTable, DeviceHeadNetwork.NETWORK_LAYERS, planes, gradPlanes,
                    lossScale, weightPartials, net.nets.size, net.nets.grads);
            device.zero(gridFixed);
            CudaNn.hashGridBackwardEmbeddingsFixed(device, net.gridLaunch, m, DeviceView.of(points), 3,
                    DeviceView.of(gradEnc), 36, gridFixed, lossScale);
            device.kernel(KernelCatalog.FIXED_TO_FLOAT).launch(perItem(net.grid.size),
                    KernelArgs.create().i64(net.grid.size).buffer(gridFixed).buffer(lossScale).buffer(net.grid.grads));
            long tiles = (m + 15) / 16;
            device.kernel(KernelCatalog.REDUCE_TILES).launch(new LaunchShape(FusedHeadLayout.COND, 1, 1, 256, 1, 1, 0),
                    KernelArgs.create().i64(tiles).i32(FusedHeadLayout.COND).buffer(condPartial).buffer(condGrad).i32(0));
        } else {
            device.fill(condGrad, 0f);
        }
        if (codeOffset >= 0) {
            device.kernel(KernelCatalog.SMALL_ADD).launch(perItem(net.codeDim), KernelArgs.create().i64(net.codeDim)
                    .buffer(condGrad, 32).buffer(net.codes.grads, codeOffset));
        }
        net.audio.backward(condGrad, 0);
        pending = true;

        double[] sum = device.downloadDoubles(sums, 5);
        double meanMse = sum[0] / r;
        double meanColour = sum[1] / r;
        double meanAmbient = sum[2] / r;
        double meanEntropy = sum[3] / r;
        double imageLoss = withLpips ? lpipsWeight * sum[4] / layout.patchCount() : 0;
        double loss = meanColour + meanAmbient + meanEntropy + imageLoss;
        if (!Double.isFinite(loss)) {
            pending = false;
            net.groups.zeroGradients();
            TrainingDivergedException.check(s, phase, loss, 0);
        }
        return new TrainStepResult(s + 1, loss, meanMse, meanColour, meanAmbient, meanEntropy, imageLoss,
                -10 * Math.log10(Math.max(meanMse, 1e-10)), (int) m);
    }

    /** Counts, scans and writes the live samples of the first {@code r} rays; returns their total (one read back). */
    private long march(int r, long noiseSeed, boolean perturb) {
        KernelArgs head = KernelArgs.create().i32(r).buffer(origins).buffer(dirs).buffer(net.occupancy)
                .f32(marcher.bound()).f32(marcher.minNear()).f32(marcher.dtGamma()).f32(marcher.dtMin())
                .f32(marcher.dtMax()).i32(marcher.maxSteps()).i32(marcher.gridResolution()).i32(perturb ? 1 : 0)
                .i64(noiseSeed);
        device.kernel(KernelCatalog.MARCH_TRAIN_COUNT).launch(perItem(r), head.buffer(counts));
        rayScan.scan(r, counts, rayRanges, total);
        long m = device.downloadInts(total, 1)[0];
        if (m > 0) {
            device.kernel(KernelCatalog.MARCH_TRAIN_WRITE).launch(perItem(r), KernelArgs.create().i32(r).buffer(origins)
                    .buffer(dirs).buffer(net.occupancy).f32(marcher.bound()).f32(marcher.minNear())
                    .f32(marcher.dtGamma()).f32(marcher.dtMin()).f32(marcher.dtMax()).i32(marcher.maxSteps())
                    .i32(marcher.gridResolution()).i32(perturb ? 1 : 0).i64(noiseSeed).buffer(rayRanges).buffer(points)
                    .buffer(sampleDirs).buffer(dt).buffer(t));
        }
        return m;
    }

    /** LPIPS of the step's patches: distances into sums[4], lambda/K x the gradient added into gradImage. */
    private void lpipsForwardBackward(StepLayout layout, double weight) {
        int side = layout.side();
        int k = layout.patchCount();
        CudnnLpipsAlex alex = lpipsBySide.computeIfAbsent(side, p -> new CudnnLpipsAlex(device, lpips,
                Math.max(1, maxRays / (p * p)), p, p));
        long floats = 3L * k * side * side;
        device.kernel(KernelCatalog.PATCHES_TO_PLANES).launch(perItem(floats),
                KernelArgs.create().i32(k).i32(side).buffer(image).buffer(lpipsX0));
        device.kernel(KernelCatalog.PATCHES_TO_PLANES).launch(perItem(floats),
                KernelArgs.create().i32(k).i32(side).buffer(target).buffer(lpipsX1));
        device.fill(lpipsGradDistance, (float) (weight / k));
        alex.distanceAndGradient(lpipsX0, lpipsX1, lpipsGradDistance, lpipsDistance, lpipsGrad, k);
        device.kernel(KernelCatalog.PLANES_GRAD_ADD).launch(perItem((long) k * side * side),
                KernelArgs.create().i32(k).i32(side).buffer(lpipsGrad).buffer(gradImage));
        device.kernel(KernelCatalog.COLUMN_SUMS).launch(ONE_BLOCK,
                KernelArgs.create().i32(k).i32(1).buffer(lpipsDistance).buffer(sums, 8));
    }

    /** OccupancyGrid.update on the device, with this step's audio code and the frame's expression. */
    private void updateGrid(long s, long expressionOffset) {
        OccupancyGrid grid = host.grid();
        int g = grid.resolution();
        int cells = grid.cellCount();
        long key = sampler.gridKey(s);
        for (int start = 0; start < cells; start += CELL_CHUNK) {
            int count = Math.min(CELL_CHUNK, cells - start);
            device.kernel(KernelCatalog.GRID_CELL_POINTS).launch(perItem(count), KernelArgs.create().i32(g)
                    .f32(grid.bound()).i64(key).i32(start).i32(count).buffer(cellPoints));
            net.encode(count, cellPoints, cellEnc);
            FusedHeadKernels.forward(device, count, cellEnc, null, net.packed, net.audio.code(), expressions,
                    expressionOffset, null, 0, fresh, start, null, null, null, null);
        }
        device.kernel(KernelCatalog.GRID_DILATE).launch(perItem(cells),
                KernelArgs.create().i32(g).buffer(fresh).buffer(dilated));
        device.kernel(KernelCatalog.GRID_DECAY_MAX).launch(perItem(cells),
                KernelArgs.create().i32(cells).buffer(net.density).buffer(dilated).f32(grid.decay()));
        device.kernel(KernelCatalog.GRID_MEAN).launch(ONE_BLOCK, KernelArgs.create().i32(cells).i32(SUM_CHUNK)
                .buffer(net.density).buffer(gridPartial).buffer(net.meanDensity));
        device.kernel(KernelCatalog.GRID_THRESHOLD).launch(perItem(cells), KernelArgs.create().i32(cells)
                .buffer(net.density).buffer(net.meanDensity).f32(grid.densityThreshold()).buffer(net.occupancy));
        gridUpdates++;
    }

    /** The last step's rays, marched samples and audio code, for the twin checks (synchronises). */
    record StepTrace(int[] pixels, float[] origins, float[] dirs, float[] target, float[] background, float[] face,
                     float[] lower, int[] rayRanges, float[] points, float[] dt, float[] t, float[] code) {
    }

    StepTrace lastStepTrace() {
        int r = lastRays;
        int m = (int) lastSamples;
        return new StepTrace(device.downloadInts(pixels, r), device.download(origins, 3 * r),
                device.download(dirs, 3 * r), device.download(target, 3 * r), device.download(background, 3 * r),
                device.download(face, r), device.download(lower, r), device.downloadInts(rayRanges, 2 * r),
                device.download(points, 3 * m), device.download(dt, m), device.download(t, m),
                device.download(net.audio.code(), 32));
    }

    /** Fraction of occupied grid cells (synchronises). */
    public double occupiedFraction() {
        float[] occupancy = device.download(net.occupancy, host.grid().cellCount());
        long occupied = 0;
        for (float o : occupancy) {
            occupied += o != 0f ? 1 : 0;
        }
        return occupied / (double) occupancy.length;
    }

    /** The density grid on the device (synchronises). */
    float[] densityGrid() {
        return device.download(net.density, host.grid().cellCount());
    }

    // ---- state ------------------------------------------------------------------------------------------------

    /** Brings parameters, AdamW state, grid and step count back into the host trainer (synchronises). */
    public void syncToHost() {
        net.downloadToHost(gridUpdates);
        host.restoreProgress(step, host.randomState());
    }

    /** Replaces the device state by the host trainer's (e.g. another trainer's state copied into it). */
    public void syncFromHost() {
        if (pending) {
            throw new IllegalStateException("step " + step + " has gradients that were not applied");
        }
        net.uploadFromHost();
        step = host.step();
        gridUpdates = host.grid().updates();
    }

    /** The last {@link #computeGradients()}'s gradients into the host groups' gradient tensors. */
    public void gradientsToHost() {
        net.groups.downloadGradients(host.optimizer());
    }

    @Override
    public void writeCheckpoint(Path file) throws IOException {
        syncToHost();
        Checkpoint.write(host, file);
    }

    @Override
    public void restoreCheckpoint(Path file) throws IOException {
        Checkpoint.restore(host, file);
        syncFromHost();
    }

    @Override
    public HeadRendering renderer() {
        if (renderer == null) {
            renderer = new CudaHeadRenderer(net, false);
        }
        return renderer;
    }

    @Override
    public OptionalLong deviceMemoryUsedBytes() {
        return OptionalLong.of(device.totalMemoryBytes() - device.freeMemoryBytes());
    }

    @Override
    public OptionalLong deviceMemoryTotalBytes() {
        return OptionalLong.of(device.totalMemoryBytes());
    }

    @Override
    public void close() {
        if (renderer != null) {
            renderer.close();
            renderer = null;
        }
        if (rayScan != null) {
            rayScan.close();
            rayScan = null;
        }
        lpipsBySide.values().forEach(CudnnLpipsAlex::close);
        lpipsBySide.clear();
        owned.forEach(DeviceBuffer::close);
        owned.clear();
        if (data != null) {
            data.close();
        }
        net.close();
    }
}
