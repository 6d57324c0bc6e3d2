package dev.synctalk.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.DatasetSequence;
import dev.synctalk.dataset.FramePose;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.testing.TestStageContext;
import dev.synctalk.training.FixtureDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality-eval stage on the synthetic fixture dataset (96x96, 55 frames: 5 validation frames), fed
 * renders whose relation to the ground truth is known: the ground truth itself, or it shifted.
 */
class QualityEvalStageTest {
    @TempDir
    static Path dir;
    private static Path dataset;
    private static Path lpips;

    @BeforeAll
    static void writeFixture() throws IOException {
        dataset = dir.resolve("fixture");
        FixtureDataset.write(dataset, new FixtureDataset.Settings(96, 96, 55, 5));
        lpips = dir.resolve("lpips-random.stnt");
        LpipsAlex.random(new int[] {8, 12, 16, 12, 12}, 2).write(lpips);
    }

    static QualityEvalStage.Config config(Path data, Path drivingAudio, Path landmarks) {
        return new QualityEvalStage.Config(data, DatasetSequence.Selection.VAL, drivingAudio, null, lpips, landmarks,
                Path.of("eval"), 8, 25, 4, true);
    }

    /** Runs the stage over renders made from each validation frame's ground truth; returns the report. */
    static QualityReport evaluate(Path runDir, QualityEvalStage.Config config, UnaryOperator<FloatImage> render)
            throws Exception {
        SyncTalkDataset d = DatasetReader.read(config.dataset());
        TestStageContext context = new TestStageContext("quality", runDir);
        try (Stage stage = new QualityEvalStage.Type().create(config, context)) {
            List<FramePose> val = d.val();
            for (int k = 0; k < val.size(); k++) {
                FloatImage truth = ImageFiles.read(d.layout().groundTruth(val.get(k).imageId()));
                RenderedFrame frame = RenderedFrame.of(k, render.apply(truth));
                stage.process(Inputs.single("frames", frame), (port, message) -> { });
            }
            stage.finish((port, message) -> { });
        }
        return QualityReport.read(runDir.resolve("outputs/eval").resolve(QualityReport.JSON_FILE));
    }

