package dev.synctalk.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.testing.Configs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What head-train's type says before any training step: warnings at the start, checkpoints it can trust. */
class HeadTrainStageTest {
    private final HeadTrainStage.Type type = new HeadTrainStage.Type();

    @TempDir
    Path dir;

    private HeadTrainStage.Config config(Map<String, Object> overrides) {
        Map<String, Object> all = new HashMap<>(overrides);
        all.put("dataset", dir.resolve("dataset"));
        return Configs.of(HeadTrainStage.Config.class, all);
    }

    @Test
    void missingLpipsWeightsAreAnnouncedWhenTheRunStartsNotWhenTheFinePhaseDoes() throws IOException {
        Path absent = dir.resolve("lpips_alex.stnt");
        List<String> warnings = type.warnings(config(Map.of("lpipsWeights", absent, "iters", 100L, "coarseIters", 50L)));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(absent.toString()) && warnings.get(0).contains("MSE only"), warnings.get(0));

        assertEquals(List.of(), type.warnings(config(Map.of("lpipsWeights", absent, "iters", 100L, "coarseIters", -1L))),
                "an all-coarse run never uses LPIPS");
        assertEquals(List.of(), type.warnings(config(Map.of("lpipsWeights", absent, "lpipsWeight", 0.0))),
                "LPIPS weighted 0 is not used");
        Files.write(absent, new byte[] {1});
        assertEquals(List.of(), type.warnings(config(Map.of("lpipsWeights", absent, "iters", 100L, "coarseIters", 50L))));
    }

    @Test
    void aCheckpointThatIsNotCompleteFailsVerificationNamingItsFile() throws IOException {
        Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
        Path file = Files.write(checkpoints.resolve("99.ckpt"), new byte[] {'S', 'T', 'N', 'E', 'R', 'F'});
        assertEquals(List.of(99L), type.checkpoints(config(Map.of()), checkpoints));
        IOException e = assertThrows(IOException.class, () -> type.verifyCheckpoint(config(Map.of()), checkpoints, 99));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
