package dev.synctalk.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.SyntheticMedia;
import dev.synctalk.testing.TestStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoDecodeStageTest {
    @TempDir
    static Path media;
    static Path clip;

    @TempDir
    Path runDir;

    @BeforeAll
    static void writeClip() throws Exception {
        clip = SyntheticMedia.clip(media.resolve("clip.mp4"), 30, 16000, 440);
    }

    private VideoDecodeStage stage(Path path, Map<String, Object> params, TestStageContext context) throws Exception {
        Map<String, Object> all = new java.util.HashMap<>(params);
        all.put("path", path);
        return (VideoDecodeStage) new VideoDecodeStage.Type().create(Configs.of(VideoDecodeStage.Config.class, all), context);
    }

    private List<VideoFrame> decode(Path path, Map<String, Object> params, long seekTo) throws Exception {
        try (VideoDecodeStage stage = stage(path, params, new TestStageContext("decode", runDir))) {
            if (seekTo > 0) {
                stage.seek(seekTo);
            }
            return Collected.drain(stage, "frames", VideoFrame.class);
        }
    }

    @Test
    void decodesEveryFrameOfTheClipAsRgb() throws Exception {
        TestStageContext context = new TestStageContext("decode", runDir);
        List<VideoFrame> frames;
        try (VideoDecodeStage stage = stage(clip, Map.of(), context)) {
            frames = Collected.drain(stage, "frames", VideoFrame.class);
        }
        assertEquals(30, frames.size());
        assertEquals(30, context.progressTotal);
        assertEquals(30, context.progressAdvanced);
        for (int i = 0; i < frames.size(); i++) {
            VideoFrame frame = frames.get(i);
            assertEquals(i, frame.frameIndex());
            assertEquals(i * 40_000L, frame.ptsMicros());
            assertEquals(SyntheticMedia.WIDTH, frame.width());
            assertEquals(SyntheticMedia.HEIGHT, frame.height());
            double error = 0;
            for (int y = 0; y < frame.height(); y++) {
                for (int x = 0; x < frame.width(); x++) {
                    for (int c = 0; c < 3; c++) {
                        int decoded = frame.rgb()[(y * frame.width() + x) * 3 + c] & 0xff;
                        error += Math.abs(decoded - SyntheticMedia.pixel(i, x, y, c));
                    }
                }
            }
            double meanError = error / (frame.width() * frame.height() * 3);
            assertTrue(meanError < 6, "frame " + i + " is the recorded picture in RGB order, mean error " + meanError);
        }
    }

    @Test
    void videoCutShortIsDecodedAsFarAsItGoesWithAWarning(@TempDir Path cut) throws Exception {
        Path whole = SyntheticMedia.indexFirstClip(cut.resolve("whole.mp4"), 50, 16000, 440);
        byte[] bytes = Files.readAllBytes(whole);
        Path half = Files.write(cut.resolve("half.mp4"), java.util.Arrays.copyOf(bytes, bytes.length * 6 / 10));

        TestStageContext wholeContext = new TestStageContext("decode", runDir);
        try (VideoDecodeStage stage = stage(whole, Map.of(), wholeContext)) {
            assertEquals(50, Collected.drain(stage, "frames", VideoFrame.class).size());
        }
        assertEquals(List.of(), wholeContext.warnings(), "a whole file decodes without a warning");

        TestStageContext context = new TestStageContext("decode", runDir);
        List<VideoFrame> frames;
        try (VideoDecodeStage stage = stage(half, Map.of(), context)) {
            frames = Collected.drain(stage, "frames", VideoFrame.class);
        }
        assertTrue(frames.size() > 5 && frames.size() < 45, "frames before the cut: " + frames.size());
        assertEquals(1, context.warnings().size(), context.warnings().toString());
        String warning = context.warnings().get(0);
        assertTrue(warning.contains("half.mp4") && warning.contains("ended after " + frames.size() + " frames")
                && warning.contains("cut short"), warning);
    }

    @Test
    void maxFramesStopsEarly() throws Exception {
        List<VideoFrame> frames = decode(clip, Map.of("maxFrames", 7), 0);
        assertEquals(7, frames.size());
        assertEquals(6, frames.get(6).frameIndex());
    }

    @Test
    void framesAfterASeekAreByteIdenticalToASequentialDecode() throws Exception {
        List<VideoFrame> sequential = decode(clip, Map.of(), 0);
        for (int from : new int[] {5, 13, 26}) {
            List<VideoFrame> seeked = decode(clip, Map.of(), from);
            assertEquals(from, seeked.get(0).frameIndex(), "first frame after seek(" + from + ")");
            assertEquals(sequential.subList(from, sequential.size()), seeked, "frames after seek(" + from + ")");
        }
    }

    @Test
    void variableFrameRateBecomesConstant() throws Exception {
        // Source frames (grey level 8*i) at irregular times; output ticks every 40 ms take the nearest one.
        long[] sourceMicros = {0, 40_000, 50_000, 130_000, 200_000, 210_000, 220_000, 330_000};
        Path vfr = SyntheticMedia.variableRateClip(media.resolve("vfr.mp4"), sourceMicros);
        List<VideoFrame> frames = decode(vfr, Map.of(), 0);
        // Ends one last interval (110 ms) after 330 ms: ticks 0..400 ms.
        int[] expectedSource = {0, 1, 2, 3, 3, 4, 6, 7, 7, 7, 7};
        assertEquals(expectedSource.length, frames.size());
        assertEquals(expectedSource.length, ConstantRateTimeline.frameCount(vfr, 25));
        for (int k = 0; k < frames.size(); k++) {
            assertEquals(k * 40_000L, frames.get(k).ptsMicros());
            assertEquals(expectedSource[k], sourceFrameOf(frames.get(k)), "output frame " + k);
        }
        List<VideoFrame> seeked = decode(vfr, Map.of(), 4);
        assertEquals(frames.subList(4, frames.size()), seeked);
    }

    /** Which grey source frame (value 8*i) an output frame shows. */
    private static int sourceFrameOf(VideoFrame frame) {
        long sum = 0;
        for (byte b : frame.rgb()) {
            sum += b & 0xff;
        }
        return (int) Math.round(sum / (double) frame.rgb().length / 8);
    }

    @Test
    void missingFileIsAClearError() {
        Path missing = runDir.resolve("nope.mp4");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stage(missing, Map.of(), new TestStageContext("decode", runDir)));
        assertTrue(e.getMessage().contains("video file not found") && e.getMessage().contains("nope.mp4"), e.getMessage());
    }

    @Test
    void fileThatIsNotAVideoIsAClearError() throws Exception {
        Path text = Files.writeString(runDir.resolve("notes.mp4"), "not a video at all");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stage(text, Map.of(), new TestStageContext("decode", runDir)));
        assertTrue(e.getMessage().contains("notes.mp4") && e.getMessage().contains("cannot open"), e.getMessage());
    }

    @Test
    void realSampleDecodesAt512AndSeeksExactly() throws Exception {
        Path sample = SyntheticMedia.sharedData("hdtf_aoc.mp4");
        List<VideoFrame> frames = decode(sample, Map.of(), 0);
        assertEquals(ConstantRateTimeline.frameCount(sample, 25), frames.size());
        assertTrue(frames.size() >= 200 && frames.size() <= 202, "8 s at 25 fps: " + frames.size());
        VideoFrame first = frames.get(0);
        assertEquals(512, first.width());
        assertEquals(512, first.height());
        assertFalse(java.util.Arrays.equals(first.rgb(), frames.get(100).rgb()), "the picture changes over time");
        List<VideoFrame> seeked = decode(sample, Map.of("maxFrames", 160), 150);
        assertEquals(frames.subList(150, 160), seeked);
    }

    @Test
    void videoFrameEqualityIsByContent() {
        VideoFrame a = new VideoFrame(3, 120_000, 2, 1, new byte[] {1, 2, 3, 4, 5, 6});
        VideoFrame b = new VideoFrame(3, 120_000, 2, 1, new byte[] {1, 2, 3, 4, 5, 6});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertArrayEquals(a.rgb(), b.rgb());
        assertThrows(IllegalArgumentException.class, () -> new VideoFrame(0, 0, 2, 2, new byte[6]));
    }
}
