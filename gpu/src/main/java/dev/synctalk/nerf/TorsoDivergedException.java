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

    /** The 0-based step whose loss or update was not finite. */
    public long step() {
        return step;
    }
}
