package dev.synctalk.nerf;

/**
 * The schedule of head training by step (the reference's main.py): {@link TrainingPhase#COARSE} on single
 * rays below coarseIters, then {@link TrainingPhase#FINE} on patches of patchSize (when &gt; 1) with
 * lpipsWeight x LPIPS up to iters, then lipsIters steps of {@link TrainingPhase#LIPS} (one patch around the
 * step's frame's lips, lipsLpipsWeight x LPIPS). Learning rate: base x 0.5^(step / iters), in the lips
 * phase base x 0.05^(k / lipsIters) with k counted from the phase's first step.
 *
 * @param iters           steps of the coarse and fine phases (also the loss step factor's and lr decay's span)
 * @param coarseIters     steps of the coarse phase; -1 = every step up to iters is coarse
 * @param lipsIters       steps of the lips fine-tune after iters; 0 = none
 * @param raysPerStep     rays of a coarse step (a fine step takes as many whole patches as fit)
 * @param patchSize       side of the fine phase's patches; 1 = single rays throughout
 * @param lpipsWeight     weight of LPIPS in the fine phase
 * @param lipsLpipsWeight weight of LPIPS in the lips phase
 */
public record HeadTrainingPlan(long iters, long coarseIters, long lipsIters, int raysPerStep, int patchSize,
                               double lpipsWeight, double lipsLpipsWeight) {

    public HeadTrainingPlan {
        if (iters < 1 || lipsIters < 0 || raysPerStep < 1 || patchSize < 1 || !(lpipsWeight >= 0)
                || !(lipsLpipsWeight >= 0)) {
            throw new IllegalArgumentException("invalid head training plan: iters=" + iters + " lips-iters=" + lipsIters
                    + " rays=" + raysPerStep + " patch-size=" + patchSize + " lpips weights " + lpipsWeight + ", "
                    + lipsLpipsWeight);
        }
    }

    /** Coarse rays only, no lips phase. */
    public static HeadTrainingPlan coarse(long iters, int raysPerStep) {
        return new HeadTrainingPlan(iters, -1, 0, raysPerStep, 1, 0, 0);
    }

    public long totalSteps() {
        return iters + lipsIters;
    }

    public TrainingPhase phase(long step) {
        return TrainingPhase.ofStep(step, coarseIters, iters);
    }

    /** The step's rays; {@code lipsRectangle} (x0, y0, side) is the step's frame's, needed in the lips phase. */
    public StepLayout layout(long step, int[] lipsRectangle) {
        return switch (phase(step)) {
            case LIPS -> {
                if (lipsRectangle == null) {
                    throw new IllegalStateException("step " + step + " is a lips fine-tune step but its frame has no"
                            + " lips rectangle");
                }
                yield StepLayout.lips(lipsRectangle);
            }
            case FINE -> patchSize > 1 ? StepLayout.patches(raysPerStep, patchSize) : StepLayout.rays(raysPerStep);
            default -> StepLayout.rays(raysPerStep);
        };
    }

    /** The factor of every group's base learning rate at {@code step}. */
    public double learningRateFactor(long step) {
        return phase(step) == TrainingPhase.LIPS ? Math.pow(0.05, (double) (step - iters) / lipsIters)
                : Math.pow(0.5, (double) step / iters);
    }

    /** The weight of LPIPS on the step's patches (0: none). */
    public double lpipsWeight(long step) {
        return switch (phase(step)) {
            case LIPS -> lipsLpipsWeight;
            case FINE -> patchSize > 1 ? lpipsWeight : 0;
            default -> 0;
        };
    }
}
