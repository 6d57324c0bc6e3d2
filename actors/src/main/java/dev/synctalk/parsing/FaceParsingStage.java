package dev.synctalk.parsing;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.output.AtomicFiles;
import dev.synctalk.video.VideoFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.global.opencv_imgcodecs;

/**
 * The per-frame part of SyncTalk's face parsing: the person from the background with a learned network
 * ({@link SelfieSegmenter}, MediaPipe Selfie Segmentation), split into head, neck and torso with the face
 * landmarks and colour ({@link RegionSplitter}), written as parsing/N.png in the reference's colours
 * ({@link Region}). Each frame is also kept losslessly until its torso and ground-truth images are written:
 * those need the background, which {@link ParsingBackgroundStage} estimates from the whole video, and
 * {@link TorsoImagesStage} writes them.
 *
 * <p>Stateless, so a graph may run it as several actors. Without the network file it warns and takes the
 * classical path: the person mask is then made by GrabCut against the background, after it exists, by
 * {@link TorsoImagesStage}.
 */
public final class FaceParsingStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"../shared/data/models/selfie_segmentation.tflite\"",
                    doc = "MediaPipe Selfie Segmentation (npm pack @mediapipe/selfie_segmentation); absent: classical GrabCut")
            Path model,
            @Param(defaultValue = "\"parsing\"", doc = "parsing images N.png, relative to the run's outputs", output = true) Path parsingDir) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("face-parsing", "per frame: person segmentation (learned), head/neck/torso split -> parsing/N.png",
                    Config.class,
                    List.of(PortSpec.of("frames", VideoFrame.class, "decoded video frames"),
                            PortSpec.of("landmarks", FaceLandmarks.class, "478 face landmarks of the same frame")),
                    List.of(PortSpec.of("parsed", FrameParsing.class,
                            "the frame kept on disk, its face oval and parsing image")));
        }

        @Override
        public boolean stateless() {
            return true;
        }

        @Override
        public Stage create(Config config, StageContext context) throws IOException {
            return new FaceParsingStage(config, context);
        }
    }

    private final StageContext context;
    private final Path parsingDir;
    private final Path frameDir;
    private final SelfieSegmenter segmenter;
    private final RegionSplitter splitter = new RegionSplitter(RegionSplitter.Settings.defaults());

    private FaceParsingStage(Config config, StageContext context) throws IOException {
        this.context = context;
        this.parsingDir = context.output(config.parsingDir());
        this.frameDir = framesKeptFor(context);
        if (Files.isRegularFile(config.model())) {
            this.segmenter = SelfieSegmenter.load(config.model());
        } else {
            this.segmenter = null;
            context.log().warn("face-parsing '{}': person segmentation model {} not found; using the classical path"
                    + " (GrabCut against the estimated background, about 0.8 s per 512x512 frame, rougher edges)."
                    + " Get the model with: npm pack @mediapipe/selfie_segmentation", context.stageName(),
                    config.model().toAbsolutePath());
        }
        Files.createDirectories(frameDir);
    }

    /** Where the frames wait for their torso and ground-truth images: a hidden folder in the run's outputs. */
    static Path framesKeptFor(StageContext context) {
        return context.outputDir().resolve(".face-parsing-frames-" + context.stageName());
    }

    /** True when the learned segmentation runs (false: the classical path). */
    public boolean usesNetwork() {
        return segmenter != null;
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        VideoFrame frame = in.get("frames", VideoFrame.class);
        FaceLandmarks landmarks = in.get("landmarks", FaceLandmarks.class);
        int w = frame.width();
        int h = frame.height();
        RgbImage image = new RgbImage(w, h, frame.rgb());
        FaceOutline face = FaceOutline.of(landmarks, w, h);
        Path frameFile = frameDir.resolve(frame.frameIndex() + ".png");
        AtomicFiles.write(frameFile, Pixels.encode(image.rgb(), w, h, 3, "png",
                new int[] {opencv_imgcodecs.IMWRITE_PNG_COMPRESSION, 1}));
        Path parsingFile = null;
        if (segmenter != null) {
            RegionMap regions = splitter.split(segmenter.segment(image, face), image, face);
            parsingFile = parsingDir.resolve(frame.frameIndex() + ".png");
            AtomicFiles.write(parsingFile, Pixels.encode(regions.toColourImage().rgb(), w, h, 3, "png", new int[0]));
        }
        out.emit("parsed", new FrameParsing(frame.frameIndex(), w, h, face, frameFile, parsingFile));
        context.progress().advance(1);
    }

    @Override
    public void close() {
        if (segmenter != null) {
            segmenter.close();
        }
    }
}
