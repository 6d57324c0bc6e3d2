package dev.synctalk.training;

/**
 * The phases of head training, selected by step: {@link #COARSE} (MSE on single rays) for steps below
 * coarse-iters, then {@link #FINE} (MSE + lambda LPIPS on patches; MSE alone when no LPIPS backbone is
 * loaded). {@link #TORSO} marks the steps of torso training ({@link TorsoTrainStage}), a separate model
 * trained after these with the head frozen; it is last so that journaled ordinals of the others stay.
 */
public enum TrainingPhase {
    COARSE, FINE, TORSO;

    public static TrainingPhase ofStep(long step, long coarseIters) {
        return coarseIters < 0 || step < coarseIters ? COARSE : FINE;
    }
}
