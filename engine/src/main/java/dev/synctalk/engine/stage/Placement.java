package dev.synctalk.engine.stage;

/** Where a stage's actor runs: a shared CPU dispatcher, or a pinned thread that owns a GPU context. */
public enum Placement {
    CPU,
    /** Needs a device ({@code device = "gpu:0"}); its actor gets a dedicated pinned thread. */
    GPU
}
