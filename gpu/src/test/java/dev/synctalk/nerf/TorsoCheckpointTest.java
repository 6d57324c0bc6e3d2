package dev.synctalk.nerf;

import dev.synctalk.gpu.optim.AdamWState;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorsoCheckpointTest {
    private static final int STEPS = 10;
    private static final int PIXELS = 256;
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static TorsoTrainer trainer() {
        return TorsoTrainingTest.newTorsoTrainer(backend, STEPS, PIXELS, 5);
    }

    private static void train(TorsoTrainer trainer, int until) {
        while (trainer.step() < until) {
            trainer.trainStep();
        }
    }

    /** Every parameter and both AdamW moments of every tensor. */
    private static List<float[]> state(TorsoTrainer trainer) {
        List<float[]> all = new ArrayList<>();
        for (ParamGroup group : trainer.optimizer().groups()) {
            for (Tensor p : group.params()) {
                all.add(p.data().clone());
            }
        }
        for (AdamWState s : trainer.optimizer().exportState()) {
            all.addAll(s.expAvg());
            all.addAll(s.expAvgSq());
        }
        return all;
    }

    @Test
    void resumedTorsoTrainingIsBitIdentical(@TempDir Path dir) throws IOException {
        TorsoTrainer uninterrupted = trainer();
        train(uninterrupted, STEPS);

        TorsoTrainer first = trainer();
        train(first, STEPS / 2);
        Path file = dir.resolve("torso.ckpt");
        TorsoCheckpoint.write(first, file);
        TorsoTrainer resumed = trainer();
        TorsoCheckpoint.restore(resumed, file);
        assertEquals(STEPS / 2, resumed.step());
        train(resumed, STEPS);

        List<float[]> expected = state(uninterrupted);
        List<float[]> actual = state(resumed);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "tensor " + i + " differs after resume");
        }
        assertArrayEquals(uninterrupted.randomState(), resumed.randomState());
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no temporary file may be left behind");
        }
    }

    @Test
    void corruptOrForeignCheckpointIsRejectedWithoutChangingTheTrainer(@TempDir Path dir) throws IOException {
        TorsoTrainer trainer = trainer();
        train(trainer, 1);
        Path file = dir.resolve("torso.ckpt");
        TorsoCheckpoint.write(trainer, file);
        byte[] flipped = Files.readAllBytes(file);
        flipped[flipped.length / 2] ^= 0x10;
        Path corrupt = dir.resolve("corrupt.ckpt");
        Files.write(corrupt, flipped);

        TorsoTrainer target = trainer();
        List<float[]> untouched = state(target);
        IOException crc = assertThrows(IOException.class, () -> TorsoCheckpoint.restore(target, corrupt));
        assertTrue(crc.getMessage().contains("corrupt.ckpt") && crc.getMessage().contains("CRC"), crc.getMessage());

        Path head = dir.resolve("head.ckpt");
        Checkpoint.write(FixtureTraining.newTrainer(backend, 1, 8, 3), head);
        IOException foreign = assertThrows(IOException.class, () -> TorsoCheckpoint.restore(target, head));
        assertTrue(foreign.getMessage().contains("head.ckpt") && foreign.getMessage().contains("bad magic"),
                foreign.getMessage());

        List<float[]> after = state(target);
        for (int i = 0; i < untouched.size(); i++) {
            assertArrayEquals(untouched.get(i), after.get(i), "tensor " + i + " changed by a failed restore");
        }
        assertEquals(0, target.step());
    }
}
