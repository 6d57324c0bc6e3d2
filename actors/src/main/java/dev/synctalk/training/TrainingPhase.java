package dev.synctalk.training;

/**
 * The phases of head training, selected by step: {@link #COARSE} (MSE on single rays) for steps below
 * coarse-iters, then {@link #FINE} (MSE + lambda LPIPS on patches; MSE alone when no LPIPS backbone is
 * loaded). The torso phase trains a separate model after these and plugs in as its own stage.
 */
public enum TrainingPhase {
    COARSE, FINE;

    public static TrainingPhase ofStep(long step, long coarseIters) {
        return coarseIters < 0 || step < coarseIters ? COARSE : FINE;
    }
}
