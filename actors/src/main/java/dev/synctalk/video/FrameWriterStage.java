package dev.synctalk.video;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Writes each frame to {@code <dir>/<frameIndex>.<ext>} like SyncTalk's ori_imgs/N.jpg, encoded with
 * OpenCV's imencode (the encoder cv2.imwrite uses, so quality 95 JPEGs match the reference's files),
 * atomically. The same frame always gives the same bytes.
 */
public final class FrameWriterStage implements Stage {

    public enum Format {
        JPG, PNG
    }

    public record Config(
            @Param(defaultValue = "\"frames\"", doc = "directory, relative to the run's outputs", output = true) Path dir,
            @Param(defaultValue = "jpg", doc = "jpg or png") Format format,
            @Param(defaultValue = "95", doc = "JPEG quality 0-100 (OpenCV's and cv2.imwrite's default is 95)", min = 0, max = 100) int jpegQuality) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("frame-writer", "writes frames as <dir>/<frameIndex>.jpg or .png",
                    Config.class,
                    List.of(PortSpec.of("in", VideoFrame.class, "frames to write")),
                    List.of());
        }

        @Override
        public boolean stateless() {
            return true;
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new FrameWriterStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final Path dir;

    private FrameWriterStage(Config config, StageContext context) {
        if (config.jpegQuality() < 0 || config.jpegQuality() > 100) {
            throw new IllegalArgumentException("frame-writer '" + context.stageName() + "': jpeg-quality must be in"
                    + " [0, 100], got " + config.jpegQuality());
        }
        this.config = config;
        this.context = context;
        this.dir = context.output(config.dir());
    }

    public static String extension(Format format) {
        return format == Format.PNG ? "png" : "jpg";
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        VideoFrame frame = (VideoFrame) in.only();
        byte[] encoded = encode(frame, config.format(), config.jpegQuality());
        AtomicFiles.write(dir.resolve(frame.frameIndex() + "." + extension(config.format())), encoded);
    }

    /** Encodes an RGB frame as JPEG or PNG bytes with OpenCV (which expects BGR order). */
    public static byte[] encode(VideoFrame frame, Format format, int jpegQuality) {
        byte[] rgb = frame.rgb();
        byte[] bgr = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        int[] params = format == Format.JPG
                ? new int[] {opencv_imgcodecs.IMWRITE_JPEG_QUALITY, jpegQuality}
                : new int[0]; // PNG: OpenCV's default compression, as cv2.imwrite uses
        try (Mat mat = new Mat(frame.height(), frame.width(), opencv_core.CV_8UC3);
                BytePointer buffer = new BytePointer();
                IntPointer encodeParams = new IntPointer(params)) {
            mat.data().put(bgr, 0, bgr.length);
            if (!opencv_imgcodecs.imencode("." + extension(format), mat, buffer, encodeParams) || buffer.limit() <= 0) {
                throw new IllegalStateException("OpenCV could not encode frame " + frame.frameIndex() + " as " + format);
            }
            byte[] bytes = new byte[(int) buffer.limit()];
            buffer.get(bytes);
            return bytes;
        }
    }
}
