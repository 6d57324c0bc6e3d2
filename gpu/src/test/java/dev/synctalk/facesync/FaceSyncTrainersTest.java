package dev.synctalk.facesync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.gpu.conv.CpuConvOps;
import dev.synctalk.gpu.tensor.NamedTensorFile;
import dev.synctalk.gpu.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints of both trainers: a resumed run ends bit-identical to an uninterrupted one; bad files are named. */
class FaceSyncTrainersTest {
    private static final FaceSyncSizes SIZES = new FaceSyncSizes(2, 24, 48);

    @TempDir
    Path dir;

    /** Two clips of random crops and mel spectrograms (what the values are does not matter here). */
    static List<SyncClip> randomClips(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<SyncClip> clips = new java.util.ArrayList<>();
        for (int k = 0; k < 2; k++) {
            int frames = 30 + 5 * k;
            byte[][] crops = new byte[frames][3 * 24 * 48];
            for (byte[] c : crops) {
                rng.nextBytes(c);
            }
            int melFrames = (int) Math.ceil(frames * 3.2) + 16;
            float[] mel = new float[melFrames * 80];
            for (int i = 0; i < mel.length; i++) {
                mel[i] = (float) rng.nextDouble(-4, 4);
            }
            int[] start = new int[frames];
            for (int i = 0; i < frames; i++) {
                start[i] = (int) Math.floor(3.2 * i);
            }
            clips.add(new SyncClip("clip" + k, 24, 48, crops, mel, start, frames - 5));
        }
        return clips;
    }

    private static int[] trainFrames(List<SyncClip> clips) {
        return clips.stream().mapToInt(SyncClip::trainFrames).toArray();
    }

    private static void assertSameState(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name).data(), actual.get(name).data(), name);
        }
    }

    @Test
    void expertResumedFromACheckpointEndsBitIdentical() throws Exception {
        List<SyncClip> clips = randomClips(1);
        SyncExpertTrainer.Settings settings = new SyncExpertTrainer.Settings(SIZES, 1e-3, 5);
        try (CpuConvOps ops = new CpuConvOps(2); SyncExpertTrainer straight = new SyncExpertTrainer(ops, settings);
             SyncExpertTrainer first = new SyncExpertTrainer(ops, settings);
             SyncExpertTrainer resumed = new SyncExpertTrainer(ops, settings)) {
            for (int step = 0; step < 4; step++) {
                straight.step(FaceSyncBatches.expert(clips, FaceSyncSampling.expertSamples(trainFrames(clips), 4, 9, step)));
            }
            for (int step = 0; step < 2; step++) {
                first.step(FaceSyncBatches.expert(clips, FaceSyncSampling.expertSamples(trainFrames(clips), 4, 9, step)));
            }
            Path checkpoint = dir.resolve("1.ckpt");
            first.writeCheckpoint(checkpoint);
            resumed.restoreCheckpoint(checkpoint);
            assertEquals(2, resumed.step());
            for (int step = 2; step < 4; step++) {
                resumed.step(FaceSyncBatches.expert(clips, FaceSyncSampling.expertSamples(trainFrames(clips), 4, 9, step)));
            }
            assertSameState(straight.expert().stateDict(), resumed.expert().stateDict());
            Path a = dir.resolve("a.ckpt");
            Path b = dir.resolve("b.ckpt");
            straight.writeCheckpoint(a);
            resumed.writeCheckpoint(b);
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "weights, moments and step");
        }
    }

    @Test
    void aveResumedFromACheckpointEndsBitIdenticalAndRefusesAnotherExpert() throws Exception {
        List<SyncClip> clips = randomClips(2);
        AveTrainer.Settings settings = new AveTrainer.Settings(SIZES, 1e-3, 0.5, 6);
        try (CpuConvOps ops = new CpuConvOps(2); SyncExpert expert = SyncExpert.create(ops, SIZES, 3, false);
             AveTrainer straight = new AveTrainer(ops, settings, expert);
             AveTrainer first = new AveTrainer(ops, settings, expert);
             AveTrainer resumed = new AveTrainer(ops, settings, expert)) {
            for (int step = 0; step < 3; step++) {
                straight.step(FaceSyncBatches.ave(clips, FaceSyncSampling.aveSamples(trainFrames(clips), 2, 4, step)));
            }
            first.step(FaceSyncBatches.ave(clips, FaceSyncSampling.aveSamples(trainFrames(clips), 2, 4, 0)));
            Path checkpoint = dir.resolve("0.ckpt");
            first.writeCheckpoint(checkpoint);
            resumed.restoreCheckpoint(checkpoint);
            for (int step = 1; step < 3; step++) {
                resumed.step(FaceSyncBatches.ave(clips, FaceSyncSampling.aveSamples(trainFrames(clips), 2, 4, step)));
            }
            assertSameState(straight.model().stateDict(), resumed.model().stateDict());

            try (SyncExpert other = SyncExpert.create(ops, SIZES, 4, false);
                 AveTrainer underOther = new AveTrainer(ops, settings, other)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> underOther.restoreCheckpoint(checkpoint));
                assertTrue(e.getMessage().contains(AveTrainer.EXPERT_CRC) && e.getMessage().contains(checkpoint.toString()),
                        e.getMessage());
            }
        }
    }

    @Test
    void aCheckpointMissingATensorIsRefusedNamingItAndChangesNothing() throws Exception {
        List<SyncClip> clips = randomClips(3);
        SyncExpertTrainer.Settings settings = new SyncExpertTrainer.Settings(SIZES, 1e-3, 5);
        try (CpuConvOps ops = new CpuConvOps(1); SyncExpertTrainer trainer = new SyncExpertTrainer(ops, settings);
             SyncExpertTrainer target = new SyncExpertTrainer(ops, settings)) {
            trainer.step(FaceSyncBatches.expert(clips, FaceSyncSampling.expertSamples(trainFrames(clips), 4, 1, 0)));
            Path checkpoint = dir.resolve("0.ckpt");
            trainer.writeCheckpoint(checkpoint);
            Map<String, Tensor> tensors = new LinkedHashMap<>(NamedTensorFile.read(checkpoint).tensors());
            tensors.remove("optim.exp_avg_sq.face_encoder.2.conv_block.1.weight");
            NamedTensorFile.write(tensors, checkpoint);
            Map<String, Tensor> before = target.expert().stateDict();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> target.restoreCheckpoint(checkpoint));
            assertTrue(e.getMessage().contains("optim.exp_avg_sq.face_encoder.2.conv_block.1.weight")
                    && e.getMessage().contains(checkpoint.toString()), e.getMessage());
            assertSameState(before, target.expert().stateDict());
            assertEquals(0, target.step());
        }
    }
}
