package dev.synctalk.face;

import dev.synctalk.engine.stage.AbstractStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import java.util.List;

/**
 * The ordered part of face landmarks: from the faces {@link FaceMeshStage} found in each frame, follows one
 * person through the video (the largest face first; afterwards the face overlapping the previous frame's the
 * most, so that the choice stays on the same person when another face appears or grows) and emits its 478
 * landmarks per frame in frame order. Frames without a face are interpolated when the gap is short and fail
 * the run when it is long ({@link FaceGapFiller}).
 */
public final class FaceLandmarksStage implements Stage {

    public record Config(
            @Param(defaultValue = "12", doc = "longest run of frames without a face that is filled by interpolation", min = 0)
            int maxGapFrames,
            @Param(defaultValue = Param.NONE, doc = "the video the frames come from, named in error messages") String source) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("face-landmarks", "follows one face through the video (478 landmarks per frame), interpolating short gaps",
                    Config.class,
                    List.of(PortSpec.of("faces", FrameFaces.class, "the faces found in each frame (face-mesh)")),
                    List.of(PortSpec.of("landmarks", FaceLandmarks.class, "478 landmarks per frame in pixels")));
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new FaceLandmarksStage(config, context);
        }
    }

    private final StageContext context;
    private final FaceGapFiller gaps;
    private float[] lastBox;
    private long missingFrames;
    private long interpolatedFrames;
    private long switchedFrames;

    private FaceLandmarksStage(Config config, StageContext context) {
        this.context = context;
        String stage = "face-landmarks '" + context.stageName() + "'";
        if (config.maxGapFrames() < 0) {
            throw new IllegalArgumentException(stage + ": max-gap-frames must be >= 0, got " + config.maxGapFrames());
        }
        this.gaps = new FaceGapFiller(config.maxGapFrames(),
                config.source() != null ? config.source() : "the input of " + stage);
        context.progress().total(0, "frames");
    }

    @Override
    public void process(Inputs in, Emitter out) {
        FrameFaces frame = (FrameFaces) in.only();
        FrameFaces.Face face = choose(frame.faces());
        if (face != null) {
            lastBox = FaceRoi.boundingBox(face.points());
            emit(gaps.found(new FaceLandmarks(frame.frameIndex(), frame.imageWidth(), frame.imageHeight(),
                    face.points(), face.score(), false)), out);
        } else {
            missingFrames++;
            gaps.missing(frame.frameIndex(), frame.imageWidth(), frame.imageHeight());
        }
        context.progress().advance(1);
    }

    /** The face overlapping the last one followed the most, else the largest; null for none. */
    private FrameFaces.Face choose(List<FrameFaces.Face> faces) {
        if (faces.isEmpty()) {
            return null;
        }
        FrameFaces.Face best = null;
        if (lastBox != null) {
            float bestIou = 0;
            for (FrameFaces.Face f : faces) {
                float[] b = FaceRoi.boundingBox(f.points());
                float iou = FaceDetection.iou(lastBox[0], lastBox[1], lastBox[2], lastBox[3], b[0], b[1], b[2], b[3]);
                if (iou > bestIou) {
                    bestIou = iou;
                    best = f;
                }
            }
        }
        if (best == null) {
            best = faces.get(0);
            if (lastBox != null) {
                switchedFrames++;
            }
        }
        return best;
    }

    @Override
    public void finish(Emitter out) {
        emit(gaps.finish(), out);
        if (missingFrames > 0) {
            context.log().warn("no face in {} frames; {} of them filled by interpolation", missingFrames, interpolatedFrames);
        }
        if (switchedFrames > 0) {
            context.log().warn("in {} frames no face overlapped the previous frame's; the largest face was taken",
                    switchedFrames);
        }
    }

    private void emit(List<FaceLandmarks> landmarks, Emitter out) {
        for (FaceLandmarks l : landmarks) {
            if (l.interpolated()) {
                interpolatedFrames++;
            }
            out.emit("landmarks", l);
        }
    }
}
