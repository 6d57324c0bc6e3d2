package dev.synctalk.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.video.VideoFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaceMeshLandmarkerTest {

    @Test
    void cropMatrixAndPointMappingAgree() {
        FaceRoi roi = new FaceRoi(300, 200, 180, 180, Math.toRadians(25));
        double[] m = roi.cropToImage(256);
        for (double[] uv : new double[][] {{0, 0}, {255, 0}, {17, 200}, {128, 128}}) {
            // OpenCV pixel (u, v) has its centre at continuous (u + 0.5, v + 0.5) in both images.
            double[] expected = roi.cropPointToImage(uv[0] + 0.5, uv[1] + 0.5, 256);
            assertEquals(expected[0] - 0.5, m[0] * uv[0] + m[1] * uv[1] + m[2], 1e-9);
            assertEquals(expected[1] - 0.5, m[3] * uv[0] + m[4] * uv[1] + m[5], 1e-9);
        }
        double[] centre = roi.cropPointToImage(128, 128, 256);
        assertEquals(300, centre[0], 1e-9);
        assertEquals(200, centre[1], 1e-9);
        // The crop's +x axis runs along the rotation: its right edge midpoint lies at angle 25 degrees (y down).
        double[] right = roi.cropPointToImage(256, 128, 256);
        assertEquals(Math.toRadians(25), Math.atan2(right[1] - 200, right[0] - 300), 1e-9);
    }

    @Test
    void roiRotationLevelsTheEyes() {
        // Left eye (image right) lower than the right eye: the head is rolled clockwise on screen.
        float[] keypoints = {100, 100, 200, 130, 150, 150, 150, 180, 60, 120, 240, 150};
        FaceRoi roi = FaceRoi.fromDetection(new FaceDetection(0.9f, 80, 60, 140, 150, keypoints));
        assertEquals(Math.atan2(30, 100), roi.rotationRadians(), 1e-6);
        assertEquals(150 * FaceRoi.FACE_SCALE, roi.width(), 1e-4, "square on the long side, scaled 1.5");
        assertEquals(roi.width(), roi.height(), 1e-9);
    }

    @Test
    void landmarksPutEyesAboveNoseAboveMouth() throws Exception {
        FaceLandmarkerBundle bundle = SampleFaces.bundle();
        for (VideoFrame frame : SampleFaces.frames(0, 77, 141, 199)) {
            FaceDetection detection = bundle.detector().detect(frame).get(0);
            FaceMeshLandmarker.Mesh mesh = bundle.landmarker().run(frame, FaceRoi.fromDetection(detection));
            assertTrue(mesh.score() > 0.9f, "presence score " + mesh.score() + " in frame " + frame.frameIndex());
            float[] p = Landmarks68.fromMesh(mesh.points());
            float rightEyeY = SampleFaces.meanY(p, 36, 42);
            float leftEyeY = SampleFaces.meanY(p, 42, 48);
            float noseTipY = p[2 * Landmarks68.NOSE_TIP + 1];
            float mouthY = SampleFaces.meanY(p, 48, 68);
            float chinY = p[2 * 8 + 1];
            String where = " in frame " + frame.frameIndex();
            assertTrue((rightEyeY + leftEyeY) / 2 < noseTipY, "eyes above the nose tip" + where);
            assertTrue(noseTipY < mouthY, "nose tip above the mouth" + where);
            assertTrue(mouthY < chinY, "mouth above the chin" + where);
            float noseX = p[2 * Landmarks68.NOSE_TIP];
            assertTrue(SampleFaces.meanX(p, 36, 42) < noseX && noseX < SampleFaces.meanX(p, 42, 48),
                    "the subject's right eye on the image's left, left eye on the right" + where);
            assertTrue(SampleFaces.meanX(p, 17, 22) < SampleFaces.meanX(p, 22, 27), "brows on their sides" + where);
            // The eyes agree with the detector's independent eye keypoints to within a few pixels.
            assertEquals(detection.keypointX(FaceDetection.RIGHT_EYE), SampleFaces.meanX(p, 36, 42), 12, "right eye x" + where);
            assertEquals(detection.keypointY(FaceDetection.RIGHT_EYE), rightEyeY, 12, "right eye y" + where);
            assertEquals(detection.keypointX(FaceDetection.LEFT_EYE), SampleFaces.meanX(p, 42, 48), 12, "left eye x" + where);
        }
    }

    @Test
    void landmarksFollowTheFaceInAPortraitUpperBodyVideo() throws Exception {
        FaceLandmarkerBundle bundle = SampleFaces.bundle();
        FaceFinder finder = new FaceFinder(bundle, 0.5f);
        List<VideoFrame> frames = SampleFaces.frames("sun.mp4", 0, 1, 2, 150);
        List<FaceLandmarks> found = new java.util.ArrayList<>();
        for (VideoFrame frame : frames) {
            assertEquals(576, frame.width(), "sun.mp4 is portrait 576x768, letterboxed for the detector");
            List<FrameFaces.Face> faces = finder.find(frame);
            assertEquals(1, faces.size(), "one face in sun.mp4 frame " + frame.frameIndex());
            float[] mesh = faces.get(0).points();
            found.add(new FaceLandmarks(frame.frameIndex(), frame.width(), frame.height(), mesh, 1f, false));
            float[] p = Landmarks68.fromMesh(mesh);
            float eyesY = SampleFaces.meanY(p, 36, 48);
            assertTrue(eyesY < p[2 * Landmarks68.NOSE_TIP + 1] && p[2 * Landmarks68.NOSE_TIP + 1] < SampleFaces.meanY(p, 48, 68),
                    "eyes above nose above mouth in sun.mp4 frame " + frame.frameIndex());
            float[] box = FaceRoi.boundingBox(mesh);
            assertTrue(box[2] > 60 && box[2] < 576 && box[1] + box[3] < 768, "face box inside the frame: "
                    + java.util.Arrays.toString(box));
        }
        dev.synctalk.preview.ContactSheet.write(java.nio.file.Path.of("target", "face-landmarks-sun.png"),
                java.util.stream.IntStream.range(0, frames.size())
                        .mapToObj(i -> new dev.synctalk.preview.ContactSheet.Tile(frames.get(i), found.get(i))).toList(),
                4, 288);
    }

    @Test
    void rotatedFaceGivesRotatedLandmarks() throws Exception {
        FaceLandmarkerBundle bundle = SampleFaces.bundle();
        VideoFrame upright = SampleFaces.frames(120).get(0);
        double degrees = 20;
        VideoFrame tilted = SampleFaces.rotated(upright, degrees);
        float[] a = meshOf(bundle, upright);
        float[] b = meshOf(bundle, tilted);
        // Rotate the upright points as warpAffine rotated the pixels (counter-clockwise on screen, about the centre).
        double c = Math.cos(Math.toRadians(degrees));
        double s = Math.sin(Math.toRadians(degrees));
        double cx = upright.width() / 2.0;
        double cy = upright.height() / 2.0;
        double sumError = 0;
        int[] stable = {33, 133, 362, 263, 1, 4, 168, 61, 291, 152};
        for (int i : stable) {
            double dx = a[3 * i] - cx;
            double dy = a[3 * i + 1] - cy;
            double ex = cx + c * dx + s * dy;
            double ey = cy - s * dx + c * dy;
            sumError += Math.hypot(b[3 * i] - ex, b[3 * i + 1] - ey);
        }
        double meanError = sumError / stable.length; // measured 1.0 px
        assertTrue(meanError < 3, "mean landmark error after rotating the frame by 20 degrees: " + meanError + " px");
    }

    private static float[] meshOf(FaceLandmarkerBundle bundle, VideoFrame frame) {
        List<FaceDetection> faces = bundle.detector().detect(frame);
        assertEquals(1, faces.size(), "faces in frame");
        FaceRoi roi = FaceRoi.fromDetection(faces.get(0));
        FaceMeshLandmarker.Mesh first = bundle.landmarker().run(frame, roi);
        // A second pass from the landmarks' own ROI, as tracking does.
        return bundle.landmarker().run(frame, FaceRoi.fromLandmarks(first.points())).points();
    }
}
