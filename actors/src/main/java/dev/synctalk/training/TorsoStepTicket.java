package dev.synctalk.training;

import dev.synctalk.engine.stage.Indexed;

/**
 * A torso training step to run (frameIndex = step, 0-based). The trainer draws the step's frame and pixels
 * itself from the step number (nerf.TorsoPixelSampler), so only the number travels, not images.
 */
public record TorsoStepTicket(long frameIndex) implements Indexed {

    public TorsoStepTicket {
        if (frameIndex < 0) {
            throw new IllegalArgumentException("a torso step is not negative, got " + frameIndex);
        }
    }
}
