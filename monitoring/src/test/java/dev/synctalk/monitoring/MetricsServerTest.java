package dev.synctalk.monitoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private MetricsRegistry registry;
    private MetricsServer server;

    @BeforeEach
    void startServer() {
        registry = new MetricsRegistry("run-42", "preprocess");
        registry.runState(MetricsRegistry.RUNNING);
        StageMetrics decode = registry.stage("decode");
        decode.total(100, "frames");
        decode.advance(10);
        registry.edge("decode.frames--parse.in").enqueued();
        server = MetricsServer.start(registry, 0);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void halfOpenConnectionsDoNotBlockTheEndpoint() throws Exception {
        // Clients that connect and never finish their request (a stalled proxy, a port scanner) hold a handler
        // thread each while the server reads; the metrics must still be served to everyone else.
        java.util.List<Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
                socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                stalled.add(socket);
            }
            Thread.sleep(200); // let the server pick them up
            HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(server.uri().resolve("/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void aStalledRequestIsCutOffByTheServer() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write("GET /metrics HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            // the server closes the connection after its request timeout instead of waiting for ever
            assertEquals(-1, socket.getInputStream().read());
        }
    }

    @Test
    void serverServesMetricsOnLoopbackWhileRunning() throws Exception {
        assertEquals("127.0.0.1", server.uri().getHost());
        assertTrue(server.port() > 0);

        HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                metrics.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(metrics.body().contains(
                "synctalk_stage_completed_units_total{run=\"run-42\",stage=\"decode\",unit=\"frames\"} 10\n"),
                metrics.body());

        registry.stage("decode").advance(5); // served live, not a copy taken at start
        HttpResponse<String> json = get("/metrics.json");
        assertEquals(200, json.statusCode());
        assertTrue(json.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        StrictJson.parse(json.body());
        assertTrue(json.body().contains("\"completed\":15"), json.body());

        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(page.body().contains("fetch(\"/metrics.json\""), "dashboard polls the JSON");
        assertTrue(page.body().contains("createElement(\"canvas\")"), "dashboard draws curves on a canvas");
        assertTrue(page.body().contains("\"/preview/\""), "dashboard shows preview frames");

        int port = server.port();
        server.close();
        assertThrows(ConnectException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 2000);
            }
        }, "port " + port + " is closed after close()");
    }

    @Test
    void unknownPathIs404() throws Exception {
        assertEquals(404, get("/nope").statusCode());
        assertEquals(404, get("/metrics/extra").statusCode());
        assertEquals(404, get("/preview/missing.png").statusCode());
    }

    @Test
    void previewIsServedAsPng() throws Exception {
        byte[] png = PreviewFramesTest.tinyPng();
        registry.previews().put("val-3", png);
        HttpResponse<byte[]> response = client.send(request("/preview/val-3.png"), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertEquals("image/png", response.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(png, response.body());
    }

    @Test
    void methodsOtherThanGetAre405() throws Exception {
        HttpRequest post = HttpRequest.newBuilder(server.uri().resolve("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build();
        HttpResponse<String> response = client.send(post, HttpResponse.BodyHandlers.ofString());
        assertEquals(405, response.statusCode());
        assertEquals("GET, HEAD", response.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void requestsNamingAForeignHostAreRefused() throws Exception {
        // What a DNS-rebinding page in a browser would send; HttpClient cannot set Host, so use a raw socket.
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), server.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /metrics HTTP/1.1\r\nHost: attacker.example:80\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines().findFirst().orElse("");
            assertTrue(statusLine.startsWith("HTTP/1.1 403"), statusLine);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(request(path), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path) {
        URI uri = server.uri().resolve(path);
        assertEquals("127.0.0.1", uri.getHost(), "tests talk to loopback only");
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
    }
}
