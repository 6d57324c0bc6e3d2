package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.dataset.NpyArray;
import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunHandle;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.facesync.fixture.TalkingMouthFixture;
import dev.synctalk.gpu.tensor.NamedTensorFile;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.journal.JournalReader;
import dev.synctalk.journal.PayloadCodecs;
import dev.synctalk.nerf.audio.AudioVisualEncoder;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.sync.SyncFixtureClip;
import dev.synctalk.training.FixtureDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Face-Sync graphs end to end on the CPU at tiny sizes: train-sync-expert.conf on a talking-mouth clip and
 * a fixture SyncTalk dataset, train-ave.conf under that expert (aud_ave.npy written into the dataset), then
 * train.conf with audio-features = ave and infer.conf driven through the AVE; interrupted runs resume
 * bit-identically; a missing or mismatched encoder is refused naming the file and the tensor.
 */
class FaceSyncGraphTest {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int DATASET_FRAMES = 40;
    private static final int EXPERT_ITERS = 30;
    private static final int AVE_ITERS = 24;

    @TempDir
    static Path dir;
    private static Engine engine;
    private static Path clip;
    private static Path dataset;
    private static RunResult expert;
    private static RunResult ave;

    @BeforeAll
    static void trainExpertThenAve() throws Exception {
        clip = dir.resolve("clips/talking");
        SyncFixtureClip.write(clip, new TalkingMouthFixture(new TalkingMouthFixture.Config(60, 64, 64, 4)));
        dataset = dir.resolve("fixture");
        FixtureDataset.write(dataset, new FixtureDataset.Settings(32, 32, DATASET_FRAMES, 5));
        engine = Engine.builder().runsDir(dir.resolve("runs")).build();
        expert = engine.start(SampleMedia.graph("train-sync-expert.conf"), expertOverrides()).await(WAIT);
        assertEquals(RunState.COMPLETED, expert.state(), expert.error());
        ave = engine.start(SampleMedia.graph("train-ave.conf"), aveOverrides()).await(WAIT);
        assertEquals(RunState.COMPLETED, ave.state(), ave.error());
    }

    @AfterAll
    static void close() throws Exception {
        engine.close();
    }

    private static Map<String, String> expertOverrides() {
        Map<String, String> o = new HashMap<>();
        o.put("clips", "[\"" + dir.resolve("clips") + "\", \"" + dataset + "\"]");
        o.put("channels", "2");
        o.put("batch", "4");
        o.put("iters", Integer.toString(EXPERT_ITERS));
        o.put("checkpoint-every", "5");
        o.put("expert.threads", "2");
        return o;
    }

    private static Map<String, String> aveOverrides() {
        Map<String, String> o = new HashMap<>();
        o.put("clips", "[\"" + dataset + "\"]");
        o.put("holdout", "0.25");
        o.put("expert", expert.outputs().resolve("sync_expert.stnt").toString());
        o.put("channels", "2");
        o.put("batch", "2");
        o.put("iters", Integer.toString(AVE_ITERS));
        o.put("checkpoint-every", "3");
        o.put("ave.threads", "2");
        return o;
    }

