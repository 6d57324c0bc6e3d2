package dev.synctalk.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.audio.MelWindow;
import dev.synctalk.dataset.DatasetFrame;
import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.DatasetSequence;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.nerf.Checkpoint;
import dev.synctalk.portrait.FaceMask;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import dev.synctalk.training.AudioFeatureKind;
import dev.synctalk.training.FixtureDataset;
import dev.synctalk.training.HeadModelSpec;
import dev.synctalk.training.ModelPreset;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** head-render on the CPU as the engine drives it: windows in, 8-bit frames out, in order; its rate reported. */
class HeadRenderStageTest {
    private static final int SIDE = 24;
    private static final int BANDS = 8;
    private static final int MEL_FRAMES = 4;

    @TempDir
    Path dir;

    /** A fixture dataset and an (untrained, seeded) tiny mel model beside it. */
    private Map<String, Object> params(boolean portrait) throws Exception {
        Path dataset = dir.resolve("fixture");
        FixtureDataset.write(dataset, new FixtureDataset.Settings(SIDE, SIDE, 12, 5));
        HeadModelSpec spec = new HeadModelSpec(ModelPreset.TINY, AudioFeatureKind.MEL, 10,
                new int[] {BANDS, MEL_FRAMES}, HeadModelSpec.WINDOW, 64, 10, 7, 1e-2, 1e-3);
        Path model = dir.resolve("model").resolve("head.ckpt");
        java.nio.file.Files.createDirectories(model.getParent());
        spec.write(model.resolveSibling(HeadModelSpec.FILE_NAME));
        try (CpuBackend backend = new CpuBackend(1)) {
            Checkpoint.write(spec.newTrainer(backend), model);
        }
        Map<String, Object> p = new HashMap<>();
        p.put("model", model);
        p.put("dataset", dataset);
        p.put("portrait", portrait);
        p.put("threads", 1);
        return p;
    }

    private static List<RenderedFrame> run(Stage stage, int windows, long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        Collected<RenderedFrame> out = new Collected<>("frames", RenderedFrame.class);
        for (int i = 0; i < windows; i++) {
            float[] mel = new float[BANDS * MEL_FRAMES];
            for (int k = 0; k < mel.length; k++) {
                mel[k] = (float) rng.nextGaussian();
            }
            stage.process(Inputs.single("windows", new MelWindow(i, BANDS, MEL_FRAMES, mel)), out);
        }
        stage.finish(out);
        return out.messages;
    }

    @Test
    void everyFrameLeavesOnceInOrderAndTheSteadyStateRateIsReported() throws Exception {
        TestStageContext context = new TestStageContext("render", dir.resolve("run"));
        int windows = HeadRenderStage.STARTUP_FRAMES + 2 * HeadRenderStage.RATE_EVERY;
        List<RenderedFrame> frames;
        try (Stage stage = new HeadRenderStage.Type().create(Configs.of(HeadRenderStage.Config.class, params(false)),
                context)) {
            frames = run(stage, windows, 1);
        }
        assertEquals(LongStream.range(0, windows).boxed().toList(),
                frames.stream().map(RenderedFrame::frameIndex).toList());
        assertTrue(frames.stream().allMatch(f -> f.width() == SIDE && f.height() == SIDE));
        assertEquals("frames", context.progressUnit);
        assertEquals(windows, context.progressAdvanced);
        List<Object[]> rates = context.curves.stream().filter(c -> c[0].equals("frames_per_s")).toList();
        assertEquals(2, rates.size(), "one point per " + HeadRenderStage.RATE_EVERY + " steady-state frames");
        assertTrue((double) rates.get(1)[2] > 0);
        String last = context.infos().get(context.infos().size() - 1);
        assertTrue(last.contains(windows + " frames of " + SIDE + "x" + SIDE + " (head over background) on the CPU"), last);
        assertTrue(last.contains("frames/s in steady state (frames " + HeadRenderStage.STARTUP_FRAMES + ".."
                + (windows - 1) + "; the first " + HeadRenderStage.STARTUP_FRAMES + ", start-up, left out)"), last);
    }

    @Test
    void portraitFramesKeepTheOriginalsBytesOutsideTheFace() throws Exception {
        TestStageContext context = new TestStageContext("render", dir.resolve("run"));
        List<RenderedFrame> frames;
        Map<String, Object> p = params(true);
        try (Stage stage = new HeadRenderStage.Type().create(Configs.of(HeadRenderStage.Config.class, p), context)) {
            frames = run(stage, 6, 2);
        }
        assertEquals(6, frames.size());
        SyncTalkDataset dataset = DatasetReader.read((Path) p.get("dataset"));
        DatasetSequence sequence = new DatasetSequence(dataset, DatasetSequence.Selection.VAL, Long.MAX_VALUE);
        long outside = 0;
        for (RenderedFrame frame : frames) {
            DatasetFrame f = sequence.frame(frame.frameIndex());
            byte[] original = ImageFiles.readBytes(dataset.layout().original(f.imageId())).rgb();
            byte[] green = FaceMask.readGreen(dataset.layout().faceMask(f.imageId()));
            for (int q = 0; q < green.length; q++) {
                if ((green[q] & 0xff) == 255) {
                    outside++;
                    assertArrayEquals(java.util.Arrays.copyOfRange(original, 3 * q, 3 * q + 3),
                            java.util.Arrays.copyOfRange(frame.rgb8(), 3 * q, 3 * q + 3), "pixel " + q);
                }
            }
        }
        assertTrue(outside > 0, "the fixture's masks leave pixels outside the face");
    }
}
