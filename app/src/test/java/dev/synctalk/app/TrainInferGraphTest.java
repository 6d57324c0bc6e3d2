package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunHandle;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.journal.JournalReader;
import dev.synctalk.journal.PayloadCodecs;
import dev.synctalk.nerf.AveAudioNet;
import dev.synctalk.portrait.FaceMask;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.training.AveCheckpoint;
import dev.synctalk.training.FixtureDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Acceptance of training and inference as graphs (issue 3 items 3-5) on the synthetic fixture written
 * as a 32x32 dataset: train.conf with the tiny model, then infer.conf to an MP4.
 */
class TrainInferGraphTest {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int FRAMES = 55;
    private static final int ITERS = 60;

    @TempDir
    static Path dir;
    private static Engine engine;
    private static Path dataset;
    private static RunResult trained;

    @BeforeAll
    static void trainOnce() throws Exception {
        dataset = dir.resolve("fixture");
        FixtureDataset.write(dataset, new FixtureDataset.Settings(32, 32, FRAMES, 5));
        engine = Engine.builder().runsDir(dir.resolve("runs")).build();
        trained = engine.start(SampleMedia.graph("train.conf"), trainOverrides()).await(WAIT);
        assertEquals(RunState.COMPLETED, trained.state(), trained.error());
    }

    @AfterAll
    static void close() throws Exception {
        engine.close();
    }

    private static Map<String, String> trainOverrides() {
        Map<String, String> o = new HashMap<>();
        o.put("dataset", dataset.toString());
        o.put("preset", "tiny");
        o.put("iters", Integer.toString(ITERS));
        o.put("coarse-iters", "40");
        o.put("patch-size", "8");
        o.put("rays-per-step", "512");
        o.put("lr", "5e-3");
        o.put("checkpoint-every", "10");
        o.put("lpips", dir.resolve("no-such-lpips.stnt").toString());
        o.put("head.threads", "2");
        o.put("head.preview-every", "30");
        return o;
    }

    private static RunResult infer(boolean portrait) throws Exception {
        Map<String, String> o = new HashMap<>();
        o.put("audio", dataset.resolve("aud.wav").toString());
        o.put("model", trained.outputs().resolve("head.ckpt").toString());
        o.put("dataset", dataset.toString());
        o.put("portrait", Boolean.toString(portrait));
        o.put("render.threads", "2");
        RunResult r = engine.start(SampleMedia.graph("infer.conf"), o).await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        return r;
    }

    private static List<RenderedFrame> renderedFrames(RunResult run) {
        try (JournalReader reader = JournalReader.open(run.runDir(), "render.frames--encode.in")) {
            return reader.payloads(PayloadCodecs.discover(), RenderedFrame.class, Long.MAX_VALUE).toList();
        }
    }

