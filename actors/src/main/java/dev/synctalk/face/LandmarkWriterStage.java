package dev.synctalk.face;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes the 68-point subset of each frame's landmarks as {@code <dir>/<frameIndex>.lms}, like SyncTalk's ori_imgs/N.lms. */
public final class LandmarkWriterStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"ori_imgs\"", doc = "directory, relative to the run's outputs", output = true) Path dir) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("landmark-writer", "writes 68-point landmarks as <dir>/<frameIndex>.lms (68 lines \"x y\")",
                    Config.class,
                    List.of(PortSpec.of("landmarks", FaceLandmarks.class, "face landmarks to write")),
                    List.of());
        }

        @Override
        public boolean stateless() {
            return true;
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new LandmarkWriterStage(context.output(config.dir()));
        }
    }

    private final Path dir;

    private LandmarkWriterStage(Path dir) {
        this.dir = dir;
    }

    public static Path lmsFile(Path dir, long frameIndex) {
        return dir.resolve(frameIndex + ".lms");
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        FaceLandmarks landmarks = (FaceLandmarks) in.only();
        Landmarks68.writeLms(lmsFile(dir, landmarks.frameIndex()), Landmarks68.fromMesh(landmarks));
    }
}
