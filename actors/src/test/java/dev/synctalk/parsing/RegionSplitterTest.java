package dev.synctalk.parsing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Head, neck and torso from the learned person mask on real frames (skips without the sample data). */
class RegionSplitterTest {
    @TempDir
    Path runDir;

    private static RegionMap regions(SampleFrames.WithLandmarks sample, SelfieSegmenter segmenter) {
        RgbImage image = sample.image();
        return new RegionSplitter(RegionSplitter.Settings.defaults())
                .split(segmenter.segment(image, sample.face()), image, sample.face());
    }

    @Test
    void theNeckSpansTheWholeJawSoNoTorsoColumnMeetsTheChin() throws Exception {
        try (SelfieSegmenter segmenter = SelfieSegmenter.load(SampleFrames.segmentationModel())) {
            for (String video : List.of("hdtf_aoc.mp4", "sun.mp4")) {
                SampleFrames.WithLandmarks sample = SampleFrames.withLandmarks(video, Set.of(10L), runDir).get(0);
                RegionMap regions = regions(sample, segmenter);
                FaceOutline face = sample.face();
                double left = Math.min(face.x(FaceOutline.LEFT_JAW_ANGLE), face.x(FaceOutline.RIGHT_JAW_ANGLE));
                double right = Math.max(face.x(FaceOutline.LEFT_JAW_ANGLE), face.x(FaceOutline.RIGHT_JAW_ANGLE));
                int columns = 0;
                for (int x = (int) Math.ceil(left + 0.15 * (right - left)); x < right - 0.15 * (right - left); x++) {
                    int y = (int) Math.ceil(face.jawLineY(x + 0.5, 0));
                    while (y < regions.height() && regions.at(x, y) == Region.HEAD) {
                        y++;
                    }
                    if (y < regions.height() && regions.at(x, y) != Region.BACKGROUND) {
                        assertEquals(Region.NECK, regions.at(x, y), video + ": below the jaw at column " + x + ", row " + y);
                        columns++;
                    }
                }
                assertTrue(columns > 0.5 * (right - left), video + ": neck under " + columns + " columns");
            }
        }
    }

    @Test
    void hairHangingBelowTheChinStaysWithTheHead() throws Exception {
        SampleFrames.WithLandmarks sample = SampleFrames.withLandmarks("sun.mp4", Set.of(10L), runDir).get(0);
        try (SelfieSegmenter segmenter = SelfieSegmenter.load(SampleFrames.segmentationModel())) {
            RgbImage image = sample.image();
            byte[] person = segmenter.segment(image, sample.face());
            RegionMap regions = new RegionSplitter(RegionSplitter.Settings.defaults()).split(person, image, sample.face());
            FaceOutline face = sample.face();
            byte[] lab;
            try (Mat rgb = Pixels.mat(image.rgb(), image.width(), image.height(), 3); Mat out = new Mat()) {
                opencv_imgproc.cvtColor(rgb, out, opencv_imgproc.COLOR_RGB2Lab);
                lab = Pixels.bytes(out);
            }
            // The long black hair on her shoulders: dark person pixels beside the neck, from the chin down to
            // half a face height below it.
            int hair = 0;
            int head = 0;
            for (int y = (int) face.chinY(); y < face.chinY() + 0.5 * face.height(); y++) {
                for (int x = 0; x < image.width(); x++) {
                    int p = y * image.width() + x;
                    boolean besideNeck = Math.abs(x + 0.5 - face.chinX()) > 0.45 * face.jawAngleWidth()
                            && Math.abs(x + 0.5 - face.chinX()) < face.width();
                    if (person[p] != 0 && besideNeck && (lab[3 * p] & 0xff) < 50) {
                        hair++;
                        head += regions.is(p, Region.HEAD) ? 1 : 0;
                    }
                }
            }
            assertTrue(hair > 500, "dark hair pixels beside the neck: " + hair);
            assertTrue(head > 0.85 * hair, head + " of " + hair + " hair pixels below the chin are head");
        }
    }
}
