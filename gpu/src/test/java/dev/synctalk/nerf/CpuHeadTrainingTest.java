package dev.synctalk.nerf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.nerf.fixture.FixtureTrainingSetup;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Head training by step number on the CPU: resume, the non-finite guard and the shared data path. */
class CpuHeadTrainingTest {
    private static final int RAYS = 256;
    private static final SyntheticHeadFixture FIXTURE = FixtureTrainingSetup.fixture();
    private static final CpuBackend BACKEND = new CpuBackend(2);

    @TempDir
    Path dir;

    @AfterAll
    static void close() {
        BACKEND.close();
    }

    private static HeadTrainingData data(float[][] audio) {
        HeadTrainingData base = FixtureTrainingSetup.trainingData(FIXTURE, new int[] {FixtureTrainingSetup.FEATURE_DIM},
                FixtureTrainingSetup.WINDOW);
        return audio == null ? base : new HeadTrainingData(base.camera(), base.frames(), base.featureShape(), audio,
                base.window(), base.pixelSource());
    }

    private static CpuHeadTraining training(HeadTrainingData data, long iterations) {
        HeadTrainer trainer = FixtureTrainingSetup.newTrainer(BACKEND, iterations, RAYS, 5, 4, 32);
        return new CpuHeadTraining(trainer, data, new HeadTrainingPlan(iterations, 4, 0, RAYS, 8, 0, 0), null);
    }

    @Test
    void resumedRunMatchesUninterruptedRun() throws Exception {
        HeadTrainingData data = data(null);
        CpuHeadTraining uninterrupted = training(data, 8);
        for (int k = 0; k < 8; k++) {
            uninterrupted.trainStep();
        }
        Path whole = dir.resolve("whole.ckpt");
        uninterrupted.writeCheckpoint(whole);

        CpuHeadTraining first = training(data, 8);
        for (int k = 0; k < 5; k++) {
            first.trainStep();
        }
        Path middle = dir.resolve("5.ckpt");
        first.writeCheckpoint(middle);
        CpuHeadTraining resumed = training(data, 8);
        resumed.restoreCheckpoint(middle);
        assertEquals(5, resumed.step());
        while (resumed.step() < 8) {
            resumed.trainStep();
        }
        Path end = dir.resolve("resumed.ckpt");
        resumed.writeCheckpoint(end);
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(end),
                "coarse and fine (patch) steps, grid updates and AdamW continue bit for bit");
    }

    @Test
    void nonFiniteTrainingStopsNamingStepAndPhaseAndTheNewestCheckpointIsTheLastGoodOne() throws Exception {
        float[][] audio = data(null).audioFeatures().clone();
        int poisoned = 40;
        audio[poisoned] = audio[poisoned].clone();
        audio[poisoned][0] = Float.NaN;
        HeadTrainingData data = data(audio);
        CpuHeadTraining training = training(data, 400);
        TrainingSampler sampler = training.trainer().sampler();
        long expected = -1;
        for (long step = 0; step < 400 && expected < 0; step++) {
            int frame = sampler.frameOfStep(step, data.frameCount());
            if (Math.abs(data.frames().get(frame).audioId() - poisoned) <= FixtureTrainingSetup.WINDOW / 2) {
                expected = step;
            }
        }
        assertTrue(expected > 0, "some later step's window holds the poisoned audio frame");
        Path good = dir.resolve("good.ckpt");
        TrainingDivergedException e = null;
        while (e == null) {
            try {
                training.trainStep();
                training.writeCheckpoint(good);
            } catch (TrainingDivergedException thrown) {
                e = thrown;
            }
        }
        assertEquals(expected, e.step());
        // a NaN loss stops before the update; NaN parameters (here: a zero gradient times the NaN input of the
        // audio net) after it; either way nothing of the bad state was written
        assertTrue(training.step() == expected || training.step() == expected + 1);
        assertTrue(e.getMessage().contains("step " + expected) && e.getMessage().contains("phase"), e.getMessage());
        CpuHeadTraining check = training(data(null), 400);
        check.restoreCheckpoint(good);
        assertEquals(expected, check.step(), "the newest checkpoint is the last good step's");
        assertEquals(0, check.trainer().nonFiniteParameters());
    }

    @Test
    void nonFiniteParametersAreReportedByTheSharedGuard() {
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> TrainingDivergedException.check(12, TrainingPhase.FINE, 0.5, 3));
        assertTrue(e.getMessage().contains("step 12 (fine phase)") && e.getMessage().contains("3 parameters"),
                e.getMessage());
        TrainingDivergedException.check(12, TrainingPhase.FINE, 0.5, 0);
        assertFalse(e.getMessage().isEmpty());
    }

    @Test
    void raysComeFromTheStepsFrameAsBytes() {
        HeadTrainingData data = data(null);
        int[] pixels = {0, 33, 1000};
        RayBatch batch = data.rayBatch(BACKEND, 3, pixels);
        SyntheticHeadFixture.Frame f = FIXTURE.frames().get(3);
        for (int i = 0; i < pixels.length; i++) {
            for (int c = 0; c < 3; c++) {
                float expected = (HeadTrainingData.toByte(f.image()[3 * pixels[i] + c]) & 0xFF) / 255f;
                assertEquals(expected, batch.target().data()[3 * i + c]);
                assertEquals(f.image()[3 * pixels[i] + c], batch.target().data()[3 * i + c], 0.5f / 255 + 1e-6f);
            }
            assertEquals(f.faceMask()[pixels[i]], batch.faceMask().data()[i]);
            assertEquals(f.lowerFaceMask()[pixels[i]], batch.lowerFaceMask().data()[i]);
        }
    }
}
