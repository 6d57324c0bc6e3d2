package dev.synctalk.face;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.video.VideoFrame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Face detection and 478 landmarks per frame with MediaPipe's pretrained networks (face_landmarker.task
 * through OpenCV DNN), tracked across frames. Frames without a face are interpolated when the gap is
 * short and fail the run when it is long; outputs keep frame order.
 */
public final class FaceLandmarksStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"../shared/data/models/face_landmarker.task\"",
                    doc = "MediaPipe face_landmarker.task bundle (relative to the working directory)") Path model,
            @Param(defaultValue = "0.5", doc = "BlazeFace detections scoring lower are ignored", min = 0, max = 1) double minDetectionScore,
            @Param(defaultValue = "0.5", doc = "landmark results with a lower face-presence score count as no face", min = 0, max = 1)
            double minPresenceScore,
            @Param(defaultValue = "12", doc = "longest run of frames without a face that is filled by interpolation", min = 0)
            int maxGapFrames,
            @Param(defaultValue = Param.NONE, doc = "the video the frames come from, named in error messages") String source) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("face-landmarks", "tracks one face with MediaPipe's detector and 478-point mesh, interpolating short gaps",
                    Config.class,
                    List.of(PortSpec.of("frames", VideoFrame.class, "RGB frames")),
                    List.of(PortSpec.of("landmarks", FaceLandmarks.class, "478 landmarks per frame in pixels")));
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new FaceLandmarksStage(config, context);
        }
    }

    private final StageContext context;
    private final FaceLandmarkerBundle bundle;
    private final FaceTracker tracker;
    private final FaceGapFiller gaps;
    private long missingFrames;
    private long interpolatedFrames;

    private FaceLandmarksStage(Config config, StageContext context) throws IOException {
        this.context = context;
        String stage = "face-landmarks '" + context.stageName() + "'";
        requireUnit(config.minDetectionScore(), "min-detection-score", stage);
        requireUnit(config.minPresenceScore(), "min-presence-score", stage);
        if (config.maxGapFrames() < 0) {
            throw new IllegalArgumentException(stage + ": max-gap-frames must be >= 0, got " + config.maxGapFrames());
        }
        try {
            this.bundle = FaceLandmarkerBundle.open(config.model(), (float) config.minDetectionScore());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(stage + ": " + e.getMessage(), e);
        }
        this.tracker = new FaceTracker(bundle, (float) config.minPresenceScore());
        this.gaps = new FaceGapFiller(config.maxGapFrames(),
                config.source() != null ? config.source() : "the input of " + stage);
        context.progress().total(0, "frames");
    }

    private static void requireUnit(double value, String name, String stage) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(stage + ": " + name + " must be in [0, 1], got " + value);
        }
    }

    @Override
    public void process(Inputs in, Emitter out) {
        VideoFrame frame = (VideoFrame) in.only();
        Optional<FaceTracker.TrackedFace> face = tracker.track(frame);
        if (face.isPresent()) {
            FaceLandmarks landmarks = new FaceLandmarks(frame.frameIndex(), frame.width(), frame.height(),
                    face.get().points(), face.get().score(), false);
            emit(gaps.found(landmarks), out);
        } else {
            missingFrames++;
            gaps.missing(frame.frameIndex(), frame.width(), frame.height());
        }
        context.progress().advance(1);
    }

    @Override
    public void finish(Emitter out) {
        emit(gaps.finish(), out);
        if (missingFrames > 0) {
            context.log().warn("no face in {} frames; {} of them filled by interpolation", missingFrames, interpolatedFrames);
        }
        context.log().info("face detector ran on {} frames (first frame and after losing the face)", tracker.detectorRuns());
    }

    private void emit(List<FaceLandmarks> landmarks, Emitter out) {
        for (FaceLandmarks l : landmarks) {
            if (l.interpolated()) {
                interpolatedFrames++;
            }
            out.emit("landmarks", l);
        }
    }

    @Override
    public void close() {
        bundle.close();
    }
}
