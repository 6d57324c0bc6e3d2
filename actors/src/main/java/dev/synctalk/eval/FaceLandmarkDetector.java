package dev.synctalk.eval;

import dev.synctalk.face.FaceLandmarkerBundle;
import dev.synctalk.face.FaceFinder;
import dev.synctalk.face.FrameFaces;
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
 * opening. Each frame is measured on its own, as the face-mesh stage does ({@link FaceFinder}: detector,
 * then the mesh on the detection's crop and on the crop its own landmarks give), taking the largest face;
 * renders and ground truth each get their own {@link Sequence}, so neither steers the other.
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
        return new Sequence(new FaceFinder(bundle, MIN_PRESENCE_SCORE));
    }

    @Override
    public void close() {
        bundle.close();
    }

    /** One stream of consecutive frames. */
    public static final class Sequence {
        private final FaceFinder finder;
        private long next;

        private Sequence(FaceFinder finder) {
            this.finder = finder;
        }

        /** The 68 (x, y) pairs in pixels of the image, or empty when no face is found. */
        public Optional<float[]> landmarks(FloatImage image) {
            FloatImage rgb = image.channels() == 3 ? image : image.rgb();
            VideoFrame frame = new VideoFrame(next, next * 40_000L, rgb.width(), rgb.height(), rgb.toBytes());
            next++;
            return finder.find(frame).stream().findFirst().map((FrameFaces.Face face) -> Landmarks68.fromMesh(face.points()));
        }
    }
}
