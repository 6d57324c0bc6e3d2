package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunHandle;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.journal.JournalReader;
import dev.synctalk.journal.PayloadCodecs;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;
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
 * Torso training and rendering as graphs on the synthetic fixture with a torso (32x32): train.conf
 * (tiny head), then train-torso.conf, then infer.conf with and without -Ptorso.
 */
class TorsoGraphTest {
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int SIZE = 32;
    private static final int FRAMES = 33;
    private static final long SEED = 5;
    private static final int TORSO_ITERS = 60;

    @TempDir
    static Path dir;
    private static Engine engine;
    private static Path dataset;
    private static RunResult head;
    private static RunResult torso;

    @BeforeAll
    static void trainHeadThenTorso() throws Exception {
        dataset = dir.resolve("fixture");
        FixtureDataset.write(dataset, new FixtureDataset.Settings(SIZE, SIZE, FRAMES, SEED, true));
        engine = Engine.builder().runsDir(dir.resolve("runs")).build();
        Map<String, String> o = new HashMap<>();
        o.put("dataset", dataset.toString());
        o.put("preset", "tiny");
        o.put("iters", "40");
        o.put("coarse-iters", "40");
        o.put("rays-per-step", "512");
        o.put("lr", "5e-3");
        o.put("checkpoint-every", "20");
        o.put("lpips", dir.resolve("no-such-lpips.stnt").toString());
        o.put("head.threads", "2");
        o.put("head.preview-every", "0");
        head = engine.start(SampleMedia.graph("train.conf"), o).await(WAIT);
        assertEquals(RunState.COMPLETED, head.state(), head.error());
        torso = engine.start(SampleMedia.graph("train-torso.conf"), torsoOverrides()).await(WAIT);
        assertEquals(RunState.COMPLETED, torso.state(), torso.error());
    }

    @AfterAll
    static void close() throws Exception {
        engine.close();
    }

    private static Map<String, String> torsoOverrides() {
        Map<String, String> o = new HashMap<>();
        o.put("dataset", dataset.toString());
        o.put("preset", "tiny");
        o.put("iters", Integer.toString(TORSO_ITERS));
        o.put("pixels-per-step", "256");
        o.put("lr", "5e-3");
        o.put("grid-lr", "2e-2");
        o.put("checkpoint-every", "10");
        o.put("torso.threads", "2");
        o.put("torso.preview-every", "30");
        return o;
    }

    @Test
    void torsoTrainingGraphWritesTorsoCheckpointAndResumesBitIdentically() throws Exception {
        assertTrue(Files.size(torso.outputs().resolve("torso.ckpt")) > 0);
        assertTrue(Files.readString(torso.outputs().resolve("torso.json")).contains("\"preset\": \"TINY\""));
        List<String> metrics = Files.readAllLines(torso.outputs().resolve("torso-metrics.csv"));
        assertEquals(TORSO_ITERS + 1, metrics.size(), "header and one row per step");
        assertTrue(metrics.stream().skip(1).allMatch(l -> l.contains(",torso,")), metrics.get(1));

        RunHandle run = engine.start(SampleMedia.graph("train-torso.conf"), torsoOverrides());
        Path checkpoints = dir.resolve("runs").resolve(run.runId()).resolve("checkpoints/torso");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(Files.isDirectory(checkpoints) && Files.list(checkpoints).count() >= 2)) {
            assertTrue(System.nanoTime() < deadline, "no checkpoints appeared");
            Thread.sleep(2);
        }
        run.cancel();
        RunResult cancelled = run.await(WAIT);
        assertEquals(RunState.CANCELLED, cancelled.state(), "the run must be interrupted mid-way");
        assertFalse(Files.exists(cancelled.outputs().resolve("torso.ckpt")));

