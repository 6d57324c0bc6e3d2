package dev.synctalk.service.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.journal.JournalReader;
import dev.synctalk.journal.PayloadCodecs;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.service.bench.StreamClient;
import dev.synctalk.service.stream.JpegFrames;
import dev.synctalk.service.stream.SessionTick;
import dev.synctalk.service.testing.FixtureModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server killed (SIGKILL) in the middle of a session leaves the session's journals readable, and
 * `replay SESSION` re-renders it to an MP4 that is the same bytes on every replay, whose frames are the
 * frames the client was sent.
 */
class KilledServerReplayTest {
    private static final Duration WAIT = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    @Test
    void aKilledServersSessionJournalsAreReadableAndReplayToTheSameMp4() throws Exception {
        var model = FixtureModel.get();
        Path runs = dir.resolve("runs");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Dchronicle")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "dev.synctalk.service.testing.ServiceProcess", runs.toString(), model.model().toString(),
                model.dataset().toString()));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<StreamClient.Received> received;
        String sessionId;
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream()));
            String line;
            URI uri = null;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("serving ")) {
                    uri = URI.create(line.substring(8).strip());
                    break;
                }
            }
            assertTrue(uri != null, "the child service started");
            Thread drain = new Thread(() -> lines.lines().forEach(l -> { }));
            drain.setDaemon(true);
            drain.start();
            try (StreamClient client = StreamClient.open(uri, "model=fixture")) {
                sessionId = client.session().path("id").asText();
                client.sendSpeech(FixtureModel.speechS16le(4.0), 3200, false);
                for (int i = 0; i < 2400 && client.frames().stream().filter(r -> r.frame().speech()).count() < 30; i++) {
                    Thread.sleep(50);
                }
                server.destroyForcibly(); // SIGKILL mid-session: no shutdown hook, nothing closed
                assertTrue(server.waitFor(30, TimeUnit.SECONDS));
                received = List.copyOf(client.frames());
            }
        } finally {
            server.destroyForcibly();
        }
        assertTrue(received.stream().filter(r -> r.frame().speech()).count() >= 30, "the client got frames before the kill");
        Path session = runs.resolve(sessionId);
        String runJson = Files.readString(session.resolve("run.json"));
        assertTrue(runJson.contains("RUNNING"), "killed: the session never recorded an end: " + runJson);

        PayloadCodecs codecs = PayloadCodecs.discover();
        List<SessionTick> ticks;
        try (JournalReader timeline = JournalReader.open(session, "session.timeline--encode.timeline")) {
            ticks = timeline.payloads(codecs, SessionTick.class, Long.MAX_VALUE).toList();
        }
        long windows;
        try (JournalReader features = JournalReader.open(session, "mel.windows--render.windows")) {
            windows = features.payloads(codecs, dev.synctalk.audio.MelWindow.class, Long.MAX_VALUE).count();
        }
        assertTrue(ticks.size() >= received.size() && windows >= received.size(),
                "the journals hold at least what the client saw: " + ticks.size() + " ticks, " + windows + " windows");
        for (int i = 0; i < ticks.size(); i++) {
            assertEquals(i, ticks.get(i).frameIndex());
        }

        try (Engine engine = Engine.builder().runsDir(runs).build()) {
            RunResult first = SessionReplay.start(engine, sessionId, Map.of("journal-frames", "true",
                    "render.threads", "2")).await(WAIT);
            assertEquals(RunState.COMPLETED, first.state(), first.error());
            RunResult second = SessionReplay.start(engine, sessionId, Map.of("journal-frames", "true",
                    "render.threads", "2")).await(WAIT);
            List<RenderedFrame> f1;
            List<RenderedFrame> f2;
            try (JournalReader r1 = JournalReader.open(first.runDir(), "render.frames--encode.frames");
                 JournalReader r2 = JournalReader.open(second.runDir(), "render.frames--encode.frames")) {
                f1 = r1.payloads(codecs, RenderedFrame.class, Long.MAX_VALUE).toList();
                f2 = r2.payloads(codecs, RenderedFrame.class, Long.MAX_VALUE).toList();
            }
            assertEquals(f1, f2, "two replays render the same frames");
            assertEquals(RunState.COMPLETED, second.state(), second.error());
            byte[] mp4 = Files.readAllBytes(first.outputs().resolve("session.mp4"));
            assertArrayEquals(mp4, Files.readAllBytes(second.outputs().resolve("session.mp4")),
                    "replaying a session gives the same MP4 bytes (" + f1.size() + " frames, " + ticks.size() + " ticks)");
            try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(first.outputs().resolve("session.mp4").toFile())) {
                g.start();
                int frames = 0;
                while (g.grabImage() != null) {
                    frames++;
                }
                assertEquals(Math.min(windows, ticks.size()), frames, "one frame per journaled feature window");
            }
            List<RenderedFrame> replayed;
            try (JournalReader r = JournalReader.open(first.runDir(), "render.frames--encode.frames")) {
                replayed = r.payloads(codecs, RenderedFrame.class, Long.MAX_VALUE).toList();
            }
            JpegFrames jpeg = new JpegFrames(0.85f);
            for (StreamClient.Received got : received) {
                RenderedFrame f = replayed.get((int) got.frame().frameIndex());
                assertArrayEquals(got.frame().jpeg(), jpeg.encode(f.width(), f.height(), f.image().toBytes()),
                        "frame " + got.frame().frameIndex() + ": the replay renders what the client was sent");
            }
        }
    }
}
