package dev.synctalk.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synctalk.engine.stage.Stage;
import dev.synctalk.nerf.TrainingPhase;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainScheduleStageTest {

    private static Stage schedule(TestStageContext context) throws Exception {
        return new TrainScheduleStage.Type().create(Configs.of(TrainScheduleStage.Config.class,
                Map.of("iters", 5L, "coarseIters", 2L, "lipsIters", 2L)), context);
    }

    @Test
    void ticketsCarryEveryStepWithItsPhaseInOrder(@TempDir Path runDir) throws Exception {
        TestStageContext context = new TestStageContext("schedule", runDir);
        List<TrainStepTicket> tickets;
        try (Stage stage = schedule(context)) {
            tickets = Collected.drain(stage, "tickets", TrainStepTicket.class);
        }
        assertEquals(List.of(new TrainStepTicket(0, TrainingPhase.COARSE), new TrainStepTicket(1, TrainingPhase.COARSE),
                new TrainStepTicket(2, TrainingPhase.FINE), new TrainStepTicket(3, TrainingPhase.FINE),
                new TrainStepTicket(4, TrainingPhase.FINE), new TrainStepTicket(5, TrainingPhase.LIPS),
                new TrainStepTicket(6, TrainingPhase.LIPS)), tickets);
        assertEquals(7, context.progressTotal);
    }

    @Test
    void seekRestartsAtTheGivenStep(@TempDir Path runDir) throws Exception {
        try (Stage stage = schedule(new TestStageContext("schedule", runDir))) {
            stage.seek(4);
            List<TrainStepTicket> tickets = Collected.drain(stage, "tickets", TrainStepTicket.class);
            assertEquals(List.of(4L, 5L, 6L), tickets.stream().map(TrainStepTicket::frameIndex).toList());
        }
    }
}
