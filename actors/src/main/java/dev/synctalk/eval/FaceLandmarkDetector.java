package dev.synctalk.eval;

import dev.synctalk.face.FaceLandmarkerBundle;
import dev.synctalk.face.FaceTracker;
import dev.synctalk.face.Landmarks68;
import dev.synctalk.image.FloatImage;
import dev.synctalk.video.VideoFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The project's own face landmarks (the face-landmarks stage's MediaPipe detector and 478-point mesh,
 * mapped to the 68-point layout by {@link Landmarks68}) on frames given as images, for LMD and mouth
 * opening. A {@link Sequence} follows one face through consecutive frames as the face-landmarks stage
 * does (the detector runs on the first frame and after losing the face); renders and ground truth each
 * get their own sequence, so neither steers the other.
 */
public final class FaceLandmarkDetector implements AutoCloseable {
    /** MediaPipe's default thresholds, as the face-landmarks stage uses them. */
    static final float MIN_DETECTION_SCORE = 0.5f;
    static final float MIN_PRESENCE_SCORE = 0.5f;

    private final FaceLandmarkerBundle bundle;

    private FaceLandmarkDetector(FaceLandmarkerBundle bundle) {
        this.bundle = bundle;
    }

    /**
     * @throws IllegalArgumentException when the model file is missing or not a face_landmarker.task
     */
    public static FaceLandmarkDetector open(Path model) throws IOException {
        return new FaceLandmarkDetector(FaceLandmarkerBundle.open(model, MIN_DETECTION_SCORE));
    }

    /** Why landmarks cannot be detected with {@code model}, or empty when the file is there. */
    public static Optional<String> unavailableReason(Path model) {
        if (model == null) {
            return Optional.of("no face landmarker model given (landmarks = MediaPipe's face_landmarker.task)");
        }
        if (!Files.isRegularFile(model)) {
            return Optional.of("face landmarker model not found at " + model.toAbsolutePath()
                    + " (MediaPipe's face_landmarker.task)");
        }
        return Optional.empty();
    }

    public Sequence sequence() {
        return new Sequence(new FaceTracker(bundle, MIN_PRESENCE_SCORE));
    }

    @Override
    public void close() {
        bundle.close();
    }

    /** One stream of consecutive frames. */
    public static final class Sequence {
        private final FaceTracker tracker;
        private long next;

        private Sequence(FaceTracker tracker) {
            this.tracker = tracker;
        }

        /** The 68 (x, y) pairs in pixels of the image, or empty when no face is found. */
        public Optional<float[]> landmarks(FloatImage image) {
            FloatImage rgb = image.channels() == 3 ? image : image.rgb();
            VideoFrame frame = new VideoFrame(next, next * 40_000L, rgb.width(), rgb.height(), rgb.toBytes());
            next++;
            return tracker.track(frame).map(face -> Landmarks68.fromMesh(face.points()));
        }
    }
}
