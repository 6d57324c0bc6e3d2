package dev.synctalk.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture dataset's torso images and the torso background training reads from them. */
class FixtureTorsoDatasetTest {
    private static final int SIZE = 16;
    private static final int FRAMES = 11;

    @Test
    void torsoDatasetWritesRgbaTorsoImagesWhoseCompositeIsTheFixturesTorsoTarget(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("torso");
        FixtureDataset.write(root, new FixtureDataset.Settings(SIZE, SIZE, FRAMES, 3, true));
        SyntheticHeadFixture fixture = new SyntheticHeadFixture(new SyntheticHeadFixture.Config(SIZE, SIZE, FRAMES,
                FixtureDataset.FEATURE_DIM, 3));
        FloatImage torso = ImageFiles.read(root.resolve("torso_imgs/0.png"));
        assertEquals(4, torso.channels(), "torso images are RGBA");
        TrainingSet set = TrainingSet.load(root, AudioFeatureKind.AVE);
        SyntheticHeadFixture.TorsoView view = fixture.torsoView(set.images().get(0).imageId());
        float[] target = set.images().get(0).torsoBackground();
        float[] background = set.background();
        double worst = 0;
        for (int p = 0; p < SIZE * SIZE; p++) {
            assertEquals(view.torsoMask()[p], torso.data()[4 * p + 3], 0f, "alpha is the torso mask at pixel " + p);
            for (int c = 0; c < 3; c++) {
                // torso pixels are PNG-exact up to 8 bits; elsewhere the target is bc.jpg itself
                float expected = view.torsoMask()[p] > 0 ? view.torsoOverBackground()[3 * p + c] : background[3 * p + c];
                worst = Math.max(worst, Math.abs(target[3 * p + c] - expected));
            }
        }
        assertTrue(worst <= 0.5 / 255 + 1e-6, "torso target differs from the fixture's by " + worst);
    }

    @Test
    void datasetWithoutTorsoTrainsTheHeadOverBcJpgExactly(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("plain");
        FixtureDataset.write(root, new FixtureDataset.Settings(SIZE, SIZE, FRAMES, 3));
        TrainingSet set = TrainingSet.load(root, AudioFeatureKind.AVE);
        for (TrainingSet.Image image : set.images()) {
            assertArrayEquals(set.background(), image.torsoBackground(), "transparent torso leaves bc.jpg unchanged");
        }
    }
}
