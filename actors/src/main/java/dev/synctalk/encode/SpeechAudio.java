package dev.synctalk.encode;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/** Reads the whole audio track of a file (WAV or any media FFmpeg reads) as mono float samples. */
public final class SpeechAudio {
    private SpeechAudio() {
    }

    /** All samples, down-mixed to mono and resampled to {@code sampleRateHz}. */
    public static float[] readMono(Path file, int sampleRateHz) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "audio file missing");
        }
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile())) {
            grabber.setSampleRate(sampleRateHz);
            grabber.setAudioChannels(1);
            grabber.setSampleFormat(avutil.AV_SAMPLE_FMT_FLT);
            grabber.start();
            if (!grabber.hasAudio()) {
                throw new IOException(file + " has no audio track");
            }
            float[] samples = new float[sampleRateHz];
            int count = 0;
            Frame frame;
            while ((frame = grabber.grabSamples()) != null) {
                if (frame.samples == null) {
                    continue;
                }
                FloatBuffer buffer = ((FloatBuffer) frame.samples[0]).duplicate();
                int n = buffer.remaining();
                if (count + n > samples.length) {
                    samples = Arrays.copyOf(samples, Math.max(samples.length * 2, count + n));
                }
                buffer.get(samples, count, n);
                count += n;
            }
            grabber.stop();
            return Arrays.copyOf(samples, count);
        } catch (FrameGrabber.Exception e) {
            throw new IOException("cannot read audio from " + file + ": " + e.getMessage(), e);
        }
    }
}
