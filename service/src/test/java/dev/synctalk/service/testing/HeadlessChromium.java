package dev.synctalk.service.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Debian's headless Chromium driven through chromedriver's W3C WebDriver protocol (plain HTTP + JSON, no
 * Selenium), with the flags that work on these machines and a fake microphone.
 */
public final class HeadlessChromium implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI base;
    private final String session;

    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    public HeadlessChromium(Path profile) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        base = URI.create("http://127.0.0.1:" + port + "/");
        for (int i = 0; ; i++) {
            try {
                http.send(HttpRequest.newBuilder(base.resolve("status")).build(), HttpResponse.BodyHandlers.ofString());
                break;
            } catch (IOException e) {
                if (i > 100) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        ObjectNode caps = JSON.createObjectNode();
        ObjectNode options = caps.putObject("capabilities").putObject("alwaysMatch").put("browserName", "chrome")
                .putObject("goog:chromeOptions");
        options.put("binary", CHROMIUM.toString());
        var args = options.putArray("args");
        for (String a : List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=900,480", "--autoplay-policy=no-user-gesture-required",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")) {
            args.add(a);
        }
        session = call("POST", "session", caps).path("value").path("sessionId").asText();
    }

    private JsonNode call(String method, String path, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("webdriver " + method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
        return json;
    }

    private String at(String path) {
        return "session/" + session + "/" + path;
    }

    public void open(URI url) throws Exception {
        call("POST", at("url"), JSON.createObjectNode().put("url", url.toString()));
    }

    private String element(String css) throws Exception {
        JsonNode v = call("POST", at("element"), JSON.createObjectNode().put("using", "css selector").put("value", css))
                .path("value");
        return v.elements().next().asText();
    }

    public void click(String css) throws Exception {
        call("POST", at("element/" + element(css) + "/click"), JSON.createObjectNode());
    }

    /** Types into an element; for a file input, a local path chooses that file. */
    public void type(String css, String text) throws Exception {
        call("POST", at("element/" + element(css) + "/value"), JSON.createObjectNode().put("text", text));
    }

    public JsonNode eval(String script) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("script", script);
        body.putArray("args");
        return call("POST", at("execute/sync"), body).path("value");
    }

    public byte[] screenshotPng() throws Exception {
        return Base64.getDecoder().decode(call("GET", at("screenshot"), null).path("value").asText());
    }

    @Override
    public void close() {
        try {
            call("DELETE", "session/" + session, null);
        } catch (Exception e) {
            // the driver goes next anyway
        }
        driver.destroy();
    }
}