    /** Starts a run, cancels it once two checkpoints exist, resumes it and returns the resumed result. */
    private static RunResult interruptAndResume(String graph, Map<String, String> overrides, String stage)
            throws Exception {
        RunHandle run = engine.start(SampleMedia.graph(graph), overrides);
        Path checkpoints = dir.resolve("runs").resolve(run.runId()).resolve("checkpoints").resolve(stage);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(Files.isDirectory(checkpoints) && Files.list(checkpoints).count() >= 2)) {
            assertTrue(System.nanoTime() < deadline, "no checkpoints appeared");
            Thread.sleep(2);
        }
        run.cancel();
        RunResult cancelled = run.await(WAIT);
        assertEquals(RunState.CANCELLED, cancelled.state(), "the run must be interrupted mid-way");
        RunResult resumed = engine.resume(cancelled.runId()).await(WAIT);
        assertEquals(RunState.COMPLETED, resumed.state(), resumed.error());
        return resumed;
    }

    @Test
    void expertGraphReportsHeldOutSyncAndResumesBitIdentically() throws Exception {
        String report = Files.readString(expert.outputs().resolve("sync-expert-report.json"));
        assertTrue(report.contains("not SyncNet") && report.contains("talking") && report.contains("fixture"), report);
        assertTrue(report.contains("\"offset_frames\""), report);
        List<String> metrics = Files.readAllLines(expert.outputs().resolve("sync-metrics.csv"));
        assertEquals(EXPERT_ITERS + 1, metrics.size(), "header and one row per step");
        assertTrue(metrics.get(1).startsWith("0,expert,"), metrics.get(1));

        RunResult resumed = interruptAndResume("train-sync-expert.conf", expertOverrides(), "expert");
        assertArrayEquals(Files.readAllBytes(expert.outputs().resolve("sync_expert.stnt")),
                Files.readAllBytes(resumed.outputs().resolve("sync_expert.stnt")));
        assertEquals(Files.readString(expert.outputs().resolve("sync-metrics.csv")),
                Files.readString(resumed.outputs().resolve("sync-metrics.csv")));
    }

    @Test
    void aveGraphWritesTheEncoderAndDatasetFeaturesAndResumesBitIdentically() throws Exception {
        AudioVisualEncoder encoder = AudioVisualEncoder.load(ave.outputs().resolve("ave.stnt"));
        assertEquals(32, encoder.featureDim(), "16 x 2 channels");
        NpyArray features = NpyArray.read(dataset.resolve("aud_ave.npy"));
        assertArrayEquals(new int[] {DATASET_FRAMES, 32}, features.shape());
        String report = Files.readString(ave.outputs().resolve("ave-report.json"));
        assertTrue(report.contains("reconstruction_l1") && report.contains("mouth_opening_probe_r_ave"), report);

        RunResult resumed = interruptAndResume("train-ave.conf", aveOverrides(), "ave");
        assertArrayEquals(Files.readAllBytes(ave.outputs().resolve("ave.stnt")),
                Files.readAllBytes(resumed.outputs().resolve("ave.stnt")));
    }

    private static Map<String, String> headOverrides(Path encoder) {
        Map<String, String> o = new HashMap<>();
        o.put("dataset", dataset.toString());
        o.put("preset", "tiny");
        o.put("audio-features", "ave");
        o.put("ave-encoder", encoder.toString());
        o.put("iters", "10");
        o.put("coarse-iters", "10");
        o.put("rays-per-step", "256");
        o.put("checkpoint-every", "5");
        o.put("lpips", dir.resolve("no-such-lpips.stnt").toString());
        o.put("head.threads", "2");
        o.put("head.preview-every", "0");
        return o;
    }

    @Test
    void headTrainedOnAveFeaturesRendersSpeechThroughTheEncoder() throws Exception {
        Path encoder = ave.outputs().resolve("ave.stnt");
        RunResult head = engine.start(SampleMedia.graph("train.conf"), headOverrides(encoder)).await(WAIT);
        assertEquals(RunState.COMPLETED, head.state(), head.error());
        assertArrayEquals(Files.readAllBytes(encoder), Files.readAllBytes(head.outputs().resolve("ave_encoder.stnt")),
                "the encoder travels with the model");
        assertTrue(Files.readString(head.outputs().resolve("model.json")).contains("\"audio_features\": \"AVE\""));

        Map<String, String> o = new HashMap<>();
        o.put("audio", dataset.resolve("aud.wav").toString());
        o.put("model", head.outputs().resolve("head.ckpt").toString());
        o.put("dataset", dataset.toString());
        o.put("render.threads", "2");
        RunResult infer = engine.start(SampleMedia.graph("infer.conf"), o).await(WAIT);
        assertEquals(RunState.COMPLETED, infer.state(), infer.error());
        try (JournalReader reader = JournalReader.open(infer.runDir(), "render.frames--encode.in")) {
            List<RenderedFrame> frames = reader.payloads(PayloadCodecs.discover(), RenderedFrame.class, Long.MAX_VALUE)
                    .toList();
            assertEquals(DATASET_FRAMES, frames.size());
        }

        Path missing = dir.resolve("no-encoder-here.stnt");
        o.put("render.ave-encoder", missing.toString());
        RunResult noEncoder = engine.start(SampleMedia.graph("infer.conf"), o).await(WAIT);
        assertEquals(RunState.FAILED, noEncoder.state());
        assertTrue(noEncoder.error().contains(missing.toString()), noEncoder.error());
    }

    @Test
    void missingOrMismatchedEncodersAreRefusedNamingTheFileAndTheTensor() throws Exception {
        Path missing = dir.resolve("no-such-ave.stnt");
        RunResult noFile = engine.start(SampleMedia.graph("train.conf"), headOverrides(missing)).await(WAIT);
        assertEquals(RunState.FAILED, noFile.state());
        assertTrue(noFile.error().contains(missing.toString()), noFile.error());

        Map<String, Tensor> tensors = new LinkedHashMap<>(NamedTensorFile.read(ave.outputs().resolve("ave.stnt")).tensors());
        tensors.remove("audio_encoder.5.conv_block.1.running_var");
        Path broken = dir.resolve("broken-ave.stnt");
        NamedTensorFile.write(tensors, broken);
        RunResult mismatched = engine.start(SampleMedia.graph("train.conf"), headOverrides(broken)).await(WAIT);
        assertEquals(RunState.FAILED, mismatched.state());
        assertTrue(mismatched.error().contains(broken.toString())
                && mismatched.error().contains("audio_encoder.5.conv_block.1.running_var"), mismatched.error());

        Path other = dir.resolve("other-ave.stnt");
        AudioVisualEncoder.randomInit(9, 2).save(other);
        RunResult stale = engine.start(SampleMedia.graph("train.conf"), headOverrides(other)).await(WAIT);
        assertEquals(RunState.FAILED, stale.state());
        assertTrue(stale.error().contains("aud_ave.npy") && stale.error().contains("ave-features.conf"), stale.error());
        assertFalse(Files.exists(stale.outputs().resolve("head.ckpt")));
    }
}
