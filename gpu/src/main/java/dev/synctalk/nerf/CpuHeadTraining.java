package dev.synctalk.nerf;

import dev.synctalk.gpu.lpips.LpipsAlex;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Head training on a {@link dev.synctalk.gpu.tensor.Backend} (the CPU reference): step k's frame and pixels
 * come from {@link TrainingSampler} (the same numbers the device trainer draws), the rays from
 * {@link HeadTrainingData#rayBatch}, and the step itself from {@link HeadTrainer}, with LPIPS on the step's
 * patches when a backbone is given and the plan weights it.
 */
public final class CpuHeadTraining implements HeadTraining {
    private final HeadTrainer trainer;
    private final HeadTrainingData data;
    private final HeadTrainingPlan plan;
    private final LpipsAlex lpips;

    /** @param lpips the LPIPS backbone, or null for MSE only in the fine and lips phases */
    public CpuHeadTraining(HeadTrainer trainer, HeadTrainingData data, HeadTrainingPlan plan, LpipsAlex lpips) {
        requireCompatible(trainer, data, plan, lpips);
        this.trainer = trainer;
        this.data = data;
        this.plan = plan;
        this.lpips = lpips;
    }

    /** The checks both implementations make before their first step. */
    public static void requireCompatible(HeadTrainer trainer, HeadTrainingData data, HeadTrainingPlan plan,
                                         LpipsAlex lpips) {
        HeadModelConfig model = trainer.model().config();
        if (data.frameCount() > model.individualCodeCount()) {
            throw new IllegalArgumentException("the data has " + data.frameCount() + " training frames but the model "
                    + model.individualCodeCount() + " individual codes");
        }
        if (plan.iters() != trainer.config().iterations()) {
            throw new IllegalArgumentException("the plan's iters " + plan.iters() + " differ from the trainer's "
                    + trainer.config().iterations());
        }
        if (lpips != null && plan.lpipsWeight() > 0 && plan.patchSize() > 1 && plan.patchSize() < LpipsAlex.MIN_SIDE) {
            throw new IllegalArgumentException("patch-size " + plan.patchSize() + " is below the " + LpipsAlex.MIN_SIDE
                    + " px AlexNet-LPIPS needs (raise patch-size or set lpips-weight = 0)");
        }
        if (plan.patchSize() > Math.min(data.width(), data.height())) {
            throw new IllegalArgumentException("patch-size " + plan.patchSize() + " exceeds the " + data.width() + "x"
                    + data.height() + " images");
        }
        if (plan.lipsIters() > 0) {
            for (HeadTrainingData.Frame f : data.frames()) {
                if (f.lipsRectangle() == null) {
                    throw new IllegalArgumentException("the lips fine-tune needs every frame's lips rectangle; img_id "
                            + f.imageId() + " has none");
                }
            }
        }
    }

    public HeadTrainer trainer() {
        return trainer;
    }

    public HeadTrainingData data() {
        return data;
    }

    @Override
    public HeadTrainingPlan plan() {
        return plan;
    }

    @Override
    public long step() {
        return trainer.step();
    }

    /** Step k's frame, layout and rays: what both implementations train on. */
    public static StepLayout layout(HeadTrainingPlan plan, HeadTrainingData data, long step, int frame) {
        return plan.layout(step, data.frames().get(frame).lipsRectangle());
    }

    @Override
    public TrainStepResult trainStep() {
        long s = trainer.step();
        TrainStepResult result = computeGradients();
        trainer.applyUpdate(plan.learningRateFactor(s));
        TrainingDivergedException.check(s, plan.phase(s), result.loss(), trainer.nonFiniteParameters());
        return result;
    }

    /** Step {@link #step()}'s loss and gradients, not applied (see {@link HeadTrainer#computeGradients}). */
    public TrainStepResult computeGradients() {
        long s = trainer.step();
        int frame = trainer.sampler().frameOfStep(s, data.frameCount());
        StepLayout layout = layout(plan, data, s, frame);
        int[] pixels = trainer.sampler().pixels(s, layout, data.width(), data.height());
        double weight = plan.lpipsWeight(s);
        HeadTrainer.ImageLoss imageLoss = lpips != null && weight > 0 && layout.isPatches()
                ? new PatchLpipsLoss(lpips, weight, layout.side()) : null;
        TrainStepResult result = trainer.computeGradients(data.rayBatch(trainer.backend(), frame, pixels), imageLoss);
        if (!Double.isFinite(result.loss())) {
            trainer.discardGradients();
            TrainingDivergedException.check(s, plan.phase(s), result.loss(), 0);
        }
        return result;
    }

    @Override
    public void writeCheckpoint(Path file) throws IOException {
        Checkpoint.write(trainer, file);
    }

    @Override
    public void restoreCheckpoint(Path file) throws IOException {
        Checkpoint.restore(trainer, file);
    }

    @Override
    public HeadRendering renderer() {
        return trainer.renderer();
    }

    @Override
    public String description() {
        return trainer.backend().name();
    }

    @Override
    public void close() {
        // the backend belongs to the caller
    }
}
