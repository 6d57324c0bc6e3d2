package dev.synctalk.nerf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.gpu.tensor.CpuBackend;
import org.junit.jupiter.api.Test;

/** A torso step whose loss or parameters are not finite stops training, naming the step, before it counts. */
class TorsoDivergenceTest {

    @Test
    void injectedNanStopsTrainingAtItsStepWithoutCountingTheStep() {
        try (CpuBackend backend = new CpuBackend(2)) {
            TorsoTrainer trainer = TorsoTrainingTest.newTorsoTrainer(backend, 10, 64, 7);
            trainer.trainStep();
            trainer.trainStep();
            trainer.model().anchors().data()[3] = Float.NaN;
            TorsoDivergedException e = assertThrows(TorsoDivergedException.class, trainer::trainStep);
            assertEquals(2, e.step());
            assertTrue(e.getMessage().contains("diverged at step 2 (phase torso)") && e.getMessage().contains("loss NaN"),
                    e.getMessage());
            assertEquals(2, trainer.step(), "the failed step is not counted");
            assertTrue(Float.isNaN(trainer.model().anchors().data()[3]), "nothing was updated from the NaN loss");
        }
    }

    @Test
    void nonFiniteParametersAreNamedByGroupAndCount() {
        try (CpuBackend backend = new CpuBackend(1)) {
            TorsoTrainer trainer = TorsoTrainingTest.newTorsoTrainer(backend, 10, 16, 3);
            assertNull(TorsoTrainer.nonFiniteParameters(trainer.optimizer()));
            float[] grid = trainer.optimizer().groups().get(0).params().get(0).data();
            grid[5] = Float.POSITIVE_INFINITY;
            grid[9] = Float.NaN;
            assertEquals("2 of " + grid.length + " parameters of group torso.grid not finite",
                    TorsoTrainer.nonFiniteParameters(trainer.optimizer()));
        }
    }
}
