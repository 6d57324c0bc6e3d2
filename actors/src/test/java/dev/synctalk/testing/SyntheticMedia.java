package dev.synctalk.testing;

import dev.synctalk.samples.SampleData;
import dev.synctalk.video.MediaLogging;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Assumptions;

/** Tiny media files written with FFmpegFrameRecorder, so most tests need no sample data. */
public final class SyntheticMedia {
    private SyntheticMedia() {
    }

    public static final int WIDTH = 64;
    public static final int HEIGHT = 48;

    /** Pixel value of frame {@code i}: a smooth gradient that moves and brightens with i. */
    public static int pixel(int frame, int x, int y, int channel) {
        return switch (channel) {
            case 0 -> (x * 3 + frame * 6) & 0xff;
            case 1 -> (y * 4 + 20) & 0xff;
            default -> (frame * 8) & 0xff;
        };
    }

    /**
     * H.264 (libx264, keyframe every 8 frames, B-frames on) + AAC mono mp4 at 25 fps with a
     * {@code toneHz} sine at {@code audioRateHz}; {@code toneHz = 0} writes silence.
     */
    public static Path clip(Path file, int frames, int audioRateHz, double toneHz) throws Exception {
        return record(file, frames, i -> i * 40_000L, audioRateHz, toneHz, true);
    }

    /** Video only, frames at the given timestamps (multiples of 10 ms), each a flat grey of value 8 * i. */
    public static Path variableRateClip(Path file, long[] timestampsMicros) throws Exception {
        return record(file, timestampsMicros.length, i -> timestampsMicros[i], 0, 0, false);
    }

    private interface Timing {
        long micros(int frame);
    }

    private static Path record(Path file, int frames, Timing timing, int audioRateHz, double toneHz, boolean gradient)
            throws Exception {
        MediaLogging.quietFfmpeg();
        Files.createDirectories(file.getParent());
        boolean withAudio = audioRateHz > 0;
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), WIDTH, HEIGHT, withAudio ? 1 : 0)) {
            recorder.setFormat("mp4");
            recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.setFrameRate(gradient ? 25 : 100);
            recorder.setGopSize(8);
            recorder.setVideoOption("preset", "veryfast");
            recorder.setVideoOption("crf", "18");
            if (withAudio) {
                recorder.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
                recorder.setSampleRate(audioRateHz);
                recorder.setAudioChannels(1);
                recorder.setAudioBitrate(96_000);
            }
            try {
                recorder.start();
            } catch (FFmpegFrameRecorder.Exception e) {
                Assumptions.abort("cannot write H.264/AAC test media with this FFmpeg build: " + e.getMessage());
            }
            Frame image = new Frame(WIDTH, HEIGHT, Frame.DEPTH_UBYTE, 3);
            long samplesWritten = 0;
            for (int i = 0; i < frames; i++) {
                ByteBuffer buffer = (ByteBuffer) image.image[0];
                int stride = image.imageStride;
                for (int y = 0; y < HEIGHT; y++) {
                    for (int x = 0; x < WIDTH; x++) {
                        for (int c = 0; c < 3; c++) {
                            int v = gradient ? pixel(i, x, y, c) : (i * 8) & 0xff;
                            buffer.put(y * stride + x * 3 + c, (byte) v);
                        }
                    }
                }
                long micros = timing.micros(i);
                if (micros > recorder.getTimestamp()) {
                    recorder.setTimestamp(micros);
                }
                recorder.record(image, avutil.AV_PIX_FMT_RGB24);
                if (withAudio) {
                    long until = Math.round((i + 1) * audioRateHz / 25.0);
                    float[] samples = new float[(int) (until - samplesWritten)];
                    for (int s = 0; s < samples.length; s++) {
                        long t = samplesWritten + s;
                        samples[s] = (float) (0.4 * Math.sin(2 * Math.PI * toneHz * t / audioRateHz));
                    }
                    samplesWritten = until;
                    recorder.recordSamples(audioRateHz, 1, FloatBuffer.wrap(samples));
                }
            }
            recorder.stop();
        }
        return file;
    }

    /** A sample file (located by {@link SampleData}), or a skipped test when the sample data is not there. */
    public static Path sharedData(String name) {
        SampleData samples = SampleData.locate();
        Optional<Path> file = samples.find(name);
        Assumptions.assumeTrue(file.isPresent(), () -> samples.missing(name));
        return file.get();
    }
}
