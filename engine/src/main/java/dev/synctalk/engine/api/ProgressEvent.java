package dev.synctalk.engine.api;

/** What subscribers of a run hear: periodic per-stage progress, then the end of the run. */
public sealed interface ProgressEvent {

    /** @param total expected units, 0 or less when unknown */
    record StageProgress(String runId, String stage, String state, long completed, long total, String unit,
                         long messagesIn, long messagesOut) implements ProgressEvent {
    }

    record RunFinished(RunResult result) implements ProgressEvent {
    }
}
