package dev.synctalk.service.testing;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.service.session.ServedModel;
import dev.synctalk.training.FixtureDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A small trained head for service tests: the synthetic fixture written as a 32x32 dataset and a tiny
 * head trained on it by the real train.conf (a few steps: the tests need a real model, not a good one).
 * Made once per test JVM.
 */
public final class FixtureModel {
    public static final int SIZE = 32;
    public static final int FRAMES = 55;
    private static ServedModel model;
    private static Path dataset;

    private FixtureModel() {
    }

    public static Path repo() {
        return Path.of(System.getProperty("synctalk.repo.dir", "..")).toAbsolutePath().normalize();
    }

    public static synchronized ServedModel get() throws Exception {
        if (model == null) {
            Path dir = Files.createTempDirectory("synctalk-service-fixture");
            dataset = dir.resolve("fixture");
            FixtureDataset.write(dataset, new FixtureDataset.Settings(SIZE, SIZE, FRAMES, 5));
            Map<String, String> o = new HashMap<>();
            o.put("dataset", dataset.toString());
            o.put("preset", "tiny");
            o.put("iters", "12");
            o.put("coarse-iters", "8");
            o.put("patch-size", "8");
            o.put("rays-per-step", "256");
            o.put("checkpoint-every", "12");
            o.put("lpips", dir.resolve("no-such-lpips.stnt").toString());
            o.put("head.threads", "2");
            try (Engine engine = Engine.builder().runsDir(dir.resolve("runs")).build()) {
                RunResult trained = engine.start(repo().resolve("graph-definitions/train.conf"), o)
                        .await(Duration.ofMinutes(5));
                if (trained.state() != RunState.COMPLETED) {
                    throw new IllegalStateException("training the fixture head failed: " + trained.error());
                }
                model = ServedModel.open("fixture", trained.outputs().resolve("head.ckpt"), dataset, false, null, "val",
                        "cpu");
            }
        }
        return model;
    }

    /** The fixture's speech (aud.wav, 2.2 s at 16 kHz) as 16-bit PCM bytes, repeated to {@code seconds}. */
    public static byte[] speechS16le(double seconds) throws Exception {
        get();
        byte[] pcm = dev.synctalk.service.audio.PcmAudio.toS16le(dev.synctalk.service.audio.PcmAudio.fromWav(
                Files.readAllBytes(dataset.resolve("aud.wav")), 16_000));
        int want = (int) Math.round(seconds * 16_000) * 2;
        byte[] out = new byte[want];
        for (int i = 0; i < want; i += pcm.length) {
            System.arraycopy(pcm, 0, out, i, Math.min(pcm.length, want - i));
        }
        return out;
    }

    public static Path datasetDir() throws Exception {
        get();
        return dataset;
    }
}
