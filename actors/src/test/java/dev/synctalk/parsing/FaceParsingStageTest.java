package dev.synctalk.parsing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import dev.synctalk.video.VideoFrame;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaceParsingStageTest {
    @TempDir
    Path runDir;

    private Stage stage(TestStageContext context, Map<String, Object> params) throws Exception {
        return new FaceParsingStage.Type().create(Configs.of(FaceParsingStage.Config.class, params), context);
    }

    private static Inputs inputs(SyntheticScene scene, long index, double cx) {
        RgbImage image = scene.frame(cx, index);
        VideoFrame frame = new VideoFrame(index, index * 40_000, image.width(), image.height(), image.rgb());
        FaceLandmarks landmarks = SyntheticScene.landmarks(index, cx);
        return new Inputs(index, Map.of("frames", frame, "landmarks", landmarks));
    }

    @Test
    void stageWritesAllOutputsForASmallClip() throws Exception {
        SyntheticScene scene = new SyntheticScene(9);
        TestStageContext context = new TestStageContext("parsing", runDir);
        Collected<ParsedFrame> parsed = new Collected<>("parsed", ParsedFrame.class);
        int frames = SyntheticScene.FACE_X.length;
        try (Stage stage = stage(context, Map.of("backgroundStride", 1))) {
            for (int i = 0; i < frames; i++) {
                stage.process(inputs(scene, i, SyntheticScene.FACE_X[i]), parsed);
                assertTrue(parsed.messages.isEmpty(), "nothing is announced before the background exists");
            }
            stage.finish(parsed);
        }
        assertEquals(frames, parsed.messages.size(), "one parsed marker per frame, after its files");
        Path out = runDir.resolve("outputs");
        assertTrue(Files.isRegularFile(out.resolve("bc.jpg")));
        assertTrue(Files.isRegularFile(out.resolve("parsing_contact_sheet.png")));
        for (int i = 0; i < frames; i++) {
            BufferedImage parsing = ImageIO.read(out.resolve("parsing/" + i + ".png").toFile());
            assertEquals(SyntheticScene.WIDTH, parsing.getWidth());
            assertTrue(Files.isRegularFile(out.resolve("parsing/" + i + "_face.png")));
            assertTrue(Files.isRegularFile(out.resolve("face_mask/" + i + ".png")));
            assertTrue(Files.isRegularFile(out.resolve("gt_imgs/" + i + ".jpg")));
            BufferedImage torso = ImageIO.read(out.resolve("torso_imgs/" + i + ".png").toFile());
            assertTrue(torso.getColorModel().hasAlpha(), "torso image " + i + " is RGBA");

            double cx = SyntheticScene.FACE_X[i];
            byte[] truth = SyntheticScene.personMask(cx);
            byte[] person = new byte[truth.length];
            for (int y = 0; y < parsing.getHeight(); y++) {
                for (int x = 0; x < parsing.getWidth(); x++) {
                    int rgb = parsing.getRGB(x, y) & 0xffffff;
                    assertTrue(rgb == 0xffffff || rgb == 0x0000ff || rgb == 0x00ff00 || rgb == 0xff0000,
                            "only reference colours in parsing/" + i + ".png, got " + Integer.toHexString(rgb));
                    person[y * parsing.getWidth() + x] = (byte) (rgb != 0xffffff ? 1 : 0);
                }
            }
            assertTrue(SyntheticScene.iou(person, truth) > 0.9, "frame " + i + " person IoU "
                    + SyntheticScene.iou(person, truth));
            assertEquals(0x0000ff, parsing.getRGB((int) cx, (int) SyntheticScene.FACE_CY) & 0xffffff, "face is head");
            assertEquals(0xff0000, parsing.getRGB((int) cx, SyntheticScene.HEIGHT - 2) & 0xffffff, "bottom is torso");
        }
        try (var files = Files.list(out)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith(".face-parsing-spill")),
                    "spilled frames are removed");
        }
        assertEquals(2L * frames, context.progressTotal);
        assertEquals(2L * frames, context.progressAdvanced);
    }

    @Test
    void backgroundSubsampleStaysBoundedAndEvenlySpread() throws Exception {
        SyntheticScene scene = new SyntheticScene(10);
        TestStageContext context = new TestStageContext("parsing", runDir);
        Collected<ParsedFrame> parsed = new Collected<>("parsed", ParsedFrame.class);
        try (Stage stage = stage(context, Map.of("backgroundStride", 2, "backgroundMaxSamples", 8))) {
            for (int i = 0; i < 60; i++) {
                stage.process(inputs(scene, i, 80), parsed);
            }
            List<Long> samples = ((FaceParsingStage) stage).backgroundSampleIndices();
            assertTrue(samples.size() <= 8 && samples.size() >= 4, "samples " + samples);
            for (int k = 1; k < samples.size(); k++) {
                assertEquals(samples.get(1) - samples.get(0), samples.get(k) - samples.get(k - 1), "even spacing " + samples);
            }
            assertEquals(0L, samples.get(0));
        }
    }

    @Test
    void framesOfAnotherSizeFailNamingTheFrame() throws Exception {
        SyntheticScene scene = new SyntheticScene(11);
        TestStageContext context = new TestStageContext("parsing", runDir);
        Collected<ParsedFrame> parsed = new Collected<>("parsed", ParsedFrame.class);
        try (Stage stage = stage(context, Map.of())) {
            stage.process(inputs(scene, 0, 80), parsed);
            VideoFrame small = new VideoFrame(1, 40_000, 8, 8, new byte[8 * 8 * 3]);
            Inputs bad = new Inputs(1, Map.of("frames", small, "landmarks", SyntheticScene.landmarks(1, 80)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stage.process(bad, parsed));
            assertTrue(e.getMessage().contains("frame 1") && e.getMessage().contains("8x8"), e.getMessage());
        }
    }
}
