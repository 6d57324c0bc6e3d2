package dev.synctalk.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.image.FloatImage;
import dev.synctalk.video.MediaLogging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mp4WriterTest {
    static final int W = 64;
    static final int H = 48;
    static final int RATE = 16_000;
    static final Mp4Writer.Settings FAST = new Mp4Writer.Settings(25, 23, 0, 64_000, "ultrafast");

    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet() {
        MediaLogging.quietFfmpeg();
    }

    static float[] tone(int samples) {
        float[] out = new float[samples];
        for (int i = 0; i < samples; i++) {
            out[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / RATE));
        }
        return out;
    }

    static FloatImage frame(int i) {
        FloatImage image = FloatImage.blank(W, H, 3);
        for (int p = 0; p < W * H; p++) {
            image.data()[p * 3] = (i * 10 % 256) / 255f;
            image.data()[p * 3 + 1] = 0.5f;
            image.data()[p * 3 + 2] = (p % W) / (float) W;
        }
        return image;
    }

    record Probe(String videoCodec, String audioCodec, int frames, int sampleRate, int channels, double seconds,
            int width, int height) {
    }

    static Probe probe(Path file) throws Exception {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile())) {
            grabber.start();
            int frames = 0;
            Frame f;
            while ((f = grabber.grabImage()) != null) {
                assertNotNull(f.image);
                frames++;
            }
            Probe p = new Probe(grabber.getVideoCodecName(), grabber.getAudioCodecName(), frames, grabber.getSampleRate(),
                    grabber.getAudioChannels(), grabber.getLengthInTime() / 1e6, grabber.getImageWidth(),
                    grabber.getImageHeight());
            grabber.stop();
            return p;
        }
    }

    @Test
    void libx264IsAvailableWithoutThePlatformExtensionProperty() {
        assertEquals(null, System.getProperty("org.bytedeco.javacpp.platform.extension"));
        assertNotNull(avcodec.avcodec_find_encoder_by_name("libx264"), "libx264 encoder (only in the -gpl natives)");
    }

    @Test
    void videoHasOneFramePerAudioFrameDurationWithH264AndAac() throws Exception {
        Path out = tmp.resolve("out/talk.mp4");
        try (Mp4Writer writer = Mp4Writer.open(out, W, H, tone(RATE * 2), RATE, FAST)) {
            assertEquals(50, writer.expectedFrames());
            for (int i = 0; i < 50; i++) {
                writer.writeFrame(frame(i));
            }
            writer.finish();
        }
        Probe p = probe(out);
        assertEquals("h264", p.videoCodec());
        assertEquals("aac", p.audioCodec());
        assertEquals(50, p.frames());
        assertEquals(RATE, p.sampleRate());
        assertEquals(1, p.channels());
        assertEquals(W, p.width());
        assertEquals(H, p.height());
        assertEquals(2.0, p.seconds(), 0.1);
        assertEquals(List.of("talk.mp4"), names(out.getParent()), "no temporary file left behind");
    }

    @Test
    void shortFrameStreamIsPaddedAndLongOneTrimmedToTheAudio() throws Exception {
        // 0.99 s of audio: 24.75 frames, rounded up to 25.
        int samples = 15_840;
        Path padded = tmp.resolve("padded.mp4");
        try (Mp4Writer writer = Mp4Writer.open(padded, W, H, tone(samples), RATE, FAST)) {
            assertEquals(25, writer.expectedFrames());
            for (int i = 0; i < 10; i++) {
                writer.writeFrame(frame(i));
            }
            writer.finish();
            assertEquals(25, writer.framesWritten());
        }
        assertEquals(25, probe(padded).frames());

        Path trimmed = tmp.resolve("trimmed.mp4");
        try (Mp4Writer writer = Mp4Writer.open(trimmed, W, H, tone(samples), RATE, FAST)) {
            for (int i = 0; i < 40; i++) {
                writer.writeFrame(frame(i));
            }
            writer.finish();
            assertEquals(15, writer.framesDropped());
        }
        assertEquals(25, probe(trimmed).frames());
    }

    @Test
    void unfinishedWriterLeavesNoFile() throws Exception {
        Path out = tmp.resolve("never.mp4");
        try (Mp4Writer writer = Mp4Writer.open(out, W, H, tone(RATE), RATE, FAST)) {
            writer.writeFrame(frame(0));
        }
        assertFalse(Files.exists(out));
        assertTrue(names(tmp).isEmpty(), "temporary file removed: " + names(tmp));
    }

    @Test
    void oddFrameSizeIsRefusedUpFront() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mp4Writer.open(tmp.resolve("odd.mp4"), 63, 48, tone(RATE), RATE, FAST));
        assertTrue(e.getMessage().contains("even"), e.getMessage());
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }


    private byte[] streamed(Path target) throws Exception {
        try (Mp4Writer w = Mp4Writer.openStreaming(target, 32, 32, 16_000, Mp4Writer.Settings.defaults())) {
            for (int i = 0; i < 30; i++) {
                byte[] rgb = new byte[32 * 32 * 3];
                java.util.Arrays.fill(rgb, (byte) (i * 8));
                float[] pcm = new float[640];
                for (int k = 0; k < pcm.length; k++) {
                    pcm[k] = (float) Math.sin((i * 640 + k) * 0.05) * 0.3f;
                }
                w.writeFrame(rgb, pcm);
            }
            w.finish();
        }
        return Files.readAllBytes(target);
    }

    @Test
    void aStreamingWriterTakesEachFramesAudioAndWritesTheSameBytesEveryTime() throws Exception {
        Path a = tmp.resolve("streamed-a.mp4");
        byte[] first = streamed(a);
        org.junit.jupiter.api.Assertions.assertArrayEquals(first, streamed(tmp.resolve("streamed-b.mp4")));
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(a.toFile())) {
            g.start();
            assertEquals("aac", g.getAudioCodecName());
            int frames = 0;
            while (g.grabImage() != null) {
                frames++;
            }
            assertEquals(30, frames, "the frames decide the length");
        }
    }
}
