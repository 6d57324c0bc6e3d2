package dev.synctalk.nerf;

/**
 * Torso training produced a loss or parameter that is not finite. Thrown before the step counts as done, so
 * the newest checkpoint stays the last good state; names the (0-based) step and what was not finite.
 */
public final class TorsoDivergedException extends IllegalStateException {
    private final long step;

    public TorsoDivergedException(long step, String what) {
        super("torso training diverged at step " + step + " (phase torso): " + what);
        this.step = step;
    }

    /** Step {@code step}'s loss, {@code result}, is not finite (on the frame of img_id {@code imageId}). */
    public static TorsoDivergedException loss(long step, TorsoStepResult result, int imageId) {
        return new TorsoDivergedException(step, String.format(java.util.Locale.ROOT,
                "loss %s (mse %s, anchors %s, alpha entropy %s) on frame img_id %d", result.loss(), result.mse(),
                result.anchorLoss(), result.alphaEntropy(), imageId));
    }

    /** The update of step {@code step} left {@code count} of {@code of} parameters of group {@code group} not finite. */
    public static TorsoDivergedException parameters(long step, long count, long of, String group) {
        return new TorsoDivergedException(step, "the update left " + count + " of " + of + " parameters of group " + group
                + " not finite");
    }

    /** The 0-based step whose loss or update was not finite. */
    public long step() {
        return step;
    }
}
