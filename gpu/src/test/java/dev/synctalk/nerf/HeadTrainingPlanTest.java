package dev.synctalk.nerf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HeadTrainingPlanTest {
    private final HeadTrainingPlan plan = new HeadTrainingPlan(100, 60, 10, 4096, 32, 0.1, 0.01);

    @Test
    void phasesLayoutsAndLearningRatesFollowTheReferenceSchedule() {
        assertEquals(TrainingPhase.COARSE, plan.phase(59));
        assertEquals(StepLayout.rays(4096), plan.layout(59, null));
        assertEquals(0, plan.lpipsWeight(59));
        assertEquals(TrainingPhase.FINE, plan.phase(60));
        assertEquals(StepLayout.Kind.PATCHES, plan.layout(60, null).kind());
        assertEquals(4, plan.layout(60, null).patchCount());
        assertEquals(0.1, plan.lpipsWeight(60));
        assertEquals(Math.pow(0.5, 0.6), plan.learningRateFactor(60));
        assertEquals(TrainingPhase.LIPS, plan.phase(100));
        assertEquals(new StepLayout(StepLayout.Kind.LIPS, 48 * 48, 48, 3, 4), plan.layout(100, new int[] {3, 4, 48}));
        assertEquals(0.01, plan.lpipsWeight(105));
        assertEquals(Math.pow(0.05, 0.5), plan.learningRateFactor(105));
        assertEquals(110, plan.totalSteps());
    }

    @Test
    void aLipsStepWithoutARectangleIsRefused() {
        assertThrows(IllegalStateException.class, () -> plan.layout(100, null));
    }
}
