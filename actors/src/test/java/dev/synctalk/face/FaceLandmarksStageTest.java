package dev.synctalk.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.preview.ContactSheet;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import dev.synctalk.video.VideoFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaceLandmarksStageTest {

    private static Stage stage(TestStageContext context, Map<String, Object> overrides) throws Exception {
        Map<String, Object> params = new HashMap<>(overrides);
        if (!params.containsKey("model")) {
            // Looked up only when needed: tests naming their own model file must not skip without the samples.
            params.put("model", SampleFaces.modelFile());
        }
        return new FaceLandmarksStage.Type().create(Configs.of(FaceLandmarksStage.Config.class, params), context);
    }

    /** Frames first..first+count-1 of the sample with frames gapFirst..gapLast blanked to grey. */
    private static List<VideoFrame> framesWithGreyGap(int first, int count, long gapFirst, long gapLast) throws Exception {
        List<VideoFrame> frames = new ArrayList<>();
        for (VideoFrame f : SampleFaces.consecutiveFrames(first, count)) {
            frames.add(f.frameIndex() >= gapFirst && f.frameIndex() <= gapLast ? SampleFaces.grey(f) : f);
        }
        return frames;
    }

    @Test
    void shortFaceGapIsInterpolated(@TempDir Path runDir) throws Exception {
        List<VideoFrame> frames = framesWithGreyGap(20, 16, 26, 30);
        TestStageContext context = new TestStageContext("faces", runDir);
        List<FaceLandmarks> out;
        try (Stage stage = stage(context, Map.of())) {
            out = Collected.run(stage, "frames", frames, "landmarks", FaceLandmarks.class);
        }
        assertEquals(16, out.size());
        for (int i = 0; i < out.size(); i++) {
            FaceLandmarks l = out.get(i);
            assertEquals(20 + i, l.frameIndex(), "frame order");
            assertEquals(l.frameIndex() >= 26 && l.frameIndex() <= 30, l.interpolated(), "interpolated flag of " + l);
            assertEquals(512, l.imageWidth());
        }
        FaceLandmarks before = out.get(25 - 20);
        FaceLandmarks after = out.get(31 - 20);
        FaceLandmarks middle = out.get(28 - 20);
        for (int p : new int[] {1, 33, 263, 152}) {
            assertEquals(before.x(p) + (after.x(p) - before.x(p)) * 3 / 6f, middle.x(p), 1e-3, "x of point " + p);
            assertEquals(before.y(p) + (after.y(p) - before.y(p)) * 3 / 6f, middle.y(p), 1e-3, "y of point " + p);
        }
        assertEquals(16, context.progressAdvanced, "progress advances once per frame");
        assertEquals("frames", context.progressUnit);
        assertTrue(context.warnings().stream().anyMatch(w -> w.contains("no face in 5 frames")), context.warnings().toString());
    }

    @Test
    void longFaceGapFailsNamingTheFrames(@TempDir Path runDir) throws Exception {
        List<VideoFrame> frames = framesWithGreyGap(40, 12, 44, 48);
        TestStageContext context = new TestStageContext("faces", runDir);
        try (Stage stage = stage(context, Map.of("maxGapFrames", 3, "source", "hdtf_aoc.mp4"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Collected.run(stage, "frames", frames, "landmarks", FaceLandmarks.class));
            assertTrue(e.getMessage().startsWith("no face found in frames 44-47 of hdtf_aoc.mp4"), e.getMessage());
            assertTrue(e.getMessage().contains("max-gap-frames 3"), e.getMessage());
        }
    }

    @Test
    void missingModelFileIsNamed(@TempDir Path runDir) {
        Path absent = runDir.resolve("models/face_landmarker.task");
        TestStageContext context = new TestStageContext("faces", runDir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stage(context, Map.of("model", absent)));
        assertTrue(e.getMessage().contains("face-landmarks 'faces'"), e.getMessage());
        assertTrue(e.getMessage().contains(absent.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void unreadableModelFileIsNamed(@TempDir Path runDir) throws Exception {
        Path broken = Files.writeString(runDir.resolve("face_landmarker.task"), "not a zip");
        TestStageContext context = new TestStageContext("faces", runDir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stage(context, Map.of("model", broken)));
        assertTrue(e.getMessage().contains(broken.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not a readable .task zip"), e.getMessage());
    }

    @Test
    void contactSheetShowsLandmarksOnFramesSpreadOverTheVideo(@TempDir Path runDir) throws Exception {
        long[] indices = ContactSheet.spacedFrameIndices(SampleFaces.VIDEO_FRAMES, 16);
        List<VideoFrame> frames = SampleFaces.frames(indices);
        TestStageContext context = new TestStageContext("faces", runDir);
        List<FaceLandmarks> landmarks;
        try (Stage stage = stage(context, Map.of())) {
            landmarks = Collected.run(stage, "frames", frames, "landmarks", FaceLandmarks.class);
        }
        List<ContactSheet.Tile> tiles = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            assertFalse(landmarks.get(i).interpolated(), "face found in frame " + frames.get(i).frameIndex());
            tiles.add(new ContactSheet.Tile(frames.get(i), landmarks.get(i)));
        }
        Path png = Path.of("target", "face-landmarks-contact-sheet.png");
        ContactSheet.write(png, tiles, 4, 256);
        try (Mat sheet = opencv_imgcodecs.imread(png.toString())) {
            assertEquals(4 * 256, sheet.cols());
            assertEquals(4 * 256, sheet.rows());
        }
    }

    @Test
    void stageProcessesFramesOneAtATime(@TempDir Path runDir) throws Exception {
        List<VideoFrame> frames = SampleFaces.consecutiveFrames(0, 3);
        TestStageContext context = new TestStageContext("faces", runDir);
        try (Stage stage = stage(context, Map.of())) {
            Collected<FaceLandmarks> out = new Collected<>("landmarks", FaceLandmarks.class);
            stage.process(Inputs.single("frames", frames.get(0)), out);
            assertEquals(1, out.messages.size(), "a found face is emitted at once, not held back");
            assertEquals(1, context.progressAdvanced);
        }
    }
}
