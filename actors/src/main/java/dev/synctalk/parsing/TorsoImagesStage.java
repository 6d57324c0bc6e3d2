package dev.synctalk.parsing;

import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.global.opencv_imgcodecs;

/**
 * The images SyncTalk's training reads, per frame, once the background exists: gt_imgs/N.jpg, torso_imgs/N.png,
 * face_mask/N.png and the portrait face image parsing/N_face.png ({@link TorsoImages}, {@link PortraitFaceMask});
 * on the classical path also parsing/N.png. Deletes the kept frame afterwards and announces the frame with a
 * {@link ParsedFrame}. Stateless (it only caches the background image it was pointed to), so a graph may run
 * it as several actors.
 */
public final class TorsoImagesStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"parsing\"", doc = "parsing images N.png (classical path) and N_face.png", output = true) Path parsingDir,
            @Param(defaultValue = "\"torso_imgs\"", doc = "RGBA torso images N.png", output = true) Path torsoDir,
            @Param(defaultValue = "\"gt_imgs\"", doc = "ground-truth images N.jpg (background replaced by bc.jpg)", output = true) Path gtDir,
            @Param(defaultValue = "\"face_mask\"", doc = "head masks N.png (255 on head)", output = true) Path faceMaskDir,
            @Param(defaultValue = "true", doc = "write the portrait-mode face images parsing/N_face.png") boolean portraitFaceMasks,
            @Param(defaultValue = "95", doc = "JPEG quality of gt_imgs (cv2.imwrite's default is 95)", min = 0, max = 100) int jpegQuality) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("torso-images", "per frame, over the background: gt_imgs, torso_imgs, face_mask, parsing/N_face.png",
                    Config.class,
                    List.of(PortSpec.of("frames", FrameOverBackground.class, "parsed frames with the video's background")),
                    List.of(PortSpec.of("parsed", ParsedFrame.class, "one per frame once all its parsing files are written")));
        }

        @Override
        public boolean stateless() {
            return true;
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new TorsoImagesStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final ParsedFrameImages images = new ParsedFrameImages();
    private Path backgroundFile;
    private RgbImage background;

    private TorsoImagesStage(Config config, StageContext context) {
        if (config.jpegQuality() < 0 || config.jpegQuality() > 100) {
            throw new IllegalArgumentException("torso-images '" + context.stageName() + "': jpeg-quality must be in"
                    + " [0, 100], got " + config.jpegQuality());
        }
        this.config = config;
        this.context = context;
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        FrameOverBackground job = in.get("frames", FrameOverBackground.class);
        FrameParsing p = job.parsing();
        RgbImage bc = background(job.background(), p);
        RgbImage frame = images.frame(p);
        RegionMap regions = images.regions(p, frame, bc);
        int w = p.width();
        int h = p.height();
        long index = p.frameIndex();
        Path parsing = context.output(config.parsingDir());
        if (p.parsingFile() == null) {
            AtomicFiles.write(parsing.resolve(index + ".png"),
                    Pixels.encode(regions.toColourImage().rgb(), w, h, 3, "png", new int[0]));
        }
        if (config.portraitFaceMasks()) {
            AtomicFiles.write(parsing.resolve(index + "_face.png"),
                    Pixels.encode(PortraitFaceMask.of(p.face(), w, h).rgb(), w, h, 3, "png", new int[0]));
        }
        AtomicFiles.write(context.output(config.faceMaskDir()).resolve(index + ".png"),
                Pixels.encode(TorsoImages.headMask(regions).rgb(), w, h, 3, "png", new int[0]));
        RgbImage groundTruth = TorsoImages.groundTruth(frame, regions, bc);
        AtomicFiles.write(context.output(config.gtDir()).resolve(index + ".jpg"), Pixels.encode(groundTruth.rgb(), w, h,
                3, "jpg", new int[] {opencv_imgcodecs.IMWRITE_JPEG_QUALITY, config.jpegQuality()}));
        AtomicFiles.write(context.output(config.torsoDir()).resolve(index + ".png"),
                Pixels.encode(TorsoImages.torso(groundTruth, regions, bc), w, h, 4, "png", new int[0]));
        Files.deleteIfExists(p.frameFile());
        out.emit("parsed", new ParsedFrame(index));
        context.progress().advance(1);
    }

    /** The background image, read once per file (every frame of a run points to the same bc.jpg). */
    private RgbImage background(Path file, FrameParsing p) throws IOException {
        if (!file.equals(backgroundFile)) {
            background = ParsedFrameImages.read(file, "background image");
            backgroundFile = file;
        }
        if (background.width() != p.width() || background.height() != p.height()) {
            throw new IllegalStateException("torso-images '" + context.stageName() + "': background " + file + " is "
                    + background.width() + "x" + background.height() + ", frame " + p.frameIndex() + " is "
                    + p.width() + "x" + p.height());
        }
        return background;
    }
}
