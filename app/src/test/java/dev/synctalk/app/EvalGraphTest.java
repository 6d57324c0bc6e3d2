package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.ParsingClass;
import dev.synctalk.dataset.ParsingMap;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.eval.Psnr;
import dev.synctalk.eval.QualityReport;
import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.journal.JournalReader;
import dev.synctalk.journal.PayloadCodecs;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.training.FixtureDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * eval.conf and eval-cross.conf on the synthetic fixture (64x64, 55 frames, 5 validation frames) with a
 * tiny head trained for a few steps: every validation frame is rendered through head-render and measured
 * against its own ground truth.
 */
class EvalGraphTest {
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    static Path dir;
    private static Engine engine;
    private static Path dataset;
    private static Path model;
    private static Path lpips;

    @BeforeAll
    static void trainOnce() throws Exception {
        dataset = dir.resolve("fixture");
        FixtureDataset.write(dataset, new FixtureDataset.Settings(64, 64, 55, 5));
        lpips = dir.resolve("lpips-random.stnt");
        LpipsAlex.random(new int[] {8, 12, 16, 12, 12}, 4).write(lpips);
        engine = Engine.builder().runsDir(dir.resolve("runs")).build();
        Map<String, String> o = new HashMap<>();
        o.put("dataset", dataset.toString());
        o.put("preset", "tiny");
        o.put("iters", "40");
        o.put("coarse-iters", "40");
        o.put("rays-per-step", "512");
        o.put("lr", "5e-3");
        o.put("checkpoint-every", "40");
        o.put("lpips", dir.resolve("no-such-lpips.stnt").toString());
        o.put("head.threads", "2");
        RunResult trained = engine.start(SampleMedia.graph("train.conf"), o).await(WAIT);
        assertEquals(RunState.COMPLETED, trained.state(), trained.error());
        model = trained.outputs().resolve("head.ckpt");
    }

    @AfterAll
    static void close() throws Exception {
        engine.close();
    }

    private static Map<String, String> overrides() {
        Map<String, String> o = new HashMap<>();
        o.put("dataset", dataset.toString());
        o.put("model", model.toString());
        o.put("landmarks", dir.resolve("no-face_landmarker.task").toString());
        o.put("render.threads", "2");
        return o;
    }

    @Test
    void evalRendersEveryValidationFrameAndMeasuresItAgainstItsOwnGroundTruth() throws Exception {
        Map<String, String> o = overrides();
        o.put("lpips", lpips.toString());
        RunResult r = engine.start(SampleMedia.graph("eval.conf"), o).await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        Path out = r.outputs().resolve("eval");
        QualityReport report = QualityReport.read(out.resolve(QualityReport.JSON_FILE));
        assertEquals("reconstruction", report.mode());
        assertEquals("5", report.meta().get("frames"));
        for (String key : List.of("psnrFace", "psnrHead", "ssimHead", "psnrPortrait", "msssimPortrait", "lpipsPortrait")) {
            double v = report.metric(key).value();
            assertTrue(Double.isFinite(v) && v > 0, key + " = " + v);
        }
        assertTrue(report.metric("lmdMouth").absent().contains("no-face_landmarker.task"));

        // frame k of the report is the render of validation frame k against that frame's gt_imgs
        SyncTalkDataset d = DatasetReader.read(dataset);
        List<RenderedFrame> renders;
        try (JournalReader reader = JournalReader.open(r.runDir(), "render.frames--quality.frames")) {
            renders = reader.payloads(PayloadCodecs.discover(), RenderedFrame.class, Long.MAX_VALUE).toList();
        }
        assertEquals(5, renders.size());
        List<String> csv = Files.readAllLines(out.resolve("per_frame.csv"));
        for (int k = 0; k < 5; k++) {
            int imageId = d.val().get(k).imageId();
            FloatImage truth = ImageFiles.read(d.layout().groundTruth(imageId));
            boolean[] head = ParsingMap.read(d.layout().parsing(imageId)).mask(ParsingClass.HEAD);
            double expected = Psnr.masked(renders.get(k).image(), truth, head);
            String[] row = csv.get(k + 1).split(",");
            assertEquals(Integer.toString(imageId), row[1]);
            assertEquals(expected, Double.parseDouble(row[3]), 1e-4 * expected, "frame " + k);
        }
        for (String f : List.of("report.md", "plots.png", "side_by_side.png", "side_by_side.mp4")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
    }

    @Test
    void crossDrivenEvalRendersTheDrivingSpeechAndComparesWithTheTrainingVideo() throws Exception {
        Map<String, String> o = overrides();
        o.put("audio", dataset.resolve("aud.wav").toString());
        RunResult r = engine.start(SampleMedia.graph("eval-cross.conf"), o).await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        QualityReport report = QualityReport.read(r.outputs().resolve("eval").resolve(QualityReport.JSON_FILE));
        assertEquals("cross-driven", report.mode());
        assertEquals("55", report.meta().get("frames"), "one render per 40 ms of the driving speech");
        assertTrue(report.metric("avOffsetRender").absent().contains("no-face_landmarker.task"));
        assertTrue(Files.size(r.outputs().resolve("eval/side_by_side.mp4")) > 0);
    }
}
