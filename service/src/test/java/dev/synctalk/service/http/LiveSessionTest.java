package dev.synctalk.service.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.synctalk.service.bench.StreamClient;
import dev.synctalk.service.session.ServiceLimits;
import dev.synctalk.service.testing.FixtureModel;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13's acceptance on the CPU with the fixture head: live sessions over the WebSocket. */
class LiveSessionTest {
    private static final Duration WAIT = Duration.ofMinutes(4);

    @TempDir
    static Path runs;
    static StreamService service;

    @BeforeAll
    static void start() throws Exception {
        // a small socket buffer so that the tiny test frames back up into the service's queue quickly
        service = StreamService.start(new ServiceConfig("127.0.0.1", 0, runs, null,
                ServiceLimits.defaults().withSocketSendBuffer(16 << 10),
                List.of(FixtureModel.get()), null, Map.of("render.threads", "2")));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    /** The speech frames' audio, concatenated in frame order. */
    private static byte[] speechAudio(List<StreamClient.Received> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frames.stream().filter(r -> r.frame().speech()).forEach(r -> out.writeBytes(r.frame().pcm()));
        return out.toByteArray();
    }

    @Test
    void tenSecondsOfSpeechArriveAs250FramesInOrderWithTheirAudio() throws Exception {
        byte[] speech = FixtureModel.speechS16le(10.0);
        try (StreamClient client = StreamClient.open(service.uri(), "model=fixture")) {
            JsonNode hello = client.session();
            assertEquals(25, hello.path("fps").asInt());
            assertEquals(FixtureModel.SIZE, hello.path("width").asInt());
            // 1 s per message, sent as fast as the socket takes them: the test does not depend on the machine keeping
            // real time (a late message would, correctly, be padded with silence at the session's jitter deadline)
            client.sendSpeech(speech, 32_000, false);
            client.endSpeech();
            JsonNode end = client.awaitEnd(WAIT);
            assertEquals("end", end.path("type").asText(), end.toString());

            List<StreamClient.Received> frames = client.frames();
            long speechFrames = frames.stream().filter(r -> r.frame().speech()).count();
            assertEquals(250, speechFrames, "10 s of speech at 25 fps");
            for (int i = 0; i < frames.size(); i++) {
                PacketWire.Frame f = frames.get(i).frame();
                assertEquals(i, f.frameIndex(), "frames arrive in order, none missing");
                assertEquals(i * 40_000L, f.ptsMicros(), "frame " + i + " is shown at its slot of the timeline");
                assertEquals(640, f.samples(), "each frame carries its 40 ms of audio");
                assertTrue(f.jpeg().length > 0 && (f.jpeg()[0] & 0xff) == 0xFF && (f.jpeg()[1] & 0xff) == 0xD8, "JPEG");
            }
            // the speech frames are contiguous (no idle frame inside the utterance) and play exactly the speech sent
            int first = (int) frames.stream().filter(r -> r.frame().speech()).findFirst().orElseThrow().frame().frameIndex();
            for (int i = first; i < first + 250; i++) {
                assertTrue(frames.get(i).frame().speech(), "frame " + i + " is speech");
            }
            assertArrayEquals(speech, speechAudio(frames), "frame k shows the audio of timeline slot k: in sync");
            assertEquals(0, end.path("dropped").asInt());
        }
    }

    @Test
    void twoConcurrentSessionsEachReceiveTheirOwnSpeechInSync() throws Exception {
        byte[] first = FixtureModel.speechS16le(2.0);
        byte[] second = FixtureModel.speechS16le(3.0);
        // a different utterance for the second session: the same speech, reversed sample by sample
        for (int i = 0, j = second.length - 2; i < j; i += 2, j -= 2) {
            byte lo = second[i];
            byte hi = second[i + 1];
            second[i] = second[j];
            second[i + 1] = second[j + 1];
            second[j] = lo;
            second[j + 1] = hi;
        }
        try (StreamClient a = StreamClient.open(service.uri(), "model=fixture");
             StreamClient b = StreamClient.open(service.uri(), "model=fixture")) {
            assertTrue(!a.session().path("id").asText().equals(b.session().path("id").asText()), "two sessions");
            assertEquals(2, service.sessions().sessions().size());
            Thread sendB = new Thread(() -> {
                try {
                    b.sendSpeech(second, 32_000, false);
                    b.endSpeech();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            sendB.start();
            a.sendSpeech(first, 32_000, false);
            a.endSpeech();
            sendB.join();
            assertEquals("end", a.awaitEnd(WAIT).path("type").asText());
            assertEquals("end", b.awaitEnd(WAIT).path("type").asText());
            assertEquals(50, a.frames().stream().filter(r -> r.frame().speech()).count());
            assertEquals(75, b.frames().stream().filter(r -> r.frame().speech()).count());
            assertArrayEquals(first, speechAudio(a.frames()), "session A plays A's speech");
            assertArrayEquals(second, speechAudio(b.frames()), "session B plays B's speech");
            for (StreamClient c : List.of(a, b)) {
                for (int i = 0; i < c.frames().size(); i++) {
                    assertEquals(i, c.frames().get(i).frame().frameIndex());
                }
            }
        }
    }

    /**
     * Slow-client policy of live sessions: a client that stops reading holds at most the queue's 50 frames
     * of the server's memory; older frames are dropped, the session keeps going and its journal keeps them all.
     */
    @Test
    void aClientThatStopsReadingHoldsAtMostItsQueueOfFrames() throws Exception {
        byte[] speech = FixtureModel.speechS16le(16.0);
        int before = service.sessions().sessions().size();
        try (dev.synctalk.service.testing.StalledWebSocket stalled =
                     new dev.synctalk.service.testing.StalledWebSocket(service.uri(), "/api/stream?model=fixture")) {
            dev.synctalk.service.session.Session session = awaitNewSession(before);
            for (int at = 0; at < speech.length; at += 32_000) {
                stalled.sendBinary(java.util.Arrays.copyOfRange(speech, at, Math.min(speech.length, at + 32_000)));
            }
            stalled.sendText("{\"type\":\"end\"}");
            dev.synctalk.engine.api.RunResult result = session.run().result().toCompletableFuture()
                    .get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertEquals(dev.synctalk.engine.run.RunState.COMPLETED, result.state(), result.error());
            dev.synctalk.service.session.ClientQueue.Stats q = session.stats().client();
            long frames = session.stats().frames();
            assertTrue(frames >= 400, "16 s of speech: " + frames + " frames");
            assertTrue(q.maxQueued() <= 50, "never more than the queue's 50 frames wait: " + q);
            assertTrue(q.dropped() > 0, "a client that reads nothing has frames dropped: " + q);
            long largestPacket = 2 * 640 + 8 * 1024; // 40 ms of audio + a 32x32 JPEG (about 1 KiB)
            assertTrue(q.maxQueuedBytes() <= 50 * largestPacket, "bounded bytes: " + q);
            assertEquals(frames, q.delivered() + q.dropped() + q.queued(), "every frame is either sent or dropped");
            try (dev.synctalk.journal.JournalReader timeline = dev.synctalk.journal.JournalReader.open(result.runDir(),
                    "session.timeline--encode.timeline")) {
                long journaled = 0;
                for (var ignored : timeline) {
                    journaled++;
                }
                assertEquals(frames, journaled, "the journal holds every frame, dropped or not");
            }
        }
    }

    private static dev.synctalk.service.session.Session awaitNewSession(int before) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            List<dev.synctalk.service.session.Session> now = service.sessions().sessions();
            if (now.size() > before) {
                return now.get(now.size() - 1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no session opened");
    }
}
