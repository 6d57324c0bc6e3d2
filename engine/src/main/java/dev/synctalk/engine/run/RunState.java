package dev.synctalk.engine.run;

/** Lifecycle of a run as recorded in {@code run.json}. */
public enum RunState {
    RUNNING, COMPLETED, FAILED, CANCELLED;

    public boolean finished() {
        return this != RUNNING;
    }
}
