package dev.synctalk.nerf;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void infiniteParametersStopTrainingNamingGroupAndCount() {
        try (CpuBackend backend = new CpuBackend(1)) {
            TorsoTrainer trainer = TorsoTrainingTest.newTorsoTrainer(backend, 10, 16, 3);
            trainer.trainStep();
            float[] codes = trainer.optimizer().groups().get(3).params().get(0).data();
            // a code of a frame that is not trained this step: the loss stays finite, the update keeps the infinity
            int unused = trainer.batchOfStep(1).codeIndex() == 0 ? codes.length - 1 : 0;
            codes[unused] = Float.POSITIVE_INFINITY;
            TorsoDivergedException e = assertThrows(TorsoDivergedException.class, trainer::trainStep);
            assertEquals(1, e.step());
            assertEquals("torso training diverged at step 1 (phase torso): the update left 1 of " + codes.length
                    + " parameters of group torso.individual_codes not finite", e.getMessage());
            assertEquals(1, trainer.step());
        }
    }
}
