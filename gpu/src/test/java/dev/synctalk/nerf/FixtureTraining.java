package dev.synctalk.nerf;

import dev.synctalk.gpu.render.RayMarcher;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;

/** The small training set-up the fixture tests share: 32x32 fixture, tiny model, 32^3 grid. */
final class FixtureTraining {
    static final int FRAMES = 72;
    static final int WINDOW = 8;
    static final int FEATURE_DIM = 32;

    private FixtureTraining() {
    }

    static SyntheticHeadFixture fixture() {
        return new SyntheticHeadFixture(new SyntheticHeadFixture.Config(32, 32, FRAMES, FEATURE_DIM, 5));
    }

    /** Every sixth frame is held out from training. */
    static boolean heldOut(int frame) {
        return frame % 6 == 5;
    }

    static HeadTrainer newTrainer(Backend backend, long iterations, int raysPerStep, long seed) {
        return newTrainer(backend, iterations, raysPerStep, seed, 16);
    }

    static HeadTrainer newTrainer(Backend backend, long iterations, int raysPerStep, long seed, int gridUpdateInterval) {
        return newTrainerWithGrid(backend, iterations, raysPerStep, seed, gridUpdateInterval, 32);
    }

    /**
     * Tiny model (no individual codes: the fixture has no per-frame appearance changes for them to
     * explain, and with codes the mouth is learnt per frame instead of from audio), network lr 5e-3.
     */
    static HeadTrainer newTrainerWithGrid(Backend backend, long iterations, int raysPerStep, long seed,
                                          int gridUpdateInterval, int gridResolution) {
        HeadModelConfig modelConfig = HeadModelConfig.tiny(FRAMES).withLearningRates(1e-2, 5e-3).withIndividualCodeDim(0);
        HeadModel model = new HeadModel(modelConfig, seed);
        AudioConditioner conditioner = new AudioConditioner(
                new AveAudioNet(FEATURE_DIM, 32, 16, modelConfig.audioDim(), seed + 1),
                new AudioAttNet(modelConfig.audioDim(), WINDOW, seed + 2));
        HeadTrainerConfig config = new HeadTrainerConfig(raysPerStep, iterations, gridUpdateInterval, gridResolution,
                new RayMarcher(1f, 0.05f, 1f / 256f, 16, gridResolution), seed + 3);
        return new HeadTrainer(backend, config, model, conditioner);
    }

    /** The training frame of step k: the training frames in a fixed strided order. */
    static int frameOfStep(long k) {
        int trainCount = FRAMES - FRAMES / 6;
        int slot = (int) ((k * 37) % trainCount);
        int frame = slot / 5 * 6 + slot % 5;
        return frame;
    }
}
