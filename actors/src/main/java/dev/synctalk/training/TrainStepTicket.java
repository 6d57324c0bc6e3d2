package dev.synctalk.training;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.nerf.TrainingPhase;

/**
 * One training step to run (frameIndex = step, 0-based) and the phase the schedule puts it in. The trainer
 * draws the step's frame and rays itself, from the step number (dev.synctalk.nerf.TrainingSampler), so the
 * stream carries a few bytes per step instead of the rays.
 */
public record TrainStepTicket(long frameIndex, TrainingPhase phase) implements Indexed {
}
