package dev.synctalk.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synctalk.service.bench.StreamClient;
import dev.synctalk.service.session.ServiceLimits;
import dev.synctalk.service.testing.FixtureModel;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits, bad audio, the token, uploads to MP4, and that nothing is written outside the runs folder. */
class LimitsAndSafetyTest {
    private static final String TOKEN = "s3cret-token";
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path runs;
    static StreamService service;

    @BeforeAll
    static void start() throws Exception {
        ServiceLimits limits = new ServiceLimits(1, 4, 64 << 10, 50, 30, 256 << 10);
        service = StreamService.start(new ServiceConfig("127.0.0.1", 0, runs, TOKEN, limits,
                List.of(FixtureModel.get()), null, Map.of("render.threads", "2")));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static HttpResponse<byte[]> request(String method, String pathAndQuery, byte[] body, boolean withToken)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(service.uri().resolve(pathAndQuery)).timeout(WAIT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (withToken) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String error(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body()).path("error").asText();
    }

    static byte[] wav(int sampleRate, int channels, int bits, int format, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + data.length).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) format).putShort((short) channels).putInt(sampleRate)
                .putInt(sampleRate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits)
                .put("data".getBytes()).putInt(data.length).put(data);
        return b.array();
    }

    @Test
    void everyApiCallNeedsTheTokenButThePageDoesNot() throws Exception {
        HttpResponse<byte[]> without = request("GET", "api/models", null, false);
        assertEquals(401, without.statusCode());
        assertTrue(error(without).contains("token"), error(without));
        assertEquals(401, request("GET", "api/models?token=wrong", null, false).statusCode());
        assertEquals(200, request("GET", "api/models?token=" + TOKEN, null, false).statusCode());
        JsonNode models = JSON.readTree(request("GET", "api/models", null, true).body());
        assertEquals("fixture", models.get(0).path("name").asText());
        assertEquals(200, request("GET", "", null, false).statusCode(), "the page itself holds nothing secret");
        assertThrows(Exception.class, () -> StreamClient.open(service.uri(), "model=fixture"), "WebSocket needs it too");
    }

    @Test
    void badAudioIsRefusedNamingTheCause() throws Exception {
        byte[] speech = FixtureModel.speechS16le(0.5);
        Map<String, byte[]> bad = Map.of(
                "wrong sample rate", wav(44_100, 1, 16, 1, speech),
                "not PCM", wav(16_000, 1, 32, 3, speech),
                "not mono", wav(16_000, 2, 16, 1, speech),
                "not a WAV file", "ID3\u0003 an mp3 perhaps".getBytes(),
                "empty audio", wav(16_000, 1, 16, 1, new byte[0]),
                "empty upload", new byte[0]);
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            HttpResponse<byte[]> r = request("POST", "api/render?model=fixture", e.getValue(), true);
            assertEquals(400, r.statusCode(), e.getKey());
            assertTrue(error(r).startsWith(e.getKey()), e.getKey() + " -> " + error(r));
        }
        // over the WebSocket: a declared wrong rate, and bytes that cannot be 16-bit samples
        try (StreamClient c = StreamClient.open(service.uri(), "model=fixture&token=" + TOKEN)) {
            c.sendText("{\"type\":\"start\",\"sampleRate\":48000,\"format\":\"s16le\",\"channels\":1}");
            JsonNode end = c.awaitEnd(WAIT);
            assertEquals("error", end.path("type").asText());
            assertTrue(end.path("message").asText().startsWith("wrong sample rate"), end.toString());
        }
        awaitNoSessions();
        try (StreamClient c = StreamClient.open(service.uri(), "model=fixture&token=" + TOKEN)) {
            c.sendSpeech(new byte[641], 641, false);
            JsonNode end = c.awaitEnd(WAIT);
            assertTrue(end.path("message").asText().startsWith("not 16-bit PCM"), end.toString());
        }
        awaitNoSessions();
    }

    @Test
    void limitsOnSessionsAudioLengthAndRequestSize() throws Exception {
        awaitNoSessions();
        try (StreamClient first = StreamClient.open(service.uri(), "model=fixture&token=" + TOKEN)) {
            HttpResponse<byte[]> second = request("POST", "api/render?model=fixture", wav(16_000, 1, 16, 1,
                    FixtureModel.speechS16le(0.5)), true);
            assertEquals(503, second.statusCode());
            assertTrue(error(second).contains("maximum of 1 sessions"), error(second));
            // 4 s of audio at most: the fifth second ends the session with the reason
            first.sendSpeech(FixtureModel.speechS16le(5.0), 32_000, false);
            JsonNode end = first.awaitEnd(WAIT);
            assertEquals("error", end.path("type").asText());
            assertTrue(end.path("message").asText().contains("limit of 4 s"), end.toString());
        }
        awaitNoSessions();
        try (StreamClient c = StreamClient.open(service.uri(), "model=fixture&token=" + TOKEN)) {
            c.sendSpeech(new byte[(64 << 10) + 2], (64 << 10) + 2, false);
            JsonNode end = c.awaitEnd(WAIT);
            assertTrue(end.path("message").asText().contains("larger than 65536 bytes"), end.toString());
        }
        awaitNoSessions();
        HttpResponse<byte[]> tooLong = request("POST", "api/render?model=fixture",
                wav(16_000, 1, 16, 1, FixtureModel.speechS16le(4.2)), true);
        assertEquals(413, tooLong.statusCode(), "more than the audio limit");
        assertTrue(error(tooLong).startsWith("the request is larger than the service takes"), error(tooLong));
        HttpResponse<byte[]> unknown = request("POST", "api/render?model=..%2F..%2Fetc", wav(16_000, 1, 16, 1,
                FixtureModel.speechS16le(0.5)), true);
        assertEquals(404, unknown.statusCode());
        assertTrue(error(unknown).startsWith("unknown model"), error(unknown));
    }

    @Test
    void anUploadStreamsBackAPlayableMp4AndEverySessionStaysInTheRunsFolder() throws Exception {
        awaitNoSessions();
        Set<Path> before = filesOutside(runs);
        HttpResponse<byte[]> r = request("POST", "api/render?model=fixture",
                wav(16_000, 1, 16, 1, FixtureModel.speechS16le(2.0)), true);
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals("video/mp4", r.headers().firstValue("Content-Type").orElse(""));
        String id = r.headers().firstValue("X-Session-Id").orElseThrow();
        Path mp4 = runs.resolve("upload.mp4");
        Files.write(mp4, r.body());
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mp4.toFile())) {
            g.start();
            assertEquals("h264", g.getVideoCodecName());
            assertEquals("aac", g.getAudioCodecName());
            int frames = 0;
            while (g.grabImage() != null) {
                frames++;
            }
            assertEquals(50, frames, "2 s of speech, 25 fps");
        }
        assertTrue(Files.isDirectory(runs.resolve(id).resolve("journals")), "the session is a run in the runs folder");
        assertEquals(before, filesOutside(runs), "nothing written outside the runs folder");
        awaitNoSessions();
    }

    /** Files in the service's working directory tree that are not under the runs folder (build output aside). */
    private static Set<Path> filesOutside(Path runsDir) throws Exception {
        Path cwd = Path.of("").toAbsolutePath();
        try (Stream<Path> s = Files.walk(cwd)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.startsWith(runsDir) && !p.startsWith(cwd.resolve("target")))
                    .collect(Collectors.toSet());
        }
    }

    private static void awaitNoSessions() throws InterruptedException {
        for (int i = 0; i < 1200 && !service.sessions().sessions().isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertTrue(service.sessions().sessions().isEmpty(), "sessions ended");
    }

    @SuppressWarnings("unused")
    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(a);
        o.writeBytes(b);
        return o.toByteArray();
    }

    @SuppressWarnings("unused")
    private static URI ws(String q) {
        return URI.create(service.uri().toString().replace("http", "ws") + "api/stream?" + q);
    }

    @Test
    void aLiveSessionOpenedWithMp4PlaysForAPlayerOverHttp() throws Exception {
        awaitNoSessions();
        try (StreamClient c = StreamClient.open(service.uri(), "model=fixture&mp4=true&token=" + TOKEN)) {
            String id = c.session().path("id").asText();
            java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> player = HTTP.sendAsync(HttpRequest.newBuilder(
                    service.uri().resolve("api/sessions/" + id + "/video.mp4")).header("Authorization", "Bearer " + TOKEN)
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            c.sendSpeech(FixtureModel.speechS16le(3.0), 32_000, false);
            c.endSpeech();
            assertEquals("end", c.awaitEnd(WAIT).path("type").asText());
            HttpResponse<byte[]> r = player.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertEquals(200, r.statusCode());
            assertEquals("ftyp", new String(r.body(), 4, 4), "the player's file starts with the MP4 header");
            Path mp4 = Files.write(runs.resolve("live.mp4"), r.body());
            try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mp4.toFile())) {
                g.start();
                int frames = 0;
                while (g.grabImage() != null) {
                    frames++;
                }
                assertTrue(frames >= 25 && frames <= c.frames().size(),
                        "the player sees the session from its first fragment after joining: " + frames);
            }
        }
        assertEquals(404, request("GET", "api/sessions/none/video.mp4", null, true).statusCode(),
                "an unknown session is not found");
        awaitNoSessions();
    }
}
