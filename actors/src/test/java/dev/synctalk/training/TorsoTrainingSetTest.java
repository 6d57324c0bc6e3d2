package dev.synctalk.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synctalk.nerf.TorsoTrainingData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dataset as torso training reads it: the training split's poses, codes and torso images over bc.jpg. */
class TorsoTrainingSetTest {
    private static final int SIZE = 16;
    private static final int FRAMES = 11;

    @Test
    void torsoTargetsAreTheHeadTrainingsTorsoBackgroundsBitForBit(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("torso");
        FixtureDataset.write(root, new FixtureDataset.Settings(SIZE, SIZE, FRAMES, 3, true));
        TorsoTrainingData data = TorsoTrainingSet.load(root);
        TrainingSet set = TrainingSet.load(root, AudioFeatureKind.AVE);
        assertEquals(set.images().size(), data.frameCount());
        assertArrayEquals(set.background(), data.background());
        int[] all = new int[SIZE * SIZE];
        for (int p = 0; p < all.length; p++) {
            all[p] = p;
        }
        for (int k = 0; k < data.frameCount(); k++) {
            TrainingSet.Image image = set.images().get(k);
            TorsoTrainingData.Frame frame = data.frame(k);
            assertEquals(image.imageId(), frame.imageId());
            assertEquals(k, frame.codeIndex(), "the torso code is the position in the training split");
            assertArrayEquals(image.pose(), frame.pose());
            float[] target = data.gather(k, data.packedRgba(k), all).target().data();
            assertArrayEquals(image.torsoBackground(), target, "frame " + k + ": torso over bc.jpg");
        }
    }

    @Test
    void missingTorsoImageIsTransparent(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("torso");
        FixtureDataset.write(root, new FixtureDataset.Settings(SIZE, SIZE, FRAMES, 3, true));
        TorsoTrainingData data = TorsoTrainingSet.load(root);
        Files.delete(root.resolve("torso_imgs").resolve(data.frame(2).imageId() + ".png"));
        assertArrayEquals(new int[SIZE * SIZE], data.packedRgba(2));
    }
}
