package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.testing.SyntheticMedia;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's acceptance on the real sample and on bad inputs: a complete dataset the dataset source
 * loads, and for every bad input a failed run that names the cause and leaves nothing that looks complete.
 */
class PreprocessGraphTest {
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    Path runs;

    private Engine engine;

    @BeforeEach
    void start() {
        engine = Engine.builder().runsDir(runs).build();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private RunResult preprocess(Map<String, String> overrides) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of("model", SampleMedia.data("models/face_landmarker.task")
                .toString(), "segmentation", SampleMedia.data("models/selfie_segmentation.tflite").toString()));
        all.putAll(overrides);
        return engine.start(SampleMedia.graph("preprocess.conf"), all).await(WAIT);
    }

    private static void assertNoDatasetLooksComplete(RunResult r) {
        assertFalse(Files.exists(r.outputs().resolve("transforms_train.json")), "no transforms after a failure");
        assertFalse(Files.exists(r.outputs().resolve("dataset.complete")), "no completion marker after a failure");
    }

    @Test
    void preprocessOnTheSampleWritesADatasetTheDatasetReaderLoads() throws Exception {
        Path video = SampleMedia.data("hdtf_aoc.mp4");
        RunResult r = preprocess(Map.of("video", video.toString(), "decode.max-frames", "33"));
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        SyncTalkDataset dataset = DatasetReader.read(r.outputs());
        // The training graph's dataset source reads it, audio features (log-mel of aud.wav) included.
        assertEquals(dataset.train().size(), dev.synctalk.training.TrainingSet.load(r.outputs(),
                dev.synctalk.training.AudioFeatureKind.MEL).images().size());
        assertEquals(33, dataset.train().size() + dataset.val().size());
        assertEquals(3, dataset.val().size(), "the last 1/11 of the frames validate");
        assertEquals(512, dataset.camera().width());
        assertTrue(dataset.camera().focalX() > 100 && dataset.camera().focalX() < 5000, "focal " + dataset.camera());
        for (String file : new String[] {"dataset.complete", "dataset_contact_sheet.png", "head_pose/report.json",
                "head_pose/rotation.png", "parsing/0.png", "gt_imgs/32.jpg", "torso_imgs/32.png", "ori_imgs/32.lms",
                "bc.jpg", "bs.npy", "aud.wav"}) {
            assertTrue(Files.isRegularFile(r.outputs().resolve(file)), "missing " + file);
        }
        String report = Files.readString(r.outputs().resolve("head_pose/report.json"));
        assertTrue(report.contains("before") && report.contains("after"), report);
        byte[] wav = Files.readAllBytes(r.outputs().resolve("aud.wav"));
        assertEquals(33 * 640, ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).getInt(40) / 2,
                "aud.wav covers exactly the dataset's frames");
    }

    @Test
    void missingVideoFailsNamingTheFile() throws Exception {
        RunResult r = preprocess(Map.of("video", runs.resolve("nope.mp4").toString()));
        assertEquals(RunState.FAILED, r.state());
        assertTrue(r.error().contains("nope.mp4"), r.error());
        assertNoDatasetLooksComplete(r);
    }

    @Test
    void videoWithoutAFaceFailsNamingTheFrames() throws Exception {
        Path clip = SyntheticMedia.clip(runs.resolve("noface.mp4"), 40, 16000, 220);
        RunResult r = preprocess(Map.of("video", clip.toString()));
        assertEquals(RunState.FAILED, r.state());
        assertTrue(r.error().contains("no face") && r.error().contains("noface.mp4"), r.error());
        assertNoDatasetLooksComplete(r);
    }

    @Test
    void silentSpeechFailsWithAClearMessage() throws Exception {
        Path silent = SyntheticMedia.clip(runs.resolve("silent.mp4"), 40, 16000, 0);
        RunResult r = preprocess(Map.of("video", SampleMedia.data("hdtf_aoc.mp4").toString(), "audio",
                silent.toString(), "decode.max-frames", "40"));
        assertEquals(RunState.FAILED, r.state());
        assertTrue(r.error().contains("silent"), r.error());
        assertNoDatasetLooksComplete(r);
    }

    @Test
    void videoWithoutAudioTrackAndNoSpeechFileFailsSayingSo() throws Exception {
        RunResult r = preprocess(Map.of("video", SampleMedia.data("sun.mp4").toString(), "decode.max-frames", "20"));
        assertEquals(RunState.FAILED, r.state());
        assertTrue(r.error().contains("no audio track"), r.error());
        assertNoDatasetLooksComplete(r);
    }
}
