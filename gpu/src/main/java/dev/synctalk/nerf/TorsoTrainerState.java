package dev.synctalk.nerf;

import dev.synctalk.gpu.optim.AdamW;

/**
 * What a torso checkpoint ({@link TorsoCheckpoint}) holds, from either trainer: the steps done, the
 * random state and every parameter with its AdamW moments, in the optimiser groups of
 * {@link TorsoModel#paramGroups}. The CPU trainer keeps these on the host; the CUDA trainer keeps them on
 * the device and copies them through its host model when a checkpoint is written or restored.
 */
public interface TorsoTrainerState {

    /** Steps done so far. */
    long step();

    /** The random state to store: {sampler key, 0} ({@link TorsoPixelSampler}). */
    long[] randomState();

    /** An optimiser over host tensors holding the current parameters and moments (a device trainer downloads them first). */
    AdamW hostOptimizer();

    /**
     * Continues from a checkpoint whose parameters and moments were just applied to {@link #hostOptimizer()}
     * (a device trainer uploads them): {@code savedStep} steps done, sampler key {@code savedRandomState[0]}.
     */
    void restoreProgress(long savedStep, long[] savedRandomState);
}
