package dev.synctalk.nerf;

import dev.synctalk.gpu.loss.RayMseLoss;
import dev.synctalk.gpu.loss.WeightsEntropyLoss;
import dev.synctalk.gpu.optim.AdamW;
import dev.synctalk.gpu.optim.LearningRateSchedule;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * Torso-stage training (the reference's train_step with --torso): the head model is frozen and not
 * touched at all, because the reference's torso loss compares only torso-over-background with the
 * head-free target (bg_torso_color); the head is composited over the torso at render time
 * ({@link FrameCompositor}). Per step, on pixels of one frame:
 * <pre>
 *   composite = torso_rgb * torso_alpha + (1 - torso_alpha) * background
 *   loss      = mean_pixels mse(composite, target)                     (channel mean, as the head)
 *             + anchorWeight * mean_k (1 - anchor_w[k])^2               (keeps the anchors' w at 1)
 *             + alphaEntropyWeight * mean_pixels H(clamp(alpha, 1e-5, 1 - 1e-5))
 * </pre>
 * then AdamW with lr x 0.5^(step / iterations). The alpha entropy follows synctalk-facts.md and
 * ER-NeRF; the SyncTalk code returns from its torso branch before adding it, so set its weight to 0
 * to match that code exactly. Deterministic: pixel choice comes from one checkpointed
 * {@link TrainingRandom}.
 */
public final class TorsoTrainer {
    private final Backend backend;
    private final TorsoTrainerConfig config;
    private final TorsoModel model;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final RayMseLoss colourLoss = new RayMseLoss(3);
    private final RayMseLoss anchorLoss = new RayMseLoss(1);
    private final WeightsEntropyLoss entropyLoss;
    private TrainingRandom random;
    private long step;

    public TorsoTrainer(Backend backend, TorsoTrainerConfig config, TorsoModel model) {
        this.backend = backend;
        this.config = config;
        this.model = model;
        this.optimizer = new AdamW(backend, model.paramGroups());
        this.schedule = LearningRateSchedule.exponentialDecay(0.5, config.iterations());
        this.entropyLoss = new WeightsEntropyLoss(config.alphaEntropyWeight(), WeightsEntropyLoss.syncTalk().eps());
        this.random = new TrainingRandom(config.seed());
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

    /** Steps done so far. */
    public long step() {
        return step;
    }

    public long[] randomState() {
        return random.state();
    }

    /** Restores the step count and random state (parameters and moments are restored through the optimiser). */
    void restoreProgress(long savedStep, long[] savedRandomState) {
        this.step = savedStep;
        this.random = TrainingRandom.fromState(savedRandomState);
    }

    /** One step on {@code pixelsPerStep} pixels of {@code frame} drawn uniformly with replacement. */
    public TorsoStepResult trainStep(TorsoTrainFrame frame) {
        int[] pixels = new int[config.pixelsPerStep()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextInt(frame.pixelCount());
        }
        return trainStep(frame, pixels);
    }

    /** One step on explicit pixels (index row * width + column) of {@code frame}. */
    public TorsoStepResult trainStep(TorsoTrainFrame frame, int[] pixels) {
        int r = pixels.length;
        Tensor target = Tensor.zeros(r, 3);
        Tensor background = Tensor.zeros(r, 3);
        for (int i = 0; i < r; i++) {
            System.arraycopy(frame.target().data(), 3 * pixels[i], target.data(), 3 * i, 3);
            System.arraycopy(frame.background().data(), 3 * pixels[i], background.data(), 3 * i, 3);
        }
        Tensor coords = TorsoModel.pixelCoordinates(frame.width(), frame.height(), pixels);
        TorsoModel.Trace trace = model.forward(backend, coords, frame.pose(), frame.frameIndex());
        Tensor composite = Tensor.zeros(r, 3);
        backend.alphaOverForward(trace.alpha(), trace.rgb(), background, composite);
        Tensor mse = Tensor.zeros(r);
        backend.rayMseForward(colourLoss, composite, target, mse);
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
        backend.rayMseBackward(colourLoss, composite, target, gradPerPixel, gradComposite);
        Tensor gradAlpha = Tensor.zeros(r);
        Tensor gradRgb = Tensor.zeros(r, 3);
        backend.alphaOverBackward(trace.alpha(), trace.rgb(), background, gradComposite, gradAlpha, gradRgb);
        Tensor gradAlphaEntropy = Tensor.zeros(r);
        backend.weightsEntropyBackward(entropyLoss, trace.alpha(), gradPerPixel, gradAlphaEntropy);
        backend.addScaled(gradAlphaEntropy, 1f, gradAlpha);
        model.backward(backend, trace, gradAlpha, gradRgb);
        Tensor gradPerPoint = Tensor.zeros(k);
        backend.fill(gradPerPoint, config.anchorWeight() / k);
        Tensor gradAnchorW = Tensor.zeros(k, 1);
        backend.rayMseBackward(anchorLoss, anchorW, ones, gradPerPoint, gradAnchorW);
        backend.copyColumns(gradAnchorW, 0, model.anchorGradients(), 3, 1, true);

        optimizer.setLearningRateFactor(schedule.factor(step));
        optimizer.step();
        optimizer.zeroGrad();
        step++;
        return new TorsoStepResult(step, meanMse + meanAnchor + meanEntropy, meanMse, meanAnchor, meanEntropy,
                -10 * Math.log10(Math.max(meanMse, 1e-10)));
    }
}
