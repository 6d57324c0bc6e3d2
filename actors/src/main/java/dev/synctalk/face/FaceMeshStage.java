package dev.synctalk.face;

import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.video.VideoFrame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The per-frame part of face landmarks: MediaPipe's face detector and 478-point mesh (face_landmarker.task
 * through OpenCV DNN) on each frame on its own ({@link FaceFinder}). Stateless, so a graph may run it as
 * several actors; {@link FaceLandmarksStage} then picks the person and bridges frames without a face, in order.
 */
public final class FaceMeshStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"../shared/data/models/face_landmarker.task\"",
                    doc = "MediaPipe face_landmarker.task bundle (relative to the working directory)") Path model,
            @Param(defaultValue = "0.5", doc = "BlazeFace detections scoring lower are ignored", min = 0, max = 1) double minDetectionScore,
            @Param(defaultValue = "0.5", doc = "meshes with a lower face-presence score count as no face", min = 0, max = 1)
            double minPresenceScore) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("face-mesh", "finds the faces of each frame on its own: MediaPipe's detector and 478-point mesh",
                    Config.class,
                    List.of(PortSpec.of("frames", VideoFrame.class, "RGB frames")),
                    List.of(PortSpec.of("faces", FrameFaces.class, "the faces of each frame, largest first (none when no face)")));
        }

        @Override
        public boolean stateless() {
            return true;
        }

        @Override
        public Stage create(Config config, StageContext context) throws IOException {
            return new FaceMeshStage(config, context);
        }
    }

    private final StageContext context;
    private final FaceLandmarkerBundle bundle;
    private final FaceFinder finder;

    private FaceMeshStage(Config config, StageContext context) throws IOException {
        this.context = context;
        String stage = "face-mesh '" + context.stageName() + "'";
        requireUnit(config.minDetectionScore(), "min-detection-score", stage);
        requireUnit(config.minPresenceScore(), "min-presence-score", stage);
        try {
            this.bundle = FaceLandmarkerBundle.open(config.model(), (float) config.minDetectionScore());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(stage + ": " + e.getMessage(), e);
        }
        this.finder = new FaceFinder(bundle, (float) config.minPresenceScore());
    }

    private static void requireUnit(double value, String name, String stage) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(stage + ": " + name + " must be in [0, 1], got " + value);
        }
    }

    @Override
    public void process(Inputs in, Emitter out) {
        VideoFrame frame = (VideoFrame) in.only();
        out.emit("faces", new FrameFaces(frame.frameIndex(), frame.width(), frame.height(), finder.find(frame)));
        context.progress().advance(1);
    }

    @Override
    public void close() {
        bundle.close();
    }
}
