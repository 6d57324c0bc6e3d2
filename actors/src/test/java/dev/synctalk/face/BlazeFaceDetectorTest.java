package dev.synctalk.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.video.VideoFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlazeFaceDetectorTest {

    @Test
    void shortRangeAnchorsFollowMediaPipesLayout() {
        float[] c = BlazeFaceAnchors.shortRangeCenters();
        assertEquals(2 * 896, c.length);
        // 16x16 map, 2 anchors per cell, row-major from the top-left cell
        assertEquals(1 / 32f, c[0], 1e-6);
        assertEquals(1 / 32f, c[1], 1e-6);
        assertEquals(1 / 32f, c[2], 1e-6);
        assertEquals(3 / 32f, c[4], 1e-6, "third anchor is the next cell to the right");
        assertEquals(1 / 32f, c[5], 1e-6);
        // 8x8 map starts at anchor 512 with 6 anchors per cell
        for (int a = 512; a < 518; a++) {
            assertEquals(1 / 16f, c[2 * a], 1e-6);
            assertEquals(1 / 16f, c[2 * a + 1], 1e-6);
        }
        assertEquals(3 / 16f, c[2 * 518], 1e-6);
        assertEquals(15 / 16f, c[2 * 895], 1e-6);
        assertEquals(15 / 16f, c[2 * 895 + 1], 1e-6);
    }

    @Test
    void weightedSuppressionBlendsOverlappingBoxesByScore() {
        FaceDetection strong = new FaceDetection(0.9f, 100, 100, 100, 100, keypoints(150));
        FaceDetection overlapping = new FaceDetection(0.6f, 110, 100, 100, 100, keypoints(160));
        FaceDetection elsewhere = new FaceDetection(0.7f, 400, 400, 50, 50, keypoints(425));
        List<FaceDetection> kept = BlazeFaceDetector.weightedNonMaxSuppression(
                List.of(overlapping, elsewhere, strong), BlazeFaceDetector.NMS_IOU);
        assertEquals(2, kept.size());
        FaceDetection blended = kept.get(0);
        assertEquals(0.9f, blended.score(), 1e-6, "the best score is kept");
        assertEquals((0.9 * 100 + 0.6 * 110) / 1.5, blended.xMin(), 1e-3);
        assertEquals(100, blended.width(), 1e-3);
        assertEquals((0.9 * 150 + 0.6 * 160) / 1.5, blended.keypointX(0), 1e-3);
        assertEquals(elsewhere, kept.get(1), "a box without overlap is kept unchanged");
    }

    private static float[] keypoints(float value) {
        float[] k = new float[12];
        java.util.Arrays.fill(k, value);
        return k;
    }

    @Test
    void detectorFindsOneFaceInEverySampleFrame() throws Exception {
        long[] indices = new long[20];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = i * 10L + 3;
        }
        BlazeFaceDetector detector = SampleFaces.bundle().detector();
        for (VideoFrame frame : SampleFaces.frames(indices)) {
            List<FaceDetection> faces = detector.detect(frame);
            assertEquals(1, faces.size(), "faces in frame " + frame.frameIndex());
            FaceDetection face = faces.get(0);
            assertTrue(face.score() > 0.7f, "score " + face.score() + " in frame " + frame.frameIndex());
            // hdtf_aoc is a tight 512x512 face crop: the box covers a large central part of it
            assertTrue(face.width() > 200 && face.width() < 512, "box width " + face.width());
            assertTrue(Math.abs(face.centerX() - 256) < 80 && Math.abs(face.centerY() - 256) < 120,
                    "box centre " + face.centerX() + "," + face.centerY());
            assertTrue(face.keypointX(FaceDetection.RIGHT_EYE) < face.keypointX(FaceDetection.LEFT_EYE),
                    "the subject's right eye is on the image's left");
            assertTrue(face.keypointY(FaceDetection.RIGHT_EYE) < face.keypointY(FaceDetection.NOSE_TIP)
                    && face.keypointY(FaceDetection.NOSE_TIP) < face.keypointY(FaceDetection.MOUTH_CENTER));
        }
    }

    @Test
    void letterboxedDetectionMapsBackToTheImage() throws Exception {
        VideoFrame frame = SampleFaces.frames(50).get(0);
        BlazeFaceDetector detector = SampleFaces.bundle().detector();
        FaceDetection inCrop = detector.detect(frame).get(0);
        // The same face at half size in a wide canvas: 256x256 at (600, 150) of 1024 x 576.
        VideoFrame wide = SampleFaces.compose(1024, 576, List.of(frame), new int[] {256}, new int[][] {{600, 150}});
        List<FaceDetection> faces = detector.detect(wide);
        assertEquals(1, faces.size());
        FaceDetection inWide = faces.get(0);
        float expectedX = 600 + inCrop.centerX() / 2;
        float expectedY = 150 + inCrop.centerY() / 2;
        assertEquals(expectedX, inWide.centerX(), 10, "box centre x in the wide frame");
        assertEquals(expectedY, inWide.centerY(), 10, "box centre y in the wide frame");
        assertEquals(inCrop.width() / 2, inWide.width(), 15, "box width scales with the face");
        assertEquals(600 + inCrop.keypointX(FaceDetection.NOSE_TIP) / 2, inWide.keypointX(FaceDetection.NOSE_TIP), 8);
        assertEquals(150 + inCrop.keypointY(FaceDetection.NOSE_TIP) / 2, inWide.keypointY(FaceDetection.NOSE_TIP), 8);
    }
}
