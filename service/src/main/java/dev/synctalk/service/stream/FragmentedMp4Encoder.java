package dev.synctalk.service.stream;

import dev.synctalk.encode.Mp4Writer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * A live H.264 + AAC fragmented MP4 (ftyp+moov first, then one moof+mdat per second: a keyframe every
 * fps frames), written to memory and handed out frame by frame, for players that take MP4 over HTTP.
 * The encoder settings are {@link Mp4Writer#configure}'s, with x264's zero-latency tuning so a frame
 * leaves the encoder when it enters.
 */
public final class FragmentedMp4Encoder implements AutoCloseable {
    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    private final FFmpegFrameRecorder recorder;
    private final Frame frame;
    private final int width;
    private final int height;
    private final int sampleRateHz;
    private boolean closed;

    public FragmentedMp4Encoder(int width, int height, int sampleRateHz, Mp4Writer.Settings settings) throws IOException {
        if (width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("H.264 yuv420p needs an even frame size; got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.sampleRateHz = sampleRateHz;
        this.recorder = Mp4Writer.configure(new FFmpegFrameRecorder(sink, width, height, 1), sampleRateHz, settings);
        recorder.setOption("movflags", "frag_keyframe+empty_moov+default_base_moof");
        recorder.setGopSize(settings.fps());
        recorder.setVideoOption("tune", "zerolatency");
        this.frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3);
        try {
            recorder.start();
        } catch (FFmpegFrameRecorder.Exception e) {
            release();
            throw new IOException("cannot start the fragmented MP4 encoder (needs FFmpeg with libx264): "
                    + e.getMessage(), e);
        }
    }

    /** Encodes one frame (8-bit RGB, row-major) with its audio; returns the MP4 bytes written meanwhile. */
    public byte[] encode(byte[] rgb, float[] pcm) throws IOException {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("fragmented MP4: a frame of " + rgb.length + " samples, expected "
                    + width * height * 3);
        }
        try {
            Mp4Writer.record(recorder, frame, rgb, pcm.length > 0 ? FloatBuffer.wrap(pcm) : null, sampleRateHz);
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("fragmented MP4: encoding a frame failed: " + e.getMessage(), e);
        }
        return drain();
    }

    /** Flushes the encoder and writes the last fragment. */
    public byte[] finish() throws IOException {
        if (closed) {
            return new byte[0];
        }
        try {
            recorder.stop();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException("fragmented MP4: finishing failed: " + e.getMessage(), e);
        }
        release();
        return drain();
    }

    private byte[] drain() {
        byte[] out = sink.toByteArray();
        sink.reset();
        return out;
    }

    private void release() {
        closed = true;
        try {
            recorder.release();
        } catch (FFmpegFrameRecorder.Exception e) {
            // releasing after a failure: that failure is what is reported
        }
        frame.close();
    }

    @Override
    public void close() {
        if (!closed) {
            release();
        }
    }
}
