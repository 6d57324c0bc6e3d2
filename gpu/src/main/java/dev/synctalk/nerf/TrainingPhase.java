package dev.synctalk.nerf;

/**
 * The phases of head training, selected by step: {@link #COARSE} (MSE on single rays) for steps below
 * coarse-iters, then {@link #FINE} (MSE + lambda LPIPS on patches; MSE alone when no LPIPS backbone is
 * loaded) up to iters, then {@link #LIPS} (the lips fine-tune: one patch around the lips per step, LPIPS
 * weight 0.01, lr x 0.05^(k / lips-iters)) for lips-iters more steps. {@link #TORSO} marks the steps of
 * torso training (the torso-train stage), a separate model trained after these with the head frozen.
 * New phases go last so that journaled ordinals of the others stay.
 */
public enum TrainingPhase {
    COARSE, FINE, TORSO, LIPS;

    public static TrainingPhase ofStep(long step, long coarseIters) {
        return coarseIters < 0 || step < coarseIters ? COARSE : FINE;
    }

    /** As {@link #ofStep(long, long)} with the lips fine-tune from step {@code iters} on. */
    public static TrainingPhase ofStep(long step, long coarseIters, long iters) {
        return step >= iters ? LIPS : ofStep(step, coarseIters);
    }
}
