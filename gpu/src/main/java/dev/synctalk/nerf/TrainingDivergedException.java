package dev.synctalk.nerf;

/**
 * Training produced a non-finite loss or parameter: it stops here, before any checkpoint of the bad state is
 * written, so the newest checkpoint is the last good one.
 */
public final class TrainingDivergedException extends IllegalStateException {
    private final long step;
    private final TrainingPhase phase;

    public TrainingDivergedException(long step, TrainingPhase phase, String what) {
        super("head training diverged at step " + step + " (" + phase.name().toLowerCase(java.util.Locale.ROOT)
                + " phase): " + what + "; stopped before writing any checkpoint of this state, the newest checkpoint"
                + " holds the last good one (resume from it with a lower learning rate, or check the dataset)");
        this.step = step;
        this.phase = phase;
    }

    public long step() {
        return step;
    }

    public TrainingPhase phase() {
        return phase;
    }

    /** The shared guard of both trainers: throws when the loss or any parameter is not finite. */
    public static void check(long step, TrainingPhase phase, double loss, long nonFiniteParameters) {
        if (!Double.isFinite(loss)) {
            throw new TrainingDivergedException(step, phase, "the loss is " + loss);
        }
        if (nonFiniteParameters > 0) {
            throw new TrainingDivergedException(step, phase, nonFiniteParameters
                    + " parameters are not finite after the update");
        }
    }
}
