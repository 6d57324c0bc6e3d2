package dev.synctalk.video;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.engine.stage.AbstractStageType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Decodes a video file into RGB frames on a constant-rate timeline (see {@link ConstantRateTimeline}):
 * a variable-frame-rate source, or one at another rate, becomes exactly {@code fps} frames per second,
 * each output frame showing the source frame nearest its time. SyncTalk's preprocessing extracts its
 * ori_imgs at 25 fps the same way (ffmpeg -r 25).
 */
public final class VideoDecodeStage implements Stage {

    public record Config(
            @Param(doc = "video file to decode") Path path,
            @Param(defaultValue = "25", doc = "output frame rate; sources at other or variable rates are resampled") double fps,
            @Param(defaultValue = "0", doc = "stop after this many frames (0 = all)") int maxFrames,
            @Param(defaultValue = "0", doc = "output width in px: frames are centre-cropped to the output aspect and"
                    + " resized (0 with height 0 = keep the source size; both must be even)") int width,
            @Param(defaultValue = "0", doc = "output height in px (see width)") int height) {
        public Config {
            if ((width == 0) != (height == 0) || width < 0 || height < 0 || width % 2 != 0 || height % 2 != 0) {
                throw new IllegalArgumentException("width and height must both be 0 (keep the size) or both positive"
                        + " and even, got " + width + "x" + height);
            }
        }
    }

    public static final class Type extends AbstractStageType<Config> {
        public Type() {
            super("video-decode", "decodes a video file into RGB frames at a constant frame rate",
                    Config.class,
                    List.of(),
                    List.of(PortSpec.of("frames", VideoFrame.class, "RGB frames, frame i at i / fps seconds")));
            NativeMedia.load();
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new VideoDecodeStage(config, context);
        }
    }

    /** A decoded source frame, copied out of the grabber's reused buffer. */
    private record SourceFrame(long timestampMicros, int width, int height, byte[] rgb) {
    }

    static {
        MediaLogging.quietFfmpeg();
    }

    private final Config config;
    private final StageContext context;
    private final FFmpegFrameGrabber grabber;
    private final long streamStartMicros;
    private final long frameEstimate;
    private long nextIndex;
    private SourceFrame current;
    private SourceFrame lookahead;
    private boolean started;
    private long lastGrabbedMicros;
    private long beforeLastGrabbedMicros;
    private int grabbedCount;