    /** The image moved right by dx and down by dy pixels, edge pixels repeated. */
    static FloatImage shifted(FloatImage image, int dx, int dy) {
        FloatImage out = image.copy();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int sx = Math.max(0, Math.min(image.width() - 1, x - dx));
                int sy = Math.max(0, Math.min(image.height() - 1, y - dy));
                for (int c = 0; c < image.channels(); c++) {
                    out.set(x, y, c, image.get(sx, sy, c));
                }
            }
        }
        return out;
    }

    @Test
    void anExactRenderScoresInfinitePsnrUnitSsimAndZeroLpips() throws Exception {
        Path run = dir.resolve("exact");
        Path noModel = dir.resolve("no-face_landmarker.task");
        QualityReport r = evaluate(run, config(dataset, null, noModel), UnaryOperator.identity());
        assertEquals("reconstruction", r.mode());
        for (String key : List.of("psnrFace", "psnrHead", "psnrPortrait")) {
            assertEquals(Double.POSITIVE_INFINITY, r.metric(key).value(), key);
        }
        for (String key : List.of("ssimHead", "msssimHead", "ssimPortrait", "msssimPortrait")) {
            assertEquals(1.0, r.metric(key).value(), 0.0, key);
        }
        assertEquals(0.0, r.metric("lpipsHead").value(), 0.0);
        assertEquals(0.0, r.metric("lpipsPortrait").value(), 0.0);
        assertEquals(r.metric("flickerTruth").value(), r.metric("flickerRender").value(), 0.0);
        for (String key : List.of("lmdMouth", "lmdAll", "mouthOpeningCorrelation", "avOffsetRender")) {
            assertTrue(r.metric(key).absent().contains(noModel.toAbsolutePath().toString()), key + ": "
                    + r.metric(key).absent());
        }
        assertFalse(r.metric(QualityColumns.SYNC_CONFIDENCE_KEY).present());
        assertEquals("5", r.meta().get("frames"));
    }

    @Test
    void theReportHasItsTablePlotsSheetPerFrameCsvAndSideBySideVideo() throws Exception {
        Path run = dir.resolve("files");
        evaluate(run, config(dataset, null, dir.resolve("none.task")), UnaryOperator.identity());
        Path out = run.resolve("outputs/eval");
        for (String f : List.of(QualityReport.MARKDOWN_FILE, QualityEvalStage.PLOTS_FILE, QualityEvalStage.SHEET_FILE)) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertEquals(1 + 5, Files.readAllLines(out.resolve(QualityEvalStage.PER_FRAME_FILE)).size());
        FloatImage sheet = ImageFiles.read(out.resolve(QualityEvalStage.SHEET_FILE));
        assertEquals(3 * 256, sheet.width(), "ground truth | render | error, 256 px each");
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(out.resolve(QualityEvalStage.VIDEO_FILE).toFile())) {
            grabber.start();
            assertEquals(192, grabber.getImageWidth(), "ground truth | render");
            assertEquals(96, grabber.getImageHeight());
            assertEquals("aac", grabber.getAudioCodecName());
            int frames = 0;
            while (grabber.grabImage() != null) {
                frames++;
            }
            assertEquals(5, frames, "one video frame per validation frame");
        }
    }

    @Test
    void aShiftedRenderScoresLowerTheFurtherItIsShifted() throws Exception {
        Path noModel = dir.resolve("none.task");
        QualityReport one = evaluate(dir.resolve("shift1"), config(dataset, null, noModel), f -> shifted(f, 1, 0));
        QualityReport three = evaluate(dir.resolve("shift3"), config(dataset, null, noModel), f -> shifted(f, 3, 0));
        for (String key : List.of("psnrFace", "psnrHead", "psnrPortrait", "ssimHead", "msssimHead", "ssimPortrait")) {
            double a = one.metric(key).value();
            double b = three.metric(key).value();
            assertTrue(Double.isFinite(a) && a > b, key + ": shift 1 px " + a + ", 3 px " + b);
        }
        assertTrue(three.metric("lpipsHead").value() > one.metric("lpipsHead").value());
    }

    @Test
    void aConstantRenderStillHasEveryImageMetric() throws Exception {
        QualityReport r = evaluate(dir.resolve("constant"), config(dataset, null, dir.resolve("none.task")),
                f -> ImageMetricsTest.constant(f.width(), f.height(), 0.5f));
        for (String key : List.of("psnrFace", "ssimHead", "msssimHead", "lpipsHead", "psnrPortrait", "ssimPortrait")) {
            assertTrue(Double.isFinite(r.metric(key).value()), key + " = " + r.metric(key).value());
        }
    }

    @Test
    void aSingleValidationFrameHasNoFlickerAndNoOffsetButItsImageMetrics() throws Exception {
        Path small = dir.resolve("fixture-11");
        FixtureDataset.write(small, new FixtureDataset.Settings(64, 64, 11, 5));
        QualityReport r = evaluate(dir.resolve("single"), config(small, null, dir.resolve("none.task")),
                UnaryOperator.identity());
        assertEquals("1", r.meta().get("frames"));
        assertEquals(Double.POSITIVE_INFINITY, r.metric("psnrPortrait").value());
        assertTrue(r.metric("flickerRender").absent().contains("at least 2"), r.metric("flickerRender").absent());
    }

    @Test
    void wrongSizesAndFrameCountsAreRefusedNamingTheCause() throws Exception {
        TestStageContext context = new TestStageContext("quality", dir.resolve("bad"));
        try (Stage stage = new QualityEvalStage.Type().create(config(dataset, null, dir.resolve("none.task")), context)) {
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> stage.process(
                    Inputs.single("frames", RenderedFrame.of(0, FloatImage.blank(64, 96, 3))), (p, m) -> { }));
            assertTrue(size.getMessage().contains("64x96") && size.getMessage().contains("96x96"), size.getMessage());
            stage.process(Inputs.single("frames", RenderedFrame.of(0, FloatImage.blank(96, 96, 3))), (p, m) -> { });
            IllegalStateException gap = assertThrows(IllegalStateException.class, () -> stage.process(
                    Inputs.single("frames", RenderedFrame.of(2, FloatImage.blank(96, 96, 3))), (p, m) -> { }));
            assertTrue(gap.getMessage().contains("frame 1 is missing"), gap.getMessage());
            IllegalStateException missing = assertThrows(IllegalStateException.class, () -> stage.finish((p, m) -> { }));
            assertTrue(missing.getMessage().contains("got 1 of the 5 val frames"), missing.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("bad/outputs/eval/report.json")), "no report from an incomplete run");
    }

    @Test
    void crossDrivenEvaluationHasNoGroundTruthColumns() throws Exception {
        Path speech = dataset.resolve("aud.wav");
        TestStageContext context = new TestStageContext("quality", dir.resolve("cross"));
        List<FloatImage> renders = new ArrayList<>();
        SyncTalkDataset d = DatasetReader.read(dataset);
        try (Stage stage = new QualityEvalStage.Type().create(config(dataset, speech, dir.resolve("none.task")), context)) {
            for (int k = 0; k < 55; k++) {
                FloatImage truth = ImageFiles.read(d.layout().groundTruth(d.val().get(k % 5).imageId()));
                renders.add(truth);
                stage.process(Inputs.single("frames", RenderedFrame.of(k, truth)), (p, m) -> { });
            }
            stage.finish((p, m) -> { });
        }
        QualityReport r = QualityReport.read(dir.resolve("cross/outputs/eval").resolve(QualityReport.JSON_FILE));
        assertEquals("cross-driven", r.mode());
        assertTrue(r.metrics().stream().noneMatch(m -> m.key().startsWith("psnr") || m.key().startsWith("lmd")));
        assertTrue(r.metric("mouthOpeningMeanRender").absent().contains("none.task"));
        assertTrue(r.metric("avOffsetTraining").absent().contains("none.task"));
        assertEquals(speech.toAbsolutePath().normalize().toString(), r.meta().get("drivingAudio"));
    }
}
