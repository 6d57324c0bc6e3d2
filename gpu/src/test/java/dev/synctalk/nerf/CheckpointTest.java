package dev.synctalk.nerf;

import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    private static final int STEPS = 10;
    private static final int RAYS = 192;
    private static CpuBackend backend;
    private static SyntheticHeadFixture fixture;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
        fixture = FixtureTraining.fixture();
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** Grid updates every 3 steps, so the resumed half also updates the restored grid. */
    private static HeadTrainer trainer() {
        return FixtureTraining.newTrainer(backend, STEPS, RAYS, 77, 3);
    }

    private static void train(HeadTrainer trainer, int until) {
        while (trainer.step() < until) {
            int frame = FixtureTraining.frameOfStep(trainer.step());
            trainer.trainStep(fixture.trainFrame(frame, FixtureTraining.WINDOW, frame));
        }
    }

    private static List<float[]> parameters(HeadTrainer trainer) {
        List<float[]> all = new ArrayList<>();
        for (ParamGroup group : trainer.optimizer().groups()) {
            for (Tensor p : group.params()) {
                all.add(p.data().clone());
            }
        }
        all.add(trainer.grid().density().data().clone());
        return all;
    }

    @Test
    void resumedTrainingIsBitIdentical(@TempDir Path dir) throws IOException {
        HeadTrainer uninterrupted = trainer();
        train(uninterrupted, STEPS);

        HeadTrainer first = trainer();
        train(first, STEPS / 2);
        Path file = dir.resolve("head.ckpt");
        Checkpoint.write(first, file);
        HeadTrainer resumed = trainer();
        Checkpoint.restore(resumed, file);
        assertEquals(STEPS / 2, resumed.step());
        train(resumed, STEPS);

        List<float[]> expected = parameters(uninterrupted);
        List<float[]> actual = parameters(resumed);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "tensor " + i + " differs after resume");
        }
        assertArrayEquals(uninterrupted.randomState(), resumed.randomState());
    }

    @Test
    void checkpointIsWrittenAtomically(@TempDir Path dir) throws IOException {
        HeadTrainer trainer = trainer();
        train(trainer, 2);
        Path file = dir.resolve("head.ckpt");
        Checkpoint.write(trainer, file);
        byte[] before = Files.readAllBytes(file);
        train(trainer, 3);

        // the disk "fails" after 1000 bytes of the new checkpoint
        IOException failure = assertThrows(IOException.class, () -> Checkpoint.write(trainer, file, out ->
                new FilterOutputStream(out) {
                    private long written;

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        if (written + len > 1000) {
                            out.write(b, off, (int) (1000 - written));
                            throw new IOException("simulated disk failure");
                        }
                        written += len;
                        out.write(b, off, len);
                    }
                }));
        assertTrue(failure.getMessage().contains(file.toString()), failure.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file), "the previous checkpoint must be untouched");
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no temporary file may be left behind");
        }
        HeadTrainer restored = trainer();
        Checkpoint.restore(restored, file);
        assertEquals(2, restored.step());
    }

    @Test
    void corruptCheckpointIsRejectedWithClearError(@TempDir Path dir) throws IOException {
        HeadTrainer trainer = trainer();
        train(trainer, 1);
        Path file = dir.resolve("head.ckpt");
        Checkpoint.write(trainer, file);
        byte[] bytes = Files.readAllBytes(file);

        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x10;
        Path corrupt = dir.resolve("corrupt.ckpt");
        Files.write(corrupt, flipped);
        HeadTrainer target = trainer();
        List<float[]> untouched = parameters(target);
        IOException crc = assertThrows(IOException.class, () -> Checkpoint.restore(target, corrupt));
        assertTrue(crc.getMessage().contains("corrupt.ckpt") && crc.getMessage().contains("CRC"), crc.getMessage());
        List<float[]> after = parameters(target);
        for (int i = 0; i < untouched.size(); i++) {
            assertArrayEquals(untouched.get(i), after.get(i), "a rejected checkpoint must not change the trainer");
        }
        assertEquals(0, target.step());

        Path truncated = dir.resolve("truncated.ckpt");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, 10));
        IOException shortFile = assertThrows(IOException.class, () -> Checkpoint.restore(target, truncated));
        assertTrue(shortFile.getMessage().contains("truncated"), shortFile.getMessage());

        Path foreign = dir.resolve("foreign.ckpt");
        byte[] notOurs = bytes.clone();
        notOurs[0] = 'X';
        Files.write(foreign, notOurs);
        IOException magic = assertThrows(IOException.class, () -> Checkpoint.restore(target, foreign));
        assertTrue(magic.getMessage().contains("bad magic"), magic.getMessage());

        HeadTrainer otherShape = FixtureTraining.newTrainerWithGrid(backend, STEPS, RAYS, 77, 3, 16);
        IOException mismatch = assertThrows(IOException.class, () -> Checkpoint.restore(otherShape, file));
        assertTrue(mismatch.getMessage().contains("occupancy grid"), mismatch.getMessage());
        assertFalse(Files.exists(dir.resolve("head.ckpt.tmp")));
    }

    @Test
    void everySeededByteFlipAndCutOfACheckpointFailsVerification(@TempDir Path dir) throws IOException {
        HeadTrainer trainer = trainer();
        train(trainer, 1);
        Path file = dir.resolve("0.ckpt");
        Checkpoint.write(trainer, file);
        Checkpoint.verify(file);
        byte[] bytes = Files.readAllBytes(file);
        java.util.Random random = new java.util.Random(20261204L);
        Path damaged = dir.resolve("damaged.ckpt");
        for (int trial = 0; trial < 200; trial++) {
            byte[] copy;
            String what;
            if (trial % 4 == 3) {
                int length = random.nextInt(bytes.length);
                copy = java.util.Arrays.copyOf(bytes, length);
                what = "cut to " + length + " of " + bytes.length + " bytes";
            } else {
                copy = bytes.clone();
                int flips = 1 + random.nextInt(8);
                for (int f = 0; f < flips; f++) {
                    copy[random.nextInt(copy.length)] ^= (byte) (1 + random.nextInt(255));
                }
                what = flips + " bytes flipped";
            }
            if (java.util.Arrays.equals(copy, bytes)) {
                continue; // two flips of one byte cancelled out: nothing is damaged
            }
            Files.write(damaged, copy);
            IOException e = assertThrows(IOException.class, () -> Checkpoint.verify(damaged), what);
            assertTrue(e.getMessage().contains(damaged.toString()), e.getMessage());
        }
    }
}
