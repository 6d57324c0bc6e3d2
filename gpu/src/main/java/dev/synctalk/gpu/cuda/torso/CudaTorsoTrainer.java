package dev.synctalk.gpu.cuda.torso;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.cuda.optim.AdamWScalars;
import dev.synctalk.gpu.cuda.optim.CudaAdamW;
import dev.synctalk.gpu.loss.WeightsEntropyLoss;
import dev.synctalk.gpu.optim.AdamW;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.optim.AdamWState;
import dev.synctalk.gpu.optim.LearningRateSchedule;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.TorsoDivergedException;
import dev.synctalk.nerf.TorsoModel;
import dev.synctalk.nerf.TorsoModelConfig;
import dev.synctalk.nerf.TorsoPixelSampler;
import dev.synctalk.nerf.TorsoStepResult;
import dev.synctalk.nerf.TorsoTrainerConfig;
import dev.synctalk.nerf.TorsoTraining;
import dev.synctalk.nerf.TorsoTrainingData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * The torso trainer on one GPU: {@link dev.synctalk.nerf.TorsoTrainer}'s step (same model, losses, AdamW groups,
 * schedule and sampler) with everything device-resident. The dataset's torso images (packed RGBA), the
 * background and the poses are uploaded once; per step the pixels are drawn on the device
 * (torso_sample_pixels, the twin of {@link TorsoPixelSampler}), the model runs forward and backward
 * ({@link CudaTorsoNetwork}), the losses and their gradient come from torso_loss, AdamW updates each group, and
 * the only transfer is one download of eight floats: the loss sums and a count of non-finite parameters per
 * group, which the metrics and the divergence check need.
 *
 * <p>Checkpoints have the CPU trainer's format: {@link #hostOptimizer()} downloads the parameters and moments
 * into a host {@link TorsoModel} and optimiser, {@link #restoreProgress} uploads them.
 *
 * <p>Not bit-identical to the CPU: dense.cu fuses multiply-adds, the grid and weight gradients are summed by
 * atomics in arrival order, exp/log are the device's. Every kernel agrees with its CPU twin to fp32 rounding
 * ({@link TorsoParityCheck}); a run on the GPU is reproducible up to that ordering.
 */
public final class CudaTorsoTrainer implements TorsoTraining {
    private static final int STATS = 8;
    private static final int STAT_MSE = 0;
    private static final int STAT_ENTROPY = 1;
    private static final int STAT_ANCHOR = 2;
    private static final int STAT_NON_FINITE = 3;

    private final CudaDevice device;
    private final TorsoTrainerConfig config;
    private final TorsoModel hostModel;
    private final CpuBackend hostBackend;
    private final AdamW hostOptimizer;
    private final TorsoTrainingData data;
    private final LearningRateSchedule schedule;
    private final float entropyEps = WeightsEntropyLoss.syncTalk().eps();
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final CudaTorsoNetwork network;
    private final CudaTorsoNetwork.Workspace workspace;
    private final DeviceBuffer frames;
    private final DeviceBuffer background;
    private final DeviceBuffer poses;
    private final DeviceBuffer pixels;
    private final DeviceBuffer target;
    private final DeviceBuffer sampleBackground;
    private final DeviceBuffer parts;
    private final DeviceBuffer stats;
    private final DeviceBuffer lossScratch;
    private final long[] groupSteps;
    private CudaTorsoRenderer previewRenderer;
    private TorsoPixelSampler sampler;
    private long step;
    private String failure;

    /**
     * Uploads {@code data} (calling {@code onFrameUploaded} with the count after each frame) and {@code model}'s
     * parameters; the model stays the host copy checkpoints go through.
     *
     * @throws IllegalStateException when the data and the step's workspace do not fit the device's free memory
     */
    public CudaTorsoTrainer(CudaDevice device, TorsoTrainerConfig config, TorsoModel model, TorsoTrainingData data,
                            IntConsumer onFrameUploaded) {
        this.device = device;
        this.config = config;
        this.hostModel = model;
        this.data = data;
        data.requireCodes(model.config());
        this.hostBackend = new CpuBackend(1);
        this.hostOptimizer = new AdamW(hostBackend, model.paramGroups());
        this.schedule = LearningRateSchedule.exponentialDecay(0.5, config.iterations());
        this.sampler = TorsoPixelSampler.seeded(config.seed());
        this.groupSteps = new long[model.paramGroups().size()];
        long p = data.pixelCount();
        int r = config.pixelsPerStep();
        requireFits(device, data, model.config(), r);
        CudaTorsoNetwork net = null;
        try {
            this.frames = own(device.allocate((long) data.frameCount() * p * Integer.BYTES));
            for (int f = 0; f < data.frameCount(); f++) {
                device.copyToDevice(data.packedRgba(f), frames, f * p);
                if (onFrameUploaded != null) {
                    onFrameUploaded.accept(f + 1);
                }
            }
            this.background = own(device.upload(data.background()));
            float[] allPoses = new float[16 * data.frameCount()];
            for (int f = 0; f < data.frameCount(); f++) {
                System.arraycopy(data.frame(f).pose(), 0, allPoses, 16 * f, 16);
            }
            this.poses = own(device.upload(allPoses));
            this.pixels = own(device.allocate((long) r * Integer.BYTES));
            this.target = own(device.allocateFloats(3L * r));
            this.sampleBackground = own(device.allocateFloats(3L * r));
            this.parts = own(device.allocateFloats(2L * r));
            this.stats = own(device.allocateFloats(STATS));
            this.lossScratch = own(device.allocateFloats(TorsoKernels.columnSumScratchFloats(2)));
            net = new CudaTorsoNetwork(device, model, true);
            this.network = net;
            this.workspace = net.workspace(r, true);
        } catch (IOException e) {
            closeQuietly(net);
            throw new UncheckedIOException("torso training data could not be uploaded: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(net);
            throw e;
        }
    }

    private void closeQuietly(CudaTorsoNetwork net) {
        if (net != null) {
            net.close();
        }
        owned.forEach(DeviceBuffer::close);
        owned.clear();
        hostBackend.close();
    }

    /** Device bytes the training data and one step's buffers take, about. */
    public static long requiredBytes(TorsoTrainingData data, TorsoModelConfig model, int pixelsPerStep) {
        long imageBytes = (long) data.frameCount() * data.pixelCount() * Integer.BYTES
                + 3L * data.pixelCount() * Float.BYTES + 64L * data.frameCount();
        int width = model.grid().outputDim() + model.deformInputDim();
        long perPixel = 2L * width + 4L * model.deformHidden() + 4L * model.colorHidden() + 32;
        long parameters = 4L * ((long) model.grid().parameterRows() * model.grid().featuresPerLevel() + 65_536);
        return imageBytes + perPixel * pixelsPerStep * Float.BYTES + parameters * Float.BYTES;
    }

    private static void requireFits(CudaDevice device, TorsoTrainingData data, TorsoModelConfig model, int r) {
        long needed = requiredBytes(data, model, r);
        long free = device.freeMemoryBytes();
        if (needed > free) {
            throw new IllegalStateException(String.format(Locale.ROOT, "torso training does not fit %s: %d frames of"
                            + " %dx%d (%.2f GiB as packed RGBA) and %d pixels per step need %.2f GiB, %.2f GiB are free;"
                            + " use fewer training frames, a smaller image size or fewer pixels-per-step",
                    device, data.frameCount(), data.width(), data.height(),
                    (double) data.frameCount() * data.pixelCount() * Integer.BYTES / (1L << 30), r,
                    (double) needed / (1L << 30), (double) free / (1L << 30)));
        }
    }

    private DeviceBuffer own(DeviceBuffer b) {
        owned.add(b);
        return b;
    }

    public CudaDevice device() {
        return device;
    }

    public CudaTorsoNetwork network() {
        return network;
    }

    public TorsoTrainerConfig config() {
        return config;
    }

    @Override
    public String description() {
        return "CUDA " + device + ", data and model on the device";
    }

    @Override
    public TorsoTrainingData data() {
        return data;
    }

    @Override
    public long step() {
        return step;
    }

    @Override
    public long[] randomState() {
        return new long[] {sampler.key(), 0L};
    }

    @Override
    public int frameOfStep(long s) {
        return sampler.frame(s, data.frameCount());
    }

    /** The pixels the device drew in the last step or {@link #computeGradients} (synchronises). */
    public int[] lastPixels() {
        float[] raw = device.download(pixels, config.pixelsPerStep());
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = Float.floatToRawIntBits(raw[i]);
        }
        return out;
    }

    private void requireUsable() {
        if (failure != null) {
            throw new IllegalStateException("the CUDA torso trainer stopped after a failed step: " + failure);
        }
    }

    /** Forward, loss and backward of step {@link #step()} into zeroed gradients (enqueued). */
    private int enqueueGradients() {
        long s = step;
        int frame = frameOfStep(s);
        TorsoTrainingData.Frame f = data.frame(frame);
        int r = config.pixelsPerStep();
        network.zeroGradients();
        device.fill(stats, 0f);
        TorsoKernels.samplePixels(device, r, sampler.keyLow(), sampler.keyHigh(), s, data.width(), data.height(),
                network.config().shrink(), DeviceView.of(frames).plus((long) frame * data.pixelCount()),
                DeviceView.of(background), DeviceView.of(pixels), DeviceView.of(workspace.shrunkCoordinates()),
                DeviceView.of(target), DeviceView.of(sampleBackground));
        DeviceView pose = DeviceView.of(poses).plus(16L * frame);
        network.forward(workspace, r, pose, f.codeIndex());
        TorsoKernels.loss(device, r, DeviceView.of(workspace.raw()), DeviceView.of(sampleBackground),
                DeviceView.of(target), 1f / r, config.alphaEntropyWeight(), entropyEps, DeviceView.of(parts),
                DeviceView.of(workspace.gradRaw()));
        network.backward(workspace, r, pose, f.codeIndex());
        CudaTorsoNetwork.Group anchors = network.group(CudaTorsoNetwork.ANCHORS);
        TorsoKernels.anchorRegulariser(device, TorsoModelConfig.ANCHOR_COUNT, DeviceView.of(anchors.params()),
                config.anchorWeight(), DeviceView.of(anchors.grads()), DeviceView.of(stats).plus(STAT_ANCHOR));
        TorsoKernels.columnSums(device, r, DeviceView.of(parts), 2, 2, lossScratch, DeviceView.of(stats).plus(STAT_MSE),
                false);
        return frame;
    }

    private TorsoStepResult result(float[] s) {
        int r = config.pixelsPerStep();
        double mse = (double) s[STAT_MSE] / r;
        double entropy = (double) s[STAT_ENTROPY] / r;
        double anchor = s[STAT_ANCHOR];
        return new TorsoStepResult(step + 1, mse + anchor + entropy, mse, anchor, entropy,
                -10 * Math.log10(Math.max(mse, 1e-10)));
    }

    /**
     * Forward, losses and backward of step {@link #step()} without updating or advancing (a parity check's
     * view of the first step); {@link #gradients} then downloads them.
     */
    public TorsoStepResult computeGradients() {
        requireUsable();
        enqueueGradients();
        return result(device.download(stats, STATS));
    }

    /** Group {@code group}'s gradients of the last {@link #computeGradients} (TorsoModel's group order). */
    public float[] gradients(int group) {
        return network.gradients(group);
    }

    @Override
    public TorsoStepResult trainStep() {
        requireUsable();
        int frame = enqueueGradients();
        double factor = schedule.factor(step);
        List<ParamGroup> groups = hostOptimizer.groups();
        for (int g = 0; g < groups.size(); g++) {
            AdamWConfig c = groups.get(g).config();
            CudaTorsoNetwork.Group d = network.group(g);
            CudaAdamW.step(device, d.floats(), d.params(), d.grads(), d.expAvg(), d.expAvgSq(),
                    AdamWScalars.of(c.learningRate() * factor, c.beta1(), c.beta2(), c.eps(), c.weightDecay(),
                            groupSteps[g] + 1));
            TorsoKernels.countNonFinite(device, d.floats(), DeviceView.of(d.params()),
                    DeviceView.of(stats).plus(STAT_NON_FINITE + g));
        }
        float[] s = device.download(stats, STATS);
        TorsoStepResult result = result(s);
        if (!Double.isFinite(result.loss())) {
            failure = "loss " + result.loss() + " at step " + step;
            throw TorsoDivergedException.loss(step, result, data.frame(frame).imageId());
        }
        for (int g = 0; g < groups.size(); g++) {
            if (s[STAT_NON_FINITE + g] > 0) {
                failure = "non-finite parameters at step " + step;
                throw TorsoDivergedException.parameters(step, (long) s[STAT_NON_FINITE + g], network.group(g).floats(),
                        groups.get(g).name());
            }
        }
        for (int g = 0; g < groups.size(); g++) {
            groupSteps[g]++;
        }
        step++;
        return result;
    }

    /** Downloads parameters and moments into the host model and optimiser, and returns the optimiser. */
    @Override
    public AdamW hostOptimizer() {
        requireUsable();
        List<ParamGroup> groups = hostOptimizer.groups();
        network.downloadParameters(groups);
        List<AdamWState> states = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            CudaTorsoNetwork.Group d = network.group(g);
            int n = Math.toIntExact(d.floats());
            states.add(new AdamWState(groups.get(g).name(), groupSteps[g],
                    split(device.download(d.expAvg(), n), groups.get(g)),
                    split(device.download(d.expAvgSq(), n), groups.get(g))));
        }
        hostOptimizer.importState(states);
        return hostOptimizer;
    }

    private static List<float[]> split(float[] all, ParamGroup group) {
        List<float[]> parts = new ArrayList<>();
        int at = 0;
        for (Tensor t : group.params()) {
            float[] part = new float[t.size()];
            System.arraycopy(all, at, part, 0, part.length);
            parts.add(part);
            at += part.length;
        }
        return parts;
    }

    private static float[] concat(List<float[]> parts) {
        int total = 0;
        for (float[] p : parts) {
            total += p.length;
        }
        float[] all = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    @Override
    public void restoreProgress(long savedStep, long[] savedRandomState) {
        List<ParamGroup> groups = hostOptimizer.groups();
        network.uploadParameters(groups);
        List<AdamWState> states = hostOptimizer.exportState();
        for (int g = 0; g < groups.size(); g++) {
            CudaTorsoNetwork.Group d = network.group(g);
            device.copyToDevice(concat(states.get(g).expAvg()), d.expAvg());
            device.copyToDevice(concat(states.get(g).expAvgSq()), d.expAvgSq());
            groupSteps[g] = states.get(g).step();
        }
        this.step = savedStep;
        this.sampler = new TorsoPixelSampler(savedRandomState[0]);
        this.failure = null;
    }

    /** The host model, brought up to date with the device's parameters (synchronises). */
    public TorsoModel model() {
        hostOptimizer();
        return hostModel;
    }

    @Override
    public float[] renderFrame(int frame) {
        requireUsable();
        if (previewRenderer == null) {
            previewRenderer = new CudaTorsoRenderer(network, false, data.width(), data.height(), data.background());
        }
        TorsoTrainingData.Frame f = data.frame(frame);
        return previewRenderer.frame(f.pose(), f.codeIndex(), null, null);
    }

    @Override
    public void close() {
        if (previewRenderer != null) {
            previewRenderer.close();
            previewRenderer = null;
        }
        workspace.close();
        network.close();
        owned.forEach(DeviceBuffer::close);
        owned.clear();
        hostBackend.close();
    }
}
