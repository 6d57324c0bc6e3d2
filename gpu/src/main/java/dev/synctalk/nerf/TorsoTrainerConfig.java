package dev.synctalk.nerf;

/**
 * Settings of torso training (the reference's --torso stage).
 *
 * @param pixelsPerStep       pixels sampled per step from the step's frame (reference 65,536 rays)
 * @param iterations          total planned steps: the lr decays as 0.5^(step / iterations)
 * @param anchorWeight        weight of mean (1 - anchor_w)^2, the pull of the anchors' w towards 1 (1)
 * @param alphaEntropyWeight  weight of the torso alpha entropy (1e-4; see {@link TorsoTrainer})
 * @param seed                seed of the trainer's random numbers
 */
public record TorsoTrainerConfig(int pixelsPerStep, long iterations, float anchorWeight, float alphaEntropyWeight,
                                 long seed) {

    public TorsoTrainerConfig {
        if (pixelsPerStep < 1 || iterations < 1 || anchorWeight < 0 || alphaEntropyWeight < 0) {
            throw new IllegalArgumentException("invalid torso trainer settings: pixels=" + pixelsPerStep
                    + " iterations=" + iterations + " anchorWeight=" + anchorWeight + " alphaEntropyWeight="
                    + alphaEntropyWeight);
        }
    }

    /** The reference's settings for a run of {@code iterations} steps. */
    public static TorsoTrainerConfig syncTalk(long iterations, long seed) {
        return new TorsoTrainerConfig(65536, iterations, 1f, 1e-4f, seed);
    }
}
