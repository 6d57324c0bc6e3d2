package dev.synctalk.engine.api;

import dev.synctalk.engine.run.RunState;
import java.nio.file.Path;
import java.time.Duration;

/** How a run ended. {@code error} and {@code failedStage} are null for completed runs. */
public record RunResult(String runId, RunState state, String error, String failedStage, Path runDir,
                        Duration elapsed) {

    public boolean succeeded() {
        return state == RunState.COMPLETED;
    }

    public Path outputs() {
        return runDir.resolve("outputs");
    }
}