        RunHandle resumed = engine.resume(cancelled.runId());
        RunResult r = resumed.await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        assertTrue(resumed.metrics().stage("sampler").messagesOut() < TORSO_ITERS,
                "the sampler restarts after a checkpoint");
        assertArrayEquals(Files.readAllBytes(torso.outputs().resolve("torso.ckpt")),
                Files.readAllBytes(r.outputs().resolve("torso.ckpt")),
                "parameters, optimiser moments and random state equal the uninterrupted run's");
        assertEquals(Files.readString(torso.outputs().resolve("torso-metrics.csv")),
                Files.readString(r.outputs().resolve("torso-metrics.csv")));
    }

    private static List<RenderedFrame> render(Path torsoModel) throws Exception {
        Map<String, String> o = new HashMap<>();
        o.put("audio", dataset.resolve("aud.wav").toString());
        o.put("model", head.outputs().resolve("head.ckpt").toString());
        o.put("dataset", dataset.toString());
        o.put("render.threads", "2");
        if (torsoModel != null) {
            o.put("torso", torsoModel.toString());
        }
        RunResult r = engine.start(SampleMedia.graph("infer.conf"), o).await(WAIT);
        assertEquals(RunState.COMPLETED, r.state(), r.error());
        try (JournalReader reader = JournalReader.open(r.runDir(), "render.frames--encode.in")) {
            return reader.payloads(PayloadCodecs.discover(), RenderedFrame.class, Long.MAX_VALUE).toList();
        }
    }

    @Test
    void inferWithTorsoComposesHeadOverTorsoOverBackground() throws Exception {
        List<RenderedFrame> headOnly = render(null);
        List<RenderedFrame> withTorso = render(torso.outputs().resolve("torso.ckpt"));
        assertEquals(FRAMES, headOnly.size());
        assertEquals(FRAMES, withTorso.size());

        // regions over every frame of the fixture: "torso" is torso in all frames and at least 2 px from any
        // head; "far" is at least 2 px from any head or torso pixel of any frame
        SyntheticHeadFixture fixture = new SyntheticHeadFixture(new SyntheticHeadFixture.Config(SIZE, SIZE, FRAMES,
                FixtureDataset.FEATURE_DIM, SEED));
        boolean[] anyHead = new boolean[SIZE * SIZE];
        boolean[] anyTorso = new boolean[SIZE * SIZE];
        boolean[] allTorso = new boolean[SIZE * SIZE];
        java.util.Arrays.fill(allTorso, true);
        for (int i = 0; i < FRAMES; i++) {
            SyntheticHeadFixture.TorsoView view = fixture.torsoView(i);
            for (int p = 0; p < SIZE * SIZE; p++) {
                anyHead[p] |= view.headMask()[p] > 0;
                anyTorso[p] |= view.torsoMask()[p] > 0;
                allTorso[p] &= view.torsoMask()[p] > 0;
            }
        }
        boolean[] nearHead = dilate(anyHead, 2);
        boolean[] nearTorso = dilate(anyTorso, 2);
        float[] background = ImageFiles.read(dataset.resolve("bc.jpg")).data();

        double torsoDifference = 0;
        long torsoSamples = 0;
        double farError = 0;
        double farHeadOnlyError = 0;
        long farSamples = 0;
        for (int i = 0; i < FRAMES; i++) {
            float[] a = headOnly.get(i).rgb();
            float[] b = withTorso.get(i).rgb();
            for (int p = 0; p < SIZE * SIZE; p++) {
                for (int c = 0; c < 3; c++) {
                    int k = 3 * p + c;
                    if (allTorso[p] && !nearHead[p]) {
                        torsoDifference += Math.abs(a[k] - b[k]);
                        torsoSamples++;
                    } else if (!nearHead[p] && !nearTorso[p]) {
                        farError += Math.abs(b[k] - background[k]);
                        farHeadOnlyError += Math.abs(a[k] - background[k]);
                        farSamples++;
                    }
                }
            }
        }
        assertTrue(torsoSamples > 0 && farSamples > 0, "the fixture has torso-only and far-away pixels");
        double meanTorso = torsoDifference / torsoSamples;
        double meanFar = farError / farSamples;
        System.out.printf("torso region: mean |with torso - head only| %.4f; far region: mean |with torso - bc.jpg|"
                + " %.4f (head only %.4f)%n", meanTorso, meanFar, farHeadOnlyError / farSamples);
        assertTrue(meanTorso > 0.1, "the torso changes the torso region by only " + meanTorso);
        assertTrue(meanFar < 0.03, "far from head and torso the frame differs from bc.jpg by " + meanFar);
    }

    @Test
    void portraitAndTorsoTogetherAreRefused() throws Exception {
        Map<String, String> o = new HashMap<>();
        o.put("audio", dataset.resolve("aud.wav").toString());
        o.put("model", head.outputs().resolve("head.ckpt").toString());
        o.put("dataset", dataset.toString());
        o.put("portrait", "true");
        o.put("torso", torso.outputs().resolve("torso.ckpt").toString());
        RunResult r = engine.start(SampleMedia.graph("infer.conf"), o).await(WAIT);
        assertEquals(RunState.FAILED, r.state());
        assertTrue(String.valueOf(r.error()).contains("alternatives"), String.valueOf(r.error()));
    }

    private static boolean[] dilate(boolean[] mask, int radius) {
        boolean[] out = new boolean[mask.length];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                if (!mask[y * SIZE + x]) {
                    continue;
                }
                for (int dy = -radius; dy <= radius; dy++) {
                    for (int dx = -radius; dx <= radius; dx++) {
                        int u = x + dx;
                        int v = y + dy;
                        if (u >= 0 && v >= 0 && u < SIZE && v < SIZE) {
                            out[v * SIZE + u] = true;
                        }
                    }
                }
            }
        }
        return out;
    }
}
