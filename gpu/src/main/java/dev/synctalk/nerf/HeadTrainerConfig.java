package dev.synctalk.nerf;

import dev.synctalk.gpu.render.RayMarcher;

/**
 * Settings of head training.
 *
 * @param raysPerStep        rays sampled per step from the step's frame (reference 65,536)
 * @param iterations         total planned steps: sets the step factor min(step / iterations, 1) of the
 *                           losses and the lr decay 0.5^(step / iterations)
 * @param gridUpdateInterval occupancy grid update every this many steps (16)
 * @param gridResolution     occupancy grid side (128)
 * @param marcher            ray marching settings
 * @param seed               seed of parameters and of the trainer's random numbers
 */
public record HeadTrainerConfig(int raysPerStep, long iterations, int gridUpdateInterval, int gridResolution,
                                RayMarcher marcher, long seed) {

    public HeadTrainerConfig {
        if (raysPerStep < 1 || iterations < 1 || gridUpdateInterval < 1) {
            throw new IllegalArgumentException("invalid trainer settings: rays=" + raysPerStep + " iterations="
                    + iterations + " gridUpdateInterval=" + gridUpdateInterval);
        }
        if (marcher.gridResolution() != gridResolution) {
            throw new IllegalArgumentException("marcher grid " + marcher.gridResolution()
                    + " differs from the occupancy grid " + gridResolution);
        }
    }

    /** The reference's settings for a run of {@code iterations} steps. */
    public static HeadTrainerConfig syncTalk(long iterations, long seed) {
        return new HeadTrainerConfig(65536, iterations, 16, 128, RayMarcher.syncTalk(128), seed);
    }
}
