package dev.synctalk.nerf;

import dev.synctalk.gpu.loss.AmbientLoss;
import dev.synctalk.gpu.loss.RayMseLoss;
import dev.synctalk.gpu.loss.UncertaintyWeightedLoss;
import dev.synctalk.gpu.loss.WeightsEntropyLoss;
import dev.synctalk.gpu.optim.AdamW;
import dev.synctalk.gpu.optim.LearningRateSchedule;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.render.MarchedRays;
import dev.synctalk.gpu.render.RaySamples;
import dev.synctalk.gpu.render.RenderOutput;
import dev.synctalk.gpu.render.VolumeRenderer;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Head-stage training (the reference's train_step for the head): per step
 * <ol>
 *   <li>every {@code gridUpdateInterval} steps (from step 0) the occupancy grid is updated with this
 *       step's conditioning,</li>
 *   <li>the frame's audio code is encoded (AudioNet + AudioAttNet), rays are marched with per-ray
 *       jitter, the head model is evaluated and volume-rendered over the rays' background; the
 *       attention norms and the uncertainty are rendered with the same weights,</li>
 *   <li>loss per ray = uncertainty-weighted MSE (+ its uncertainty terms) + ambient losses +
 *       weights-sum entropy, averaged over rays (synctalk-facts.md, "Losses"),</li>
 *   <li>backward through renderer, model and audio nets; AdamW with lr x 0.5^(step / iterations).</li>
 * </ol>
 * Not included: the every-16-steps smoothness regulariser (weight 1e-5). LPIPS on patches comes in
 * through {@link ImageLoss} from the caller, which knows the batch's patch layout.
 * Deterministic: the ray jitter and the grid jitter of step k are {@link TrainingSampler} streams of
 * (config seed, k), the same numbers the device trainer draws; {@link #trainStep(TrainFrame)} draws its
 * pixels from a {@link TrainingRandom} whose state is checkpointed (the engine samples pixels with
 * {@link TrainingSampler} instead, see {@link CpuHeadTraining}).
 */
public final class HeadTrainer {
    private final Backend backend;
    private final HeadTrainerConfig config;
    private final HeadModel model;
    private final AudioConditioner conditioner;
    private final OccupancyGrid grid;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final VolumeRenderer renderer = VolumeRenderer.training();
    private final RayMseLoss mseLoss = new RayMseLoss(3);
    private final UncertaintyWeightedLoss uncertaintyLoss = UncertaintyWeightedLoss.syncTalk();
    private final AmbientLoss ambientLoss = AmbientLoss.syncTalk();
    private final WeightsEntropyLoss entropyLoss = WeightsEntropyLoss.syncTalk();
    private final TrainingSampler sampler;
    private TrainingRandom random;
    private long step;
    private PendingStep pending;

    public HeadTrainer(Backend backend, HeadTrainerConfig config, HeadModel model, AudioConditioner conditioner) {
        if (conditioner.audioDim() != model.config().audioDim()) {
            throw new IllegalArgumentException("audio conditioner gives " + conditioner.audioDim()
                    + "-d codes but the head model takes " + model.config().audioDim());
        }
        if (model.config().bound() != config.marcher().bound()) {
            throw new IllegalArgumentException("model bound " + model.config().bound() + " differs from the marcher's "
                    + config.marcher().bound());
        }
        this.backend = backend;
        this.config = config;
        this.model = model;
        this.conditioner = conditioner;
        this.grid = OccupancyGrid.syncTalk(config.gridResolution(), model.config().bound());
        List<ParamGroup> groups = new ArrayList<>(model.paramGroups());
        groups.addAll(conditioner.paramGroups(model.config().networkLearningRate()));
        this.optimizer = new AdamW(backend, groups);
        this.schedule = LearningRateSchedule.exponentialDecay(0.5, config.iterations());
        this.random = new TrainingRandom(config.seed());
        this.sampler = new TrainingSampler(config.seed());
    }

    /** The counter-based streams of this trainer's seed. */
    public TrainingSampler sampler() {
        return sampler;
    }

    public Backend backend() {
        return backend;
    }

    public HeadTrainerConfig config() {
        return config;
    }

    public HeadModel model() {
        return model;
    }

    public AudioConditioner conditioner() {
        return conditioner;
    }

    public OccupancyGrid grid() {
        return grid;
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

    /**
     * Sets the step count and random state (the rest is restored through the parts themselves): a checkpoint
     * restore, or a device trainer bringing its state back to the host.
     */
    public void restoreProgress(long savedStep, long[] savedRandomState) {
        this.step = savedStep;
        this.random = TrainingRandom.fromState(savedRandomState);
    }

    /** A renderer over this trainer's model, conditioning and grid. */
    public Renderer renderer() {
        return new Renderer(backend, model, conditioner, grid, config.marcher());
    }

    /** One step on {@code raysPerStep} pixels of {@code frame} drawn uniformly with replacement. */
    public TrainStepResult trainStep(TrainFrame frame) {
        return trainStep(drawRays(frame));
    }

    /** {@code raysPerStep} pixels of {@code frame} drawn uniformly with replacement from the trainer's random state. */
    public RayBatch drawRays(TrainFrame frame) {
        int pixelCount = frame.camera().width() * frame.camera().height();
        int[] pixels = new int[config.raysPerStep()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextInt(pixelCount);
        }
        return RayBatch.ofPixels(backend, frame, pixels);
    }

    /**
     * A loss on the batch's rendered colours beside the per-ray terms (LPIPS on patches): it returns
     * its value and adds d(value)/d(rendered) into {@code gradRendered} [R, 3].
     */
    public interface ImageLoss {
        double addGradient(Tensor rendered, Tensor target, Tensor gradRendered);
    }

    /** The lr factor of the trainer's own schedule, 0.5^(step / iterations), for the next step. */
    public double scheduledLearningRateFactor() {
        return schedule.factor(step);
    }

    /** One step on an explicit ray batch with the per-ray losses and the trainer's lr schedule. */
    public TrainStepResult trainStep(RayBatch batch) {
        return trainStep(batch, null, schedule.factor(step));
    }

    /**
     * One step on an explicit ray batch; {@code imageLoss} (nullable) is added to the loss and its
     * gradient to the rendered colours' gradient; the lr of every group is its base lr times
     * {@code learningRateFactor} (phases with their own schedule, e.g. the lips fine-tune).
     */
    public TrainStepResult trainStep(RayBatch batch, ImageLoss imageLoss, double learningRateFactor) {
        TrainStepResult result = computeGradients(batch, imageLoss);
        applyUpdate(learningRateFactor);
        return result;
    }

    /** A step whose gradients are computed and whose update is not applied yet. */
    private record PendingStep(long step) {
    }

    /**
     * The first half of {@link #trainStep(RayBatch, ImageLoss, double)}: the grid update due at this step,
     * forward, losses and backward; the parameter gradients are left in the groups' gradient tensors (for a
     * parity check to read) until {@link #applyUpdate} steps the optimiser. The result's step is the 1-based
     * count the step will have when applied.
     */
    public TrainStepResult computeGradients(RayBatch batch, ImageLoss imageLoss) {
        if (pending != null) {
            throw new IllegalStateException("step " + pending.step() + " has gradients that were not applied");
        }
        int r = batch.rayCount();
        float stepFactor = UncertaintyWeightedLoss.stepFactor(step, config.iterations());
        FrameConditioning cond = batch.conditioning();
        AudioConditioner.Pass audio = conditioner.encode(backend, cond.audioWindow());
        if (step % config.gridUpdateInterval() == 0) {
            grid.update(backend, model, audio.code(), cond.expression(), sampler.gridKey(step));
        }
        MarchedRays marched = backend.marchRays(config.marcher(), grid.occupancy(), batch.origins(), batch.directions(),
                true, sampler.marchNoiseSeed(step));
        HeadModel.Trace trace = model.forward(backend, marched.positions(), marched.directions(), audio.code(),
                cond.expression(), cond.frameIndex());
        RaySamples colour = marched.withValues(trace.sigma(), trace.rgb());
        RaySamples ambient = marched.withValues(trace.sigma(), trace.ambient());
        RenderOutput image = RenderOutput.zeros(r);
        backend.volumeRenderForward(renderer, colour, batch.background(), image);
        RenderOutput ambientImage = RenderOutput.zeros(r);
        backend.volumeRenderForward(renderer, ambient, null, ambientImage);

        Tensor mse = Tensor.zeros(r);
        backend.rayMseForward(mseLoss, image.image(), batch.target(), mse);
        Tensor uncertainty = Tensor.zeros(r);
        backend.copyColumns(ambientImage.image(), 2, Tensor.wrap(uncertainty.data(), r, 1), 0, 1, false);
        Tensor multiplier = Tensor.zeros(r);
        Tensor residualNorm = Tensor.zeros(r);
        backend.uncertaintyLossPrepare(uncertaintyLoss, stepFactor, uncertainty, image.image(), batch.target(), multiplier,
                residualNorm);
        Tensor colourLoss = Tensor.zeros(r);
        backend.uncertaintyLossForward(uncertaintyLoss, stepFactor, mse, uncertainty, multiplier, residualNorm,
                batch.faceMask(), colourLoss);
        Tensor ambLoss = Tensor.zeros(r);
        backend.ambientLossForward(ambientLoss, stepFactor, ambientImage.image(), batch.lowerFaceMask(), ambLoss);
        Tensor entLoss = Tensor.zeros(r);
        backend.weightsEntropyForward(entropyLoss, image.weightsSum(), entLoss);
        double meanMse = backend.sum(mse) / r;
        double meanColour = backend.sum(colourLoss) / r;
        double meanAmbient = backend.sum(ambLoss) / r;
        double meanEntropy = backend.sum(entLoss) / r;

        // d(mean)/d(loss_r) = 1 / R for every term
        Tensor gradLoss = Tensor.zeros(r);
        backend.fill(gradLoss, 1f / r);
        Tensor gradMse = Tensor.zeros(r);
        Tensor gradUncertainty = Tensor.zeros(r);
        backend.uncertaintyLossBackward(uncertaintyLoss, stepFactor, uncertainty, multiplier, residualNorm,
                batch.faceMask(), gradLoss, gradMse, gradUncertainty);
        Tensor gradImage = Tensor.zeros(r, 3);
        backend.rayMseBackward(mseLoss, image.image(), batch.target(), gradMse, gradImage);
        double imageLossValue = imageLoss == null ? 0 : imageLoss.addGradient(image.image(), batch.target(), gradImage);
        Tensor gradAmbientImage = Tensor.zeros(r, 3);
        backend.ambientLossBackward(ambientLoss, stepFactor, batch.lowerFaceMask(), gradLoss, gradAmbientImage);
        backend.copyColumns(Tensor.wrap(gradUncertainty.data(), r, 1), 0, gradAmbientImage, 2, 1, false);
        Tensor gradWeightsSum = Tensor.zeros(r);
        backend.weightsEntropyBackward(entropyLoss, image.weightsSum(), gradLoss, gradWeightsSum);

        int m = marched.sampleCount();
        Tensor gradSigma = Tensor.zeros(m);
        Tensor gradRgb = Tensor.zeros(m, 3);
        backend.volumeRenderBackward(renderer, colour, batch.background(), gradImage, null, gradWeightsSum, gradSigma,
                gradRgb);
        Tensor gradSigmaFromAmbient = Tensor.zeros(m);
        Tensor gradAmbient = Tensor.zeros(m, 3);
        backend.volumeRenderBackward(renderer, ambient, null, gradAmbientImage, null, null, gradSigmaFromAmbient,
                gradAmbient);
        backend.addScaled(gradSigmaFromAmbient, 1f, gradSigma);
        Tensor gradCode = Tensor.zeros(conditioner.audioDim());
        model.backward(backend, trace, gradSigma, gradRgb, gradAmbient, gradCode, null, null);
        audio.backward(backend, gradCode);
        pending = new PendingStep(step + 1);
        double loss = meanColour + meanAmbient + meanEntropy + imageLossValue;
        return new TrainStepResult(step + 1, loss, meanMse, meanColour, meanAmbient, meanEntropy, imageLossValue,
                -10 * Math.log10(Math.max(meanMse, 1e-10)), m);
    }

    /** The second half of a step: AdamW at base lr x {@code learningRateFactor}, gradients zeroed, step counted. */
    public void applyUpdate(double learningRateFactor) {
        if (pending == null) {
            throw new IllegalStateException("no step's gradients to apply at step " + step);
        }
        optimizer.setLearningRateFactor(learningRateFactor);
        optimizer.step();
        optimizer.zeroGrad();
        step++;
        pending = null;
    }

    /** Drops computed gradients without an update (a parity check that only compares them). */
    public void discardGradients() {
        optimizer.zeroGrad();
        pending = null;
    }

    /** Non-finite values among all parameters. */
    public long nonFiniteParameters() {
        long bad = 0;
        for (ParamGroup group : optimizer.groups()) {
            for (Tensor p : group.params()) {
                for (float v : p.data()) {
                    bad += Float.isFinite(v) ? 0 : 1;
                }
            }
        }
        return bad;
    }
}