    @Test
    void trainThenInferOnFixtureWritesMp4WithAudioOfMatchingFrameCount() throws Exception {
        assertTrue(Files.size(trained.outputs().resolve("head.ckpt")) > 0);
        assertTrue(Files.readString(trained.outputs().resolve("model.json")).contains("\"preset\": \"TINY\""));
        List<String> metrics = Files.readAllLines(trained.outputs().resolve("metrics.csv"));
        assertEquals(ITERS + 1, metrics.size(), "header and one row per step");

        RunResult r = infer(false);
        Path mp4 = r.outputs().resolve("video.mp4");
        int audioFrames = (int) Math.ceil(Files.size(dataset.resolve("aud.wav")) - 44) / 2 / 640;
        assertEquals(FRAMES, audioFrames);
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(mp4.toFile())) {
            grabber.start();
            assertEquals("h264", grabber.getVideoCodecName());
            assertEquals("aac", grabber.getAudioCodecName());
            assertEquals(32, grabber.getImageWidth());
            int frames = 0;
            while (grabber.grabImage() != null) {
                frames++;
            }
            assertEquals(audioFrames, frames, "one video frame per 40 ms of audio");
        }
    }

    @Test
    void portraitOutputDiffersFromRawRenderOnlyInsideTheFaceRegion() throws Exception {
        List<RenderedFrame> raw = renderedFrames(infer(false));
        List<RenderedFrame> portrait = renderedFrames(infer(true));
        assertEquals(FRAMES, raw.size());
        assertEquals(FRAMES, portrait.size());
        // infer.conf replays the validation split: 55 frames -> train 50, val 5 (img_id 50..54), mirrored
        int[] valIds = {50, 51, 52, 53, 54};
        double outsideDifference = 0;
        long outsideSamples = 0;
        for (int i = 0; i < FRAMES; i++) {
            int turn = i / valIds.length;
            int rest = i % valIds.length;
            int imageId = valIds[turn % 2 == 0 ? rest : valIds.length - rest - 1];
            FaceMask mask = FaceMask.read(dataset.resolve("parsing/" + imageId + "_face.png"));
            FloatImage original = ImageFiles.read(dataset.resolve("ori_imgs/" + imageId + ".jpg"));
            float[] a = raw.get(i).rgb();
            float[] b = portrait.get(i).rgb();
            for (int p = 0; p < mask.weights().length; p++) {
                float m = mask.weights()[p];
                for (int c = 0; c < 3; c++) {
                    int k = 3 * p + c;
                    if (m == 0f) {
                        assertEquals(original.data()[k], b[k], 0f, "outside the face the portrait is the original");
                        outsideDifference += Math.abs(a[k] - b[k]);
                        outsideSamples++;
                    } else if (m == 1f) {
                        assertEquals(a[k], b[k], 0f, "inside the face the portrait is the render");
                    }
                }
            }
        }
        // outside the face the original shows bc.jpg, the background the raw head is rendered over: what is
        // left is the raw render's own background error (haze of a 60-step model) and JPEG noise
        double meanOutside = outsideDifference / outsideSamples;
        System.out.printf("portrait vs raw render outside the face: mean |difference| %.4f%n", meanOutside);
        assertTrue(meanOutside < 0.03, "portrait differs from the raw render outside the face by " + meanOutside);
        assertTrue(raw.stream().anyMatch(f -> portrait.stream().noneMatch(f::equals)),
                "portrait mode changes the frames");
    }

    @Test
    void interruptedTrainingResumesBitIdentically() throws Exception {
        RunHandle run = engine.start(SampleMedia.graph("train.conf"), trainOverrides());
        Path checkpoints = dir.resolve("runs").resolve(run.runId()).resolve("checkpoints/head");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(Files.isDirectory(checkpoints) && Files.list(checkpoints).count() >= 2)) {
            assertTrue(System.nanoTime() < deadline, "no checkpoints appeared");
            Thread.sleep(2);
        }
        run.cancel();
        RunResult cancelled = run.await(WAIT);
        assertEquals(RunState.CANCELLED, cancelled.state(), "the run must be interrupted mid-way");
        assertTrue(!Files.exists(cancelled.outputs().resolve("head.ckpt")));

        RunHandle resumed = engine.resume(cancelled.runId());
        RunResult r = resumed.await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        assertTrue(resumed.metrics().stage("schedule").messagesOut() < ITERS, "the schedule restarts after a checkpoint");
        assertArrayEquals(Files.readAllBytes(trained.outputs().resolve("head.ckpt")),
                Files.readAllBytes(r.outputs().resolve("head.ckpt")),
                "parameters, optimiser moments, grid and random state equal the uninterrupted run's");
        assertEquals(Files.readString(trained.outputs().resolve("metrics.csv")),
                Files.readString(r.outputs().resolve("metrics.csv")));
    }

    @Test
    void aveCheckpointLoadsAndMelPathTrains() throws Exception {
        // mel (the default of train.conf): the reference run's batch PSNR rose
        List<String> rows = Files.readAllLines(trained.outputs().resolve("metrics.csv"));
        double early = psnr(rows.subList(1, 11));
        double late = psnr(rows.subList(rows.size() - 10, rows.size()));
        assertTrue(late > early + 3, "mel-path training PSNR went from " + early + " to " + late);

        // ave: the audio net starts from a checkpoint in the named-tensor format
        AveAudioNet pretrained = new AveAudioNet(FixtureDataset.FEATURE_DIM, 32, 16, 8, 99);
        Path ave = dir.resolve("ave.stnt");
        AveCheckpoint.write(ave, pretrained);
        AveAudioNet loaded = new AveAudioNet(FixtureDataset.FEATURE_DIM, 32, 16, 8, 1);
        AveCheckpoint.load(ave, loaded);
        for (int i = 0; i < pretrained.parameters().size(); i++) {
            assertArrayEquals(pretrained.parameters().get(i).data(), loaded.parameters().get(i).data());
        }
        Map<String, String> o = trainOverrides();
        o.put("audio-features", "ave");
        o.put("ave-checkpoint", ave.toString());
        o.put("iters", "20");
        o.put("coarse-iters", "20");
        RunResult r = engine.start(SampleMedia.graph("train.conf"), o).await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        assertTrue(Files.readString(r.outputs().resolve("model.json")).contains("\"audio_features\": \"AVE\""));
        assertEquals(21, Files.readAllLines(r.outputs().resolve("metrics.csv")).size());
    }

    @Test
    void missingLpipsWeightsWarnsAndFallsBackToMse() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("stage.head");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            Map<String, String> o = trainOverrides();
            o.put("iters", "12");
            o.put("coarse-iters", "6");
            RunResult r = engine.start(SampleMedia.graph("train.conf"), o).await(WAIT);
            assertEquals(RunState.COMPLETED, r.state(), r.error());
            String wanted = dir.resolve("no-such-lpips.stnt").toAbsolutePath().toString();
            assertTrue(events.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().contains(wanted) && e.getFormattedMessage().contains("falling back to MSE")),
                    "warning naming " + wanted);
            List<String> rows = Files.readAllLines(r.outputs().resolve("metrics.csv"));
            assertTrue(rows.get(7).contains(",fine,") && rows.get(6).contains(",coarse,"), rows.toString());
            assertTrue(rows.stream().skip(1).allMatch(l -> Double.isFinite(Double.parseDouble(l.split(",")[2]))));
        } finally {
            logger.detachAppender(events);
        }
    }

    private static double psnr(List<String> rows) {
        return rows.stream().mapToDouble(l -> Double.parseDouble(l.split(",")[4])).average().orElseThrow();
    }
}
