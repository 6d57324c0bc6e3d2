package dev.synctalk.parsing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.video.VideoFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parsing on real frames of sun.mp4 (upper body, 576x768) with a fixed face oval read off the frames (the
 * landmark stage is not part of this package). Writes target/parsing-sun-contact-sheet.png to look at.
 */
class SunSampleParsingTest {
    @TempDir
    Path runDir;

    @Test
    void headIsAboveNeckIsAboveTorso() throws Exception {
        List<VideoFrame> frames = SampleFrames.decode("sun.mp4", 241, Set.of(0L, 60L, 120L, 180L, 240L), runDir);
        List<RgbImage> images = new ArrayList<>();
        List<FaceOutline> faces = new ArrayList<>();
        for (VideoFrame f : frames) {
            images.add(new RgbImage(f.width(), f.height(), f.rgb()));
            faces.add(FaceOutline.of(SyntheticFaces.sunFace(f.frameIndex()), f.width(), f.height()));
        }
        // A smaller working size than the stage's default keeps this test quick on a shared CI machine.
        PersonSegmenter segmenter = new PersonSegmenter(new PersonSegmenter.Settings(384, 30, 3, 0.005));
        RgbImage background = new BackgroundEstimator(segmenter, 2, 5).estimate(images, faces).background();
        RegionSplitter splitter = new RegionSplitter(RegionSplitter.Settings.defaults());
        ParsingContactSheet sheet = new ParsingContactSheet(288);
        for (int i : new int[] {0, 2, 4}) {
            RgbImage frame = images.get(i);
            FaceOutline face = faces.get(i);
            RegionMap regions = splitter.split(segmenter.segment(frame, background, face), frame, face);
            double[] head = centroid(regions, Region.HEAD);
            double[] neck = centroid(regions, Region.NECK);
            double[] torso = centroid(regions, Region.TORSO);
            String where = "frame " + frames.get(i).frameIndex();
            assertTrue(head[1] < neck[1] && neck[1] < torso[1], where + ": head y " + head[1] + ", neck y " + neck[1]
                    + ", torso y " + torso[1]);
            assertTrue(Math.abs(neck[0] - face.chinX()) < 0.25 * face.width(), where + ": neck under the chin");
            // The upper body fills much of this frame: the torso is the largest region, the red wall above the
            // head is background.
            assertTrue(regions.count(Region.TORSO) > regions.count(Region.HEAD), where);
            assertTrue(regions.at(288, 60) == Region.BACKGROUND && regions.at(20, 100) == Region.BACKGROUND, where);
            assertTrue(regions.at(288, 600) == Region.TORSO, where + ": the dress is torso");
            RgbImage gt = TorsoImages.groundTruth(frame, regions, background);
            sheet.add(new ParsingContactSheet.Row(frame, face, regions, TorsoImages.torso(gt, regions, background), gt));
        }
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target/parsing-sun-contact-sheet.png"), sheet.png());
        Files.write(Path.of("target/parsing-sun-bc.png"),
                Pixels.encode(background.rgb(), background.width(), background.height(), 3, "png", new int[0]));
    }

    private static double[] centroid(RegionMap regions, Region region) {
        double sx = 0;
        double sy = 0;
        long n = 0;
        for (int y = 0; y < regions.height(); y++) {
            for (int x = 0; x < regions.width(); x++) {
                if (regions.at(x, y) == region) {
                    sx += x;
                    sy += y;
                    n++;
                }
            }
        }
        assertTrue(n > 100, region + " has " + n + " pixels");
        return new double[] {sx / n, sy / n};
    }
}
