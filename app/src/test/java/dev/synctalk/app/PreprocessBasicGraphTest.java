package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunHandle;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job on the real sample: frames, 16 kHz audio and mel windows whose counts agree. */
class PreprocessBasicGraphTest {

    @TempDir
    Path runs;

    @Test
    void preprocessBasicOnTheSampleVideoWritesFramesAudioAndMelOfMatchingCounts() throws Exception {
        Path video = SampleMedia.data("hdtf_aoc.mp4");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (Engine engine = Engine.builder().runsDir(runs).metricsPort(0)
                .progress(new PrintStream(progress, true, StandardCharsets.UTF_8), false).build()) {
            RunHandle run = engine.start(SampleMedia.graph("preprocess-basic.conf"), Map.of("video", video.toString()));
            URI metrics = run.metricsUri().orElseThrow();
            String served = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics.resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(served.contains("stage=\"decode\""), served);
            RunResult r = run.await(Duration.ofMinutes(5));
            assertEquals(RunState.COMPLETED, r.state(), r.error());

            long frames;
            try (Stream<Path> s = Files.list(r.outputs().resolve("ori_imgs"))) {
                frames = s.filter(p -> p.toString().endsWith(".jpg")).count();
            }
            // 8.06 s at 25 fps.
            assertTrue(frames >= 200 && frames <= 202, "frames: " + frames);
            assertTrue(Files.isRegularFile(r.outputs().resolve("ori_imgs/0.jpg")));

            byte[] wav = Files.readAllBytes(r.outputs().resolve("aud.wav"));
            ByteBuffer h = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(16000, h.getInt(24), "sample rate");
            assertEquals(1, h.getShort(22), "mono");
            long samples = (wav.length - 44) / 2;
            assertEquals(frames * 640, samples, "16 kHz audio trimmed to the video: 640 samples per frame");

            byte[] npy = Files.readAllBytes(r.outputs().resolve("mel.npy"));
            String header = new String(npy, 10, npy.length > 128 ? 118 : npy.length - 10, StandardCharsets.US_ASCII);
            assertTrue(header.contains("'shape': (" + frames + ", 80, 16)"), header);

            String bars = progress.toString(StandardCharsets.UTF_8);
            assertTrue(bars.contains("decode") && bars.contains("frames"), bars);
        }
    }

    @Test
    void replayFromTheJournaledMelEdgeReproducesFeaturesWithoutDecoding() throws Exception {
        Path video = SampleMedia.data("hdtf_aoc.mp4");
        try (Engine engine = Engine.builder().runsDir(runs).build()) {
            RunResult original = engine.start(SampleMedia.graph("preprocess-basic.conf"),
                    Map.of("video", video.toString())).await(Duration.ofMinutes(5));
            assertEquals(RunState.COMPLETED, original.state(), original.error());
            RunHandle replay = engine.replay(original.runId(), "mel");
            RunResult r = replay.await(Duration.ofMinutes(2));
            assertEquals(RunState.COMPLETED, r.state(), r.error());
            assertArrayEquals(Files.readAllBytes(original.outputs().resolve("mel.npy")),
                    Files.readAllBytes(r.outputs().resolve("mel.npy")));
            List<String> ran = replay.metrics().stages().stream().map(s -> s.name()).toList();
            assertEquals(List.of("feats"), ran, "only the stages downstream of mel's journal run");
            assertFalse(Files.exists(r.outputs().resolve("ori_imgs")), "decode and the frame writer did not run");
        }
    }
}