    private VideoDecodeStage(Config config, StageContext context) throws FrameGrabber.Exception {
        this.config = config;
        this.context = context;
        if (!(config.fps() > 0)) {
            throw new IllegalArgumentException("video-decode '" + context.stageName() + "': fps must be positive, got "
                    + config.fps());
        }
        if (config.maxFrames() < 0) {
            throw new IllegalArgumentException("video-decode '" + context.stageName() + "': max-frames must be >= 0");
        }
        Path path = config.path();
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("video-decode '" + context.stageName() + "': video file not found: "
                    + path.toAbsolutePath());
        }
        grabber = new FFmpegFrameGrabber(path.toFile());
        grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            grabber.close();
            throw new IllegalArgumentException("video-decode '" + context.stageName() + "': cannot open " + path
                    + " as a video: " + e.getMessage(), e);
        }
        if (!grabber.hasVideo()) {
            grabber.close();
            throw new IllegalArgumentException("video-decode '" + context.stageName() + "': " + path
                    + " has no video stream (is it an audio file?)");
        }
        streamStartMicros = ConstantRateTimeline.streamStartMicros(
                grabber.getFormatContext().streams(grabber.getVideoStream()));
        long estimate = Math.round(grabber.getLengthInTime() * config.fps() / 1e6);
        if (config.maxFrames() > 0) {
            estimate = Math.min(estimate, config.maxFrames());
        }
        frameEstimate = estimate;
        context.progress().total(estimate, "frames");
    }

    /**
     * Jumps so that frames before {@code fromFrameIndex} are neither converted nor emitted. FFmpeg
     * decodes from the keyframe before the target, so the pictures equal those of a sequential decode.
     * The grabber lands one output and one source period early, so that the nearest-frame choice for
     * the first emitted frame sees the same candidates as a sequential decode.
     */
    @Override
    public void seek(long fromFrameIndex) throws Exception {
        if (fromFrameIndex <= 0) {
            return;
        }
        nextIndex = fromFrameIndex;
        double sourceFps = grabber.getFrameRate() > 0 ? grabber.getFrameRate() : config.fps();
        long margin = Math.round(1e6 / config.fps()) + Math.round(1e6 / sourceFps);
        long target = ConstantRateTimeline.tickMicros(fromFrameIndex, config.fps()) - margin;
        if (target > 0) {
            grabber.setVideoTimestamp(target);
        }
        context.progress().total(Math.max(0, frameEstimate - fromFrameIndex), "frames");
    }

    @Override
    public boolean produce(Emitter out) throws Exception {
        if (config.maxFrames() > 0 && nextIndex >= config.maxFrames()) {
            return false;
        }
        if (!started) {
            started = true;
            current = grabNext();
            if (current == null) {
                if (nextIndex == 0) {
                    throw new IllegalStateException("video-decode '" + context.stageName() + "': no frame could be decoded from "
                            + config.path());
                }
                return false;
            }
            lookahead = grabNext();
        }
        if (current == null) {
            return false;
        }
        long tick = ConstantRateTimeline.tickMicros(nextIndex, config.fps());
        while (lookahead != null
                && Math.abs(lookahead.timestampMicros() - tick) < Math.abs(current.timestampMicros() - tick)) {
            current = lookahead;
            lookahead = grabNext();
        }
        if (lookahead == null) {
            long end = ConstantRateTimeline.endMicros(lastGrabbedMicros, beforeLastGrabbedMicros, grabbedCount > 1,
                    config.fps());
            if (tick >= end) {
                return false;
            }
        }
        VideoFrame frame = new VideoFrame(nextIndex, tick, current.width(), current.height(), current.rgb());
        out.emit("frames", config.width() > 0 ? FrameResizer.cropAndResize(frame, config.width(), config.height())
                : frame);
        context.progress().advance(1);
        nextIndex++;
        return true;
    }

    private SourceFrame grabNext() throws FrameGrabber.Exception {
        Frame frame;
        do {
            frame = grabber.grabImage();
            if (frame == null) {
                return null;
            }
        } while (frame.image == null);
        if (frame.imageChannels != 3 || frame.imageDepth != Frame.DEPTH_UBYTE) {
            throw new IllegalStateException("video-decode '" + context.stageName() + "': expected RGB24 from the decoder, got "
                    + frame.imageChannels + " channels of depth " + frame.imageDepth + " in " + config.path());
        }
        long micros = frame.timestamp - streamStartMicros;
        beforeLastGrabbedMicros = lastGrabbedMicros;
        lastGrabbedMicros = micros;
        grabbedCount++;
        return new SourceFrame(micros, frame.imageWidth, frame.imageHeight, copyRgb(frame));
    }

    /** Copies the interleaved RGB rows out of the grabber's buffer, dropping any row padding. */
    private static byte[] copyRgb(Frame frame) {
        int width = frame.imageWidth;
        int height = frame.imageHeight;
        int rowBytes = width * 3;
        int stride = frame.imageStride;
        ByteBuffer buffer = (ByteBuffer) frame.image[0];
        byte[] rgb = new byte[rowBytes * height];
        if (stride == rowBytes) {
            buffer.get(0, rgb, 0, rgb.length);
        } else {
            for (int y = 0; y < height; y++) {
                buffer.get(y * stride, rgb, y * rowBytes, rowBytes);
            }
        }
        return rgb;
    }

    @Override
    public void close() throws FrameGrabber.Exception {
        grabber.close();
    }
}
