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
        service = StreamService.start(new ServiceConfig("127.0.0.1", 0, runs, null, ServiceLimits.defaults(),
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
            client.sendSpeech(speech, 3200, false);
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
}
