package dev.synctalk.nerf;

import dev.synctalk.gpu.loss.RayMseLoss;
import dev.synctalk.gpu.loss.WeightsEntropyLoss;
import dev.synctalk.gpu.optim.AdamW;
import dev.synctalk.gpu.optim.LearningRateSchedule;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Torso-stage training (the reference's train_step with --torso) on the CPU backend, the reference the
 * CUDA trainer is checked against. The head model is frozen and not touched at all, because the
 * reference's torso loss compares only torso-over-background with the head-free target (bg_torso_color);
 * the head is composited over the torso at render time ({@link FrameCompositor}). Per step, on the
 * pixels {@link TorsoPixelSampler} draws from the frame it draws:
 * <pre>
 *   composite = torso_rgb * torso_alpha + (1 - torso_alpha) * background
 *   loss      = mean_pixels mse(composite, target)                     (channel mean, as the head)
 *             + anchorWeight * mean_k (1 - anchor_w[k])^2               (keeps the anchors' w at 1)
 *             + alphaEntropyWeight * mean_pixels H(clamp(alpha, 1e-5, 1 - 1e-5))
 * </pre>
 * then AdamW with lr x 0.5^(step / iterations). The alpha entropy follows synctalk-facts.md and
 * ER-NeRF; the SyncTalk code returns from its torso branch before adding it, so set its weight to 0
 * to match that code exactly. Deterministic: the sampler is counter-based (its key is the checkpoint's
 * random state), every op is the CPU backend's.
 */
public final class TorsoTrainer implements TorsoTraining {
    private final Backend backend;
    private final TorsoTrainerConfig config;
    private final TorsoModel model;
    private final TorsoTrainingData data;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final RayMseLoss colourLoss = new RayMseLoss(3);
    private final RayMseLoss anchorLoss = new RayMseLoss(1);
    private final WeightsEntropyLoss entropyLoss;
    private TorsoPixelSampler sampler;
    private long step;
    private int cachedFrame = -1;
    private int[] cachedRgba;

    public TorsoTrainer(Backend backend, TorsoTrainerConfig config, TorsoModel model, TorsoTrainingData data) {
        this.backend = backend;
        this.config = config;
        this.model = model;
        this.data = data;
        data.requireCodes(model.config());
        this.optimizer = new AdamW(backend, model.paramGroups());
        this.schedule = LearningRateSchedule.exponentialDecay(0.5, config.iterations());
        this.entropyLoss = new WeightsEntropyLoss(config.alphaEntropyWeight(), WeightsEntropyLoss.syncTalk().eps());
        this.sampler = TorsoPixelSampler.seeded(config.seed());
    }

    public Backend backend() {
        return backend;
    }

    public TorsoTrainerConfig config() {
        return config;
    }

    public TorsoModel model() {
        return model;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    @Override
    public AdamW hostOptimizer() {
        return optimizer;
    }

    @Override
    public String description() {
        return "CPU backend " + backend.name();
    }

    @Override
    public TorsoTrainingData data() {
        return data;
    }

    public TorsoPixelSampler sampler() {
        return sampler;
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
    public void restoreProgress(long savedStep, long[] savedRandomState) {
        this.step = savedStep;
        this.sampler = new TorsoPixelSampler(savedRandomState[0]);
    }

    @Override
    public int frameOfStep(long s) {
        return sampler.frame(s, data.frameCount());
    }

    /** The inputs of step {@code s}: its frame's pixels as {@link #sampler()} draws them. */
    public TorsoBatch batchOfStep(long s) {
        int frame = frameOfStep(s);
        return data.gather(frame, rgba(frame), sampler.pixels(s, config.pixelsPerStep(), data.pixelCount()));
    }

    private int[] rgba(int frame) {
        if (frame != cachedFrame) {
            try {
                cachedRgba = data.packedRgba(frame);
            } catch (IOException e) {
                throw new UncheckedIOException("torso training cannot read the torso image of frame img_id "
                        + data.frame(frame).imageId() + ": " + e.getMessage(), e);
            }
            cachedFrame = frame;
        }
        return cachedRgba;
    }

    @Override
    public TorsoStepResult trainStep() {
        return trainStep(batchOfStep(step));
    }

    /**
     * One step on an explicit batch (the sampler's, or the same pixels in another order): gradients,
     * AdamW, and the finite checks of loss and parameters.
     */
    public TorsoStepResult trainStep(TorsoBatch batch) {
        TorsoStepResult result = computeGradients(batch);
        if (!Double.isFinite(result.loss())) {
            optimizer.zeroGrad();
            throw TorsoDivergedException.loss(step, result, data.frame(batch.frame()).imageId());
        }
        optimizer.setLearningRateFactor(schedule.factor(step));
        optimizer.step();
        optimizer.zeroGrad();
        for (ParamGroup group : optimizer.groups()) {
            long bad = 0;
            long all = 0;
            for (Tensor p : group.params()) {
                for (float v : p.data()) {
                    bad += Float.isFinite(v) ? 0 : 1;
                }
                all += p.size();
            }
            if (bad > 0) {
                throw TorsoDivergedException.parameters(step, bad, all, group.name());
            }
        }
        step++;
        return result;
    }

    /**
     * Forward, losses and backward of {@code batch}: the parameter gradients (zero before) are accumulated,
     * nothing is updated and the step does not advance. The result's step is {@link #step()} + 1.
     */
    public TorsoStepResult computeGradients(TorsoBatch batch) {
        int r = batch.pixelCount();
        TorsoModel.Trace trace = model.forward(backend, batch.coords(), batch.pose(), batch.codeIndex());
        Tensor composite = Tensor.zeros(r, 3);
        backend.alphaOverForward(trace.alpha(), trace.rgb(), batch.background(), composite);
        Tensor mse = Tensor.zeros(r);
        backend.rayMseForward(colourLoss, composite, batch.target(), mse);
        Tensor entropy = Tensor.zeros(r);
        backend.weightsEntropyForward(entropyLoss, trace.alpha(), entropy);
        int k = TorsoModelConfig.ANCHOR_COUNT;
        Tensor anchorW = Tensor.zeros(k, 1);
        backend.copyColumns(model.anchors(), 3, anchorW, 0, 1, false);
        Tensor ones = Tensor.filled(1f, k, 1);
        Tensor anchorPerPoint = Tensor.zeros(k);
        backend.rayMseForward(anchorLoss, anchorW, ones, anchorPerPoint);
        double meanMse = backend.sum(mse) / r;
        double meanEntropy = backend.sum(entropy) / r;
        double meanAnchor = config.anchorWeight() * backend.sum(anchorPerPoint) / k;

        Tensor gradPerPixel = Tensor.zeros(r);
        backend.fill(gradPerPixel, 1f / r);
        Tensor gradComposite = Tensor.zeros(r, 3);
        backend.rayMseBackward(colourLoss, composite, batch.target(), gradPerPixel, gradComposite);
        Tensor gradAlpha = Tensor.zeros(r);
        Tensor gradRgb = Tensor.zeros(r, 3);
        backend.alphaOverBackward(trace.alpha(), trace.rgb(), batch.background(), gradComposite, gradAlpha, gradRgb);
        Tensor gradAlphaEntropy = Tensor.zeros(r);
        backend.weightsEntropyBackward(entropyLoss, trace.alpha(), gradPerPixel, gradAlphaEntropy);
        backend.addScaled(gradAlphaEntropy, 1f, gradAlpha);
        model.backward(backend, trace, gradAlpha, gradRgb);
        Tensor gradPerPoint = Tensor.zeros(k);
        backend.fill(gradPerPoint, config.anchorWeight() / k);
        Tensor gradAnchorW = Tensor.zeros(k, 1);
        backend.rayMseBackward(anchorLoss, anchorW, ones, gradPerPoint, gradAnchorW);
        backend.copyColumns(gradAnchorW, 0, model.anchorGradients(), 3, 1, true);
        return new TorsoStepResult(step + 1, meanMse + meanAnchor + meanEntropy, meanMse, meanAnchor, meanEntropy,
                -10 * Math.log10(Math.max(meanMse, 1e-10)));
    }

    @Override
    public float[] renderFrame(int frame) {
        int pixels = data.pixelCount();
        TorsoTrainingData.Frame f = data.frame(frame);
        Tensor out = Tensor.zeros(pixels, 3);
        model.render(backend, data.width(), data.height(), Tensor.wrap(f.pose().clone(), 4, 4), f.codeIndex(),
                Tensor.wrap(data.background(), pixels, 3), out, null);
        return out.data();
    }

    /** Closes nothing: the backend belongs to the caller. */
    @Override
    public void close() {
    }
}
