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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parsing as preprocess.conf chains it: face-parsing per frame, parsing-background over the whole video,
 * torso-images per frame over the background.
 */
class ParsingBackgroundStageTest {
    @TempDir
    Path runDir;

    private record Chain(List<ParsedFrame> parsed, TestStageContext parsing, TestStageContext background,
                         TestStageContext torso) {
    }

    /** The three stages over the given frames; the background stage is closed last, as at the end of a run. */
    private Chain chain(List<VideoFrame> frames, List<FaceLandmarks> landmarks, Path model,
                        Map<String, Object> backgroundParams) throws Exception {
        TestStageContext parsingContext = new TestStageContext("parsing", runDir);
        TestStageContext backgroundContext = new TestStageContext("background", runDir);
        TestStageContext torsoContext = new TestStageContext("torso", runDir);
        Collected<FrameParsing> parsed = new Collected<>("parsed", FrameParsing.class);
        try (Stage parsing = new FaceParsingStage.Type().create(Configs.of(FaceParsingStage.Config.class,
                Map.of("model", model)), parsingContext)) {
            for (int i = 0; i < frames.size(); i++) {
                parsing.process(new Inputs(frames.get(i).frameIndex(), Map.of("frames", frames.get(i),
                        "landmarks", landmarks.get(i))), parsed);
            }
        }
        try (Stage background = new ParsingBackgroundStage.Type().create(Configs.of(ParsingBackgroundStage.Config.class,
                backgroundParams), backgroundContext)) {
            List<FrameOverBackground> jobs = Collected.run(background, "parsed", parsed.messages, "frames",
                    FrameOverBackground.class);
            assertEquals(frames.size(), jobs.size(), "every frame is passed on with the background");
            try (Stage torso = new TorsoImagesStage.Type().create(Configs.of(TorsoImagesStage.Config.class, Map.of()),
                    torsoContext)) {
                List<ParsedFrame> done = Collected.run(torso, "frames", jobs, "parsed", ParsedFrame.class);
                return new Chain(done, parsingContext, backgroundContext, torsoContext);
            }
        }
    }

    @Test
    void classicalPathWritesEveryOutputOfASmallClip() throws Exception {
        SyntheticScene scene = new SyntheticScene(9);
        int count = SyntheticScene.FACE_X.length;
        List<VideoFrame> frames = new ArrayList<>();
        List<FaceLandmarks> landmarks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RgbImage image = scene.frame(SyntheticScene.FACE_X[i], i);
            frames.add(new VideoFrame(i, i * 40_000L, image.width(), image.height(), image.rgb()));
            landmarks.add(SyntheticScene.landmarks(i, SyntheticScene.FACE_X[i]));
        }
        Chain chain = chain(frames, landmarks, runDir.resolve("no-model.tflite"), Map.of("backgroundStride", 1));
        assertEquals(count, chain.parsed().size(), "one parsed marker per frame, after its files");
        for (int i = 0; i < count; i++) {
            assertEquals(i, chain.parsed().get(i).frameIndex());
        }
        Path out = runDir.resolve("outputs");
        assertTrue(Files.isRegularFile(out.resolve("bc.jpg")));
        assertTrue(Files.isRegularFile(out.resolve("parsing_contact_sheet.png")));
        for (int i = 0; i < count; i++) {
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
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith(".face-parsing-frames")),
                    "the kept frames are removed when the run ends");
        }
        assertEquals(count, chain.parsing().progressAdvanced);
        assertEquals(count, chain.background().progressAdvanced);
        assertEquals(count, chain.torso().progressAdvanced);
    }

    @Test
    void learnedPathOnTheSampleWritesEveryFramesImages() throws Exception {
        List<SampleFrames.WithLandmarks> samples = SampleFrames.withLandmarks("hdtf_aoc.mp4", Set.of(0L, 10L, 20L),
                runDir);
        List<VideoFrame> frames = samples.stream().map(SampleFrames.WithLandmarks::frame).toList();
        List<FaceLandmarks> landmarks = samples.stream().map(SampleFrames.WithLandmarks::landmarks).toList();
        Chain chain = chain(frames, landmarks, SampleFrames.segmentationModel(), Map.of("backgroundStride", 1));
        assertEquals(3, chain.parsed().size());
        Path out = runDir.resolve("outputs");
        for (SampleFrames.WithLandmarks s : samples) {
            long i = s.frame().frameIndex();
            assertTrue(Files.isRegularFile(out.resolve("torso_imgs/" + i + ".png")), "torso image " + i);
            assertTrue(Files.isRegularFile(out.resolve("gt_imgs/" + i + ".jpg")), "gt image " + i);
        }
        assertTrue(Files.isRegularFile(out.resolve("bc.jpg")));
        Files.createDirectories(Path.of("target"));
        Files.copy(out.resolve("parsing_contact_sheet.png"), Path.of("target/parsing-aoc-contact-sheet.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void backgroundSubsampleStaysBoundedAndEvenlySpread() throws Exception {
        TestStageContext context = new TestStageContext("background", runDir);
        Collected<FrameOverBackground> out = new Collected<>("frames", FrameOverBackground.class);
        FaceOutline face = FaceOutline.of(SyntheticScene.landmarks(0, 80), SyntheticScene.WIDTH, SyntheticScene.HEIGHT);
        try (Stage stage = new ParsingBackgroundStage.Type().create(Configs.of(ParsingBackgroundStage.Config.class,
                Map.of("backgroundStride", 2, "backgroundMaxSamples", 8)), context)) {
            for (int i = 0; i < 60; i++) {
                FrameParsing p = new FrameParsing(i, SyntheticScene.WIDTH, SyntheticScene.HEIGHT, face,
                        runDir.resolve("kept/" + i + ".png"), null);
                stage.process(Inputs.single("parsed", p), out);
            }
            assertTrue(out.messages.isEmpty(), "nothing is passed on before the background exists");
            List<Long> samples = ((ParsingBackgroundStage) stage).backgroundSampleIndices();
            assertTrue(samples.size() <= 8 && samples.size() >= 4, "samples " + samples);
            for (int k = 1; k < samples.size(); k++) {
                assertEquals(samples.get(1) - samples.get(0), samples.get(k) - samples.get(k - 1), "even spacing " + samples);
            }
            assertEquals(0L, samples.get(0));
        }
    }

    @Test
    void framesOfAnotherSizeFailNamingTheFrame() throws Exception {
        TestStageContext context = new TestStageContext("background", runDir);
        Collected<FrameOverBackground> out = new Collected<>("frames", FrameOverBackground.class);
        FaceOutline face = FaceOutline.of(SyntheticScene.landmarks(0, 80), SyntheticScene.WIDTH, SyntheticScene.HEIGHT);
        try (Stage stage = new ParsingBackgroundStage.Type().create(Configs.of(ParsingBackgroundStage.Config.class,
                Map.of()), context)) {
            stage.process(Inputs.single("parsed", new FrameParsing(0, 160, 120, face, runDir.resolve("0.png"), null)), out);
            FrameParsing small = new FrameParsing(1, 8, 8, face, runDir.resolve("1.png"), null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> stage.process(Inputs.single("parsed", small), out));
            assertTrue(e.getMessage().contains("frame 1") && e.getMessage().contains("8x8"), e.getMessage());
        }
    }
}
