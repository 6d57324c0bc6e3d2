package dev.synctalk.face;

import dev.synctalk.video.VideoFrame;
import java.util.List;
import java.util.Optional;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Follows one face through a video as MediaPipe's face landmarker does in video mode: the detector runs
 * on the first frame and whenever the tracked face is lost; otherwise the ROI for frame i + 1 comes from
 * frame i's landmarks. With several faces the largest is taken first; on re-detection the face
 * overlapping the last tracked one most is preferred, so the choice stays on the same person.
 * One instance per video; not thread-safe.
 */
public final class FaceTracker {

    /** @param redetected true when this frame's ROI came from the detector rather than the previous frame */
    public record TrackedFace(float[] points, float score, boolean redetected) {
    }

    private final BlazeFaceDetector detector;
    private final FaceMeshLandmarker landmarker;
    private final float minPresenceScore;
    private FaceRoi trackedRoi;
    private float[] lastBox;
    private long detectorRuns;

    /** @param minPresenceScore landmark results scoring lower count as "face lost" (MediaPipe's default 0.5) */
    public FaceTracker(FaceLandmarkerBundle bundle, float minPresenceScore) {
        if (!(minPresenceScore >= 0 && minPresenceScore <= 1)) {
            throw new IllegalArgumentException("min presence score must be in [0, 1], got " + minPresenceScore);
        }
        this.detector = bundle.detector();
        this.landmarker = bundle.landmarker();
        this.minPresenceScore = minPresenceScore;
    }

    /** The face in this frame, or empty when none is found (the next frame then runs the detector). */
    public Optional<TrackedFace> track(VideoFrame frame) {
        try (Mat rgb = DnnTensors.rgbMat(frame)) {
            if (trackedRoi != null) {
                FaceMeshLandmarker.Mesh mesh = landmarker.run(rgb, trackedRoi);
                if (mesh.score() >= minPresenceScore) {
                    return Optional.of(accept(mesh, false));
                }
                trackedRoi = null;
            }
            detectorRuns++;
            List<FaceDetection> faces = detector.detect(rgb, frame.width(), frame.height());
            if (faces.isEmpty()) {
                return Optional.empty();
            }
            FaceMeshLandmarker.Mesh mesh = landmarker.run(rgb, FaceRoi.fromDetection(choose(faces)));
            if (mesh.score() < minPresenceScore) {
                return Optional.empty();
            }
            return Optional.of(accept(mesh, true));
        }
    }

    /** How many times the detector has run (the first frame and every loss of the face). */
    public long detectorRuns() {
        return detectorRuns;
    }

    private TrackedFace accept(FaceMeshLandmarker.Mesh mesh, boolean redetected) {
        trackedRoi = FaceRoi.fromLandmarks(mesh.points());
        lastBox = FaceRoi.boundingBox(mesh.points());
        return new TrackedFace(mesh.points(), mesh.score(), redetected);
    }

    private FaceDetection choose(List<FaceDetection> faces) {
        FaceDetection best = null;
        if (lastBox != null) {
            float bestIou = 0;
            for (FaceDetection f : faces) {
                float iou = FaceDetection.iou(lastBox[0], lastBox[1], lastBox[2], lastBox[3], f.xMin(), f.yMin(), f.width(),
                        f.height());
                if (iou > bestIou) {
                    bestIou = iou;
                    best = f;
                }
            }
        }
        if (best == null) {
            for (FaceDetection f : faces) {
                if (best == null || f.area() > best.area()) {
                    best = f;
                }
            }
        }
        return best;
    }
}
