package dev.synctalk.nerf;

import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.nerf.fixture.FixtureTrainingSetup;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;

/** The small training set-up the fixture tests share: {@link FixtureTrainingSetup} with test defaults. */
final class FixtureTraining {
    static final int FRAMES = FixtureTrainingSetup.FRAMES;
    static final int WINDOW = FixtureTrainingSetup.WINDOW;
    static final int FEATURE_DIM = FixtureTrainingSetup.FEATURE_DIM;

    private FixtureTraining() {
    }

    static SyntheticHeadFixture fixture() {
        return FixtureTrainingSetup.fixture();
    }

    static boolean heldOut(int frame) {
        return FixtureTrainingSetup.heldOut(frame);
    }

    static HeadTrainer newTrainer(Backend backend, long iterations, int raysPerStep, long seed) {
        return newTrainer(backend, iterations, raysPerStep, seed, 16);
    }

    static HeadTrainer newTrainer(Backend backend, long iterations, int raysPerStep, long seed, int gridUpdateInterval) {
        return newTrainerWithGrid(backend, iterations, raysPerStep, seed, gridUpdateInterval, 32);
    }

    static HeadTrainer newTrainerWithGrid(Backend backend, long iterations, int raysPerStep, long seed,
                                          int gridUpdateInterval, int gridResolution) {
        return FixtureTrainingSetup.newTrainer(backend, iterations, raysPerStep, seed, gridUpdateInterval, gridResolution);
    }

    static int frameOfStep(long k) {
        return FixtureTrainingSetup.frameOfStep(k);
    }
}
