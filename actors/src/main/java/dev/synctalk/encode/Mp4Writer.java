package dev.synctalk.encode;

import dev.synctalk.image.FloatImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Writes an H.264 (libx264, yuv420p) + AAC MP4 of rendered frames and their speech. The audio decides
 * the length: the video has {@link #expectedFrames()} = ceil(samples * fps / sampleRate) frames, so every
 * audio sample is covered; extra frames are dropped and missing ones repeat the last frame. Frames and
 * the audio that belongs to them are interleaved as they arrive. The file is written under a temporary
 * name beside the target and renamed onto it by {@link #finish}; an unfinished writer leaves nothing.
 */
public final class Mp4Writer implements AutoCloseable {

    /**
     * @param crf libx264 constant rate factor (0-51, lower is better), used when {@code videoBitrateBps} is 0
     * @param videoBitrateBps target video bitrate; 0 means constant quality (crf)
     * @param preset libx264 speed preset (ultrafast ... veryslow)
     */
    public record Settings(int fps, int crf, int videoBitrateBps, int audioBitrateBps, String preset) {
        public Settings {
            if (fps <= 0) {
                throw new IllegalArgumentException("fps must be positive, got " + fps);
            }
            if (crf < 0 || crf > 51) {
                throw new IllegalArgumentException("crf must be in [0, 51], got " + crf);
            }
            if (videoBitrateBps < 0 || audioBitrateBps <= 0) {
                throw new IllegalArgumentException("bitrates must be positive (video 0 = use crf), got video "
                        + videoBitrateBps + ", audio " + audioBitrateBps);
            }
        }

        /** 25 fps, CRF 18, AAC at 128 kbit/s, preset medium. */
        public static Settings defaults() {
            return new Settings(25, 18, 0, 128_000, "medium");
        }
    }

    private final Path target;
    private final Path temp;
    private final int width;
    private final int height;
    private final float[] audio;
    private final int sampleRateHz;
    private final Settings settings;
    private final long expectedFrames;
    private final FFmpegFrameRecorder recorder;
    private final Frame frame;
    private byte[] lastFrame;
    private long written;
    private long dropped;
    private boolean finished;

    private Mp4Writer(Path target, int width, int height, float[] audio, int sampleRateHz, Settings settings)
            throws IOException {
        this.target = target.toAbsolutePath();
        this.width = width;
        this.height = height;
        this.audio = audio;
        this.sampleRateHz = sampleRateHz;
        this.settings = settings;
        // Streaming (no audio up front): each frame brings its own samples and the frames decide the length.
        this.expectedFrames = audio == null ? Long.MAX_VALUE
                : (long) Math.ceil((double) audio.length * settings.fps() / sampleRateHz);
        Files.createDirectories(this.target.getParent());
        this.temp = Files.createTempFile(this.target.getParent(), "." + this.target.getFileName() + ".", ".tmp.mp4");
        this.recorder = configure(new FFmpegFrameRecorder(temp.toFile(), width, height, 1), sampleRateHz, settings);
        this.frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3);
        try {
            recorder.start();
        } catch (FFmpegFrameRecorder.Exception e) {
            release();
            throw new IOException("cannot start the H.264/AAC encoder for " + target + " (needs FFmpeg with libx264,"
                    + " the -gpl natives): " + e.getMessage(), e);
        }
    }

    /**
     * The encoder settings of every MP4 this engine writes (H.264 yuv420p + mono AAC in an MP4 container),
     * applied to a recorder that writes to a file or, fragmented, to a stream.
     */
    public static FFmpegFrameRecorder configure(FFmpegFrameRecorder recorder, int sampleRateHz, Settings settings) {
        recorder.setFormat("mp4");
        recorder.setVideoCodecName("libx264");
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        recorder.setFrameRate(settings.fps());
        recorder.setVideoOption("preset", settings.preset());
        if (settings.videoBitrateBps() > 0) {
            recorder.setVideoBitrate(settings.videoBitrateBps());
        } else {
            recorder.setVideoOption("crf", Integer.toString(settings.crf()));
        }
        recorder.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
        recorder.setSampleRate(sampleRateHz);
        recorder.setAudioChannels(1);
        recorder.setAudioBitrate(settings.audioBitrateBps());
        return recorder;
    }

    /**
     * Encodes one 8-bit RGB frame (row-major, {@code frame}'s size) and the mono samples that play with it
     * (null for none) with a recorder set up by {@link #configure}.
     */
    public static void record(FFmpegFrameRecorder recorder, Frame frame, byte[] rgb, FloatBuffer samples,
                              int sampleRateHz) throws FFmpegFrameRecorder.Exception {
        ByteBuffer buffer = (ByteBuffer) frame.image[0];
        int stride = frame.imageStride;
        int rowBytes = frame.imageWidth * 3;
        for (int y = 0; y < frame.imageHeight; y++) {
            buffer.position(y * stride);
            buffer.put(rgb, y * rowBytes, rowBytes);
        }
        buffer.rewind();
        recorder.record(frame, avutil.AV_PIX_FMT_RGB24);
        if (samples != null) {
            recorder.recordSamples(sampleRateHz, 1, samples);
        }
    }

    /**
     * A writer whose audio arrives with the frames ({@link #writeFrame(byte[], float[])}), for streams
     * whose length is not known up front (a logged live session); the frames decide the length.
     */
    public static Mp4Writer openStreaming(Path target, int width, int height, int sampleRateHz, Settings settings)
            throws IOException {
        checkFrameSize(target, width, height);
        if (sampleRateHz <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRateHz);
        }
        return new Mp4Writer(target, width, height, null, sampleRateHz, settings);
    }

    private static void checkFrameSize(Path target, int width, int height) {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("H.264 yuv420p needs an even, positive frame size; got " + width + "x"
                    + height + " for " + target);
        }
    }

    /**
     * Opens a writer for {@code width x height} frames (both even: yuv420p halves the chroma) and mono
     * audio samples in [-1, 1].
     */
    public static Mp4Writer open(Path target, int width, int height, float[] audio, int sampleRateHz, Settings settings)
            throws IOException {
        checkFrameSize(target, width, height);
        if (audio.length == 0) {
            throw new IllegalArgumentException("no audio samples for " + target + ": the audio decides the video length");
        }
        if (sampleRateHz <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRateHz);
        }
        return new Mp4Writer(target, width, height, audio, sampleRateHz, settings);
    }

    /** Video frames the file will have: the audio length at the frame rate, rounded up. */
    public long expectedFrames() {
        return expectedFrames;
    }

    public long framesWritten() {
        return written;
    }

    /** Frames handed in past the audio's end and left out. */
    public long framesDropped() {
        return dropped;
    }

    /** Appends the next frame (RGB). */
    public void writeFrame(FloatImage rgb) throws IOException {
        if (rgb.width() != width || rgb.height() != height || rgb.channels() != 3) {
            throw new IllegalArgumentException("frame " + written + " is " + rgb + ", the video is " + width + "x"
                    + height + " RGB");
        }
        writeFrame(rgb.toBytes());
    }

    /** Appends the next frame as 8-bit RGB samples, row-major. */
    public void writeFrame(byte[] rgb) throws IOException {
        if (audio == null) {
            throw new IllegalStateException("a streaming writer takes each frame with its audio: writeFrame(rgb, pcm)");
        }
        int from = audioIndex(written);
        int to = audioIndex(written + 1);
        writeFrame(rgb, to > from ? FloatBuffer.wrap(audio, from, to - from) : null);
    }

    /** Streaming writers: appends the next frame (8-bit RGB, row-major) with the mono samples it shows. */
    public void writeFrame(byte[] rgb, float[] pcm) throws IOException {
        if (audio != null) {
            throw new IllegalStateException("this writer took its audio up front: writeFrame(rgb)");
        }
        writeFrame(rgb, pcm.length > 0 ? FloatBuffer.wrap(pcm) : null);
    }

    private void writeFrame(byte[] rgb, FloatBuffer samples) throws IOException {
        if (finished) {
            throw new IllegalStateException("video " + target + " is already finished");
        }
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("frame " + written + " has " + rgb.length + " samples, expected "
                    + width * height * 3);
        }
        if (written >= expectedFrames) {
            dropped++;
            return;
        }
        lastFrame = rgb;
        try {
            record(recorder, frame, rgb, samples, sampleRateHz);
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("encoding frame " + written + " of " + target + " failed: " + e.getMessage(), e);
        }
        written++;
    }

    private int audioIndex(long frameIndex) {
        return (int) Math.min(audio.length, Math.round((double) frameIndex * sampleRateHz / settings.fps()));
    }

    /** Pads with the last frame up to the audio's length, closes the file and moves it onto the target. */
    public Path finish() throws IOException {
        if (finished) {
            return target;
        }
        if (lastFrame == null) {
            throw new IllegalStateException("no frames were written for " + target);
        }
        while (audio != null && written < expectedFrames) {
            writeFrame(lastFrame);
        }
        try {
            recorder.stop();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("finishing " + target + " failed: " + e.getMessage(), e);
        }
        release();
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        finished = true;
        return target;
    }

    private void release() {
        try {
            recorder.release();
        } catch (FFmpegFrameRecorder.Exception e) {
            // Releasing after a failure: the original error is what matters.
        }
        frame.close();
    }

    /** Discards the temporary file unless {@link #finish} succeeded. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            release();
            Files.deleteIfExists(temp);
        }
    }
}
