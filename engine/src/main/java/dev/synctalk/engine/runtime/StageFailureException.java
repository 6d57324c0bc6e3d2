package dev.synctalk.engine.runtime;

/**
 * A stage threw. The message names the stage, its type, the frame it was working on and the cause, so
 * that a user reading a failed run's status knows where to look.
 */
public final class StageFailureException extends RuntimeException {
    private final String stage;
    private final String stageType;
    private final long frameIndex;

    public StageFailureException(String stage, String stageType, String phase, long frameIndex, Throwable cause) {
        super(describe(stage, stageType, phase, frameIndex, cause), cause);
        this.stage = stage;
        this.stageType = stageType;
        this.frameIndex = frameIndex;
    }

    private static String describe(String stage, String type, String phase, long frameIndex, Throwable cause) {
        String where = frameIndex >= 0 ? " on frame " + frameIndex : "";
        String why = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
        return "stage '" + stage + "' (" + type + ") failed" + where + " while " + phase + ": " + why;
    }

    public String stage() {
        return stage;
    }

    public String stageType() {
        return stageType;
    }

    /** The frame index being processed, or -1 when the failure was not tied to one frame. */
    public long frameIndex() {
        return frameIndex;
    }
}
