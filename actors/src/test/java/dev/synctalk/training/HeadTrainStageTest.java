package dev.synctalk.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.dataset.NpyArray;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.nerf.Checkpoint;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.TrainingDivergedException;
import dev.synctalk.nerf.TrainingPhase;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** head-train as a stage: tickets in, reports out; the non-finite guard at the stage's level. */
class HeadTrainStageTest {
    private static final int FRAMES = 20;

    private static Map<String, Object> params(Path dataset) {
        Map<String, Object> p = new HashMap<>();
        p.put("dataset", dataset);
        p.put("preset", ModelPreset.TINY);
        p.put("audioFeatures", AudioFeatureKind.AVE);
        p.put("iters", 400L);
        p.put("raysPerStep", 128);
        p.put("checkpointEvery", 2);
        p.put("previewEvery", 0);
        p.put("threads", 2);
        return p;
    }

    private static Stage stage(TestStageContext context, Map<String, Object> params) throws Exception {
        return new HeadTrainStage.Type().create(Configs.of(HeadTrainStage.Config.class, params), context);
    }

    @Test
    void aNonFiniteLossFailsTheStepNamingItAndTheNewestCheckpointIsTheLastGoodState(@TempDir Path dir)
            throws Exception {
        Path dataset = dir.resolve("fixture");
        FixtureDataset.write(dataset, new FixtureDataset.Settings(32, 32, FRAMES, 5));
        Path ave = dataset.resolve(DatasetAudioFeatures.AVE_FILE);
        NpyArray features = NpyArray.read(ave);
        float[] values = new float[features.rows() * FixtureDataset.FEATURE_DIM];
        for (int i = 0; i < features.rows(); i++) {
            System.arraycopy(features.row(i), 0, values, i * FixtureDataset.FEATURE_DIM, FixtureDataset.FEATURE_DIM);
        }
        int poisoned = poisonedFrame(dataset);
        values[poisoned * FixtureDataset.FEATURE_DIM] = Float.NaN;
        Files.write(ave, NpyArray.ofFloats(features.shape(), values).toBytes());
        TestStageContext context = new TestStageContext("head", dir.resolve("run"));
        TrainingDivergedException failure = null;
        long step = 0;
        try (Stage stage = stage(context, params(dataset))) {
            Collected<TrainStepReport> out = new Collected<>("steps", TrainStepReport.class);
            while (failure == null && step < 400) {
                try {
                    stage.process(Inputs.single("tickets", new TrainStepTicket(step, TrainingPhase.COARSE)), out);
                    step++;
                } catch (TrainingDivergedException e) {
                    failure = e;
                }
            }
            assertEquals(step, out.messages.size(), "every step before the bad one reported");
        }
        assertTrue(failure != null && failure.step() == step, "training stopped at the poisoned step");
        assertTrue(failure.getMessage().contains("step " + step + " (coarse phase)"), failure.getMessage());
        List<Long> checkpoints = HeadTrainStage.listCheckpoints(context.checkpointDir());
        assertFalse(checkpoints.isEmpty(), "some checkpoints were written before the failure");
        long newest = checkpoints.get(checkpoints.size() - 1);
        assertTrue(newest < step, "no checkpoint of the bad step: newest " + newest + ", failed at " + step);
        try (CpuBackend backend = new CpuBackend(1)) {
            HeadModelSpec spec = new HeadModelSpec(ModelPreset.TINY, AudioFeatureKind.AVE, FRAMES - FRAMES / 11,
                    new int[] {FixtureDataset.FEATURE_DIM}, 8, 128, 400, 1, 1e-2, 1e-3);
            HeadTrainer trainer = spec.newTrainer(backend);
            Checkpoint.restore(trainer, context.checkpointDir().resolve(newest + ".ckpt"));
            assertEquals(newest + 1, trainer.step());
            assertEquals(0, trainer.nonFiniteParameters());
        }
    }

    /** An audio frame whose first use (through a step's frame's window) comes after a few checkpointed steps. */
    private static int poisonedFrame(Path dataset) throws Exception {
        var train = dev.synctalk.dataset.DatasetReader.read(dataset).train();
        dev.synctalk.nerf.TrainingSampler sampler = new dev.synctalk.nerf.TrainingSampler(1 + 3);
        for (int audio = 0; audio < FRAMES; audio++) {
            long first = -1;
            for (long s = 0; s < 400 && first < 0; s++) {
                int centre = train.get(sampler.frameOfStep(s, train.size())).audioId();
                if (audio >= centre - 4 && audio < centre + 4) {
                    first = s;
                }
            }
            if (first >= 5) {
                return audio;
            }
        }
        throw new AssertionError("no audio frame is first used after step 5");
    }

    @Test
    void aTicketWhosePhaseDisagreesWithTheStagesScheduleIsRefused(@TempDir Path dir) throws Exception {
        Path dataset = dir.resolve("fixture");
        FixtureDataset.write(dataset, new FixtureDataset.Settings(32, 32, 12, 5));
        Map<String, Object> p = params(dataset);
        p.put("coarseIters", 1L);
        try (Stage stage = stage(new TestStageContext("head", dir.resolve("run")), p)) {
            Collected<TrainStepReport> out = new Collected<>("steps", TrainStepReport.class);
            stage.process(Inputs.single("tickets", new TrainStepTicket(0, TrainingPhase.COARSE)), out);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                    stage.process(Inputs.single("tickets", new TrainStepTicket(1, TrainingPhase.COARSE)), out));
            assertTrue(e.getMessage().contains("same values"), e.getMessage());
        }
    }
}
