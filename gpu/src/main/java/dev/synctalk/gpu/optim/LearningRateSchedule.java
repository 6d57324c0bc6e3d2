package dev.synctalk.gpu.optim;

/**
 * A multiplicative learning-rate factor by scheduler step, torch's LambdaLR: the group's lr is
 * {@code baseLr * factor(k)} where k counts scheduler steps taken so far (0 for the first optimiser
 * step, since SyncTalk calls scheduler.step() after every optimizer.step()).
 */
@FunctionalInterface
public interface LearningRateSchedule {

    double factor(long step);

    /** Constant 1. */
    static LearningRateSchedule constant() {
        return step -> 1.0;
    }

    /**
     * {@code base^(step / iterations)}: SyncTalk's 0.5^(iter/iters) for training and 0.05^(iter/iters)
     * for the lips fine-tune.
     */
    static LearningRateSchedule exponentialDecay(double base, long iterations) {
        if (!(base > 0) || iterations < 1) {
            throw new IllegalArgumentException("decay needs base > 0 and iterations >= 1, got " + base + ", " + iterations);
        }
        return step -> Math.pow(base, (double) step / iterations);
    }

    /** Linear warm-up: (step + 1) / warmupSteps until it reaches 1, then 1. */
    static LearningRateSchedule linearWarmup(long warmupSteps) {
        if (warmupSteps < 1) {
            throw new IllegalArgumentException("warm-up needs at least one step, got " + warmupSteps);
        }
        return step -> Math.min(1.0, (double) (step + 1) / warmupSteps);
    }

    /** The product of this schedule and {@code other} (e.g. warm-up times decay). */
    default LearningRateSchedule times(LearningRateSchedule other) {
        return step -> factor(step) * other.factor(step);
    }
}
