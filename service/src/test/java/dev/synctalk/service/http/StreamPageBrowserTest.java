package dev.synctalk.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.synctalk.service.session.ServedModel;
import dev.synctalk.service.session.ServiceLimits;
import dev.synctalk.service.testing.FixtureModel;
import dev.synctalk.service.testing.HeadlessChromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page in headless Chromium: pick the model, choose a speech file (and the microphone, Chromium's fake
 * one), watch the stream. Skipped where Debian's chromium and chromium-driver are not installed
 * (.ci/run does not install them). {@code -Dsynctalk.screenshot=FILE} keeps a screenshot of the playing stream;
 * {@code -Dsynctalk.page.model=NAME=CKPT,dataset=DIR} shows another model than the fixture (for that screenshot).
 */
class StreamPageBrowserTest {
    @TempDir
    static Path dir;
    static StreamService service;
    static ServedModel model;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(HeadlessChromium.available(), "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
        String other = System.getProperty("synctalk.page.model");
        model = other != null ? ServedModel.parse(other) : FixtureModel.get();
        service = StreamService.start(new ServiceConfig("127.0.0.1", 0, dir.resolve("runs"), null, ServiceLimits.defaults(),
                List.of(model), null, Map.of("render.threads", "2")));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static JsonNode awaitStats(HeadlessChromium chromium, String condition) throws Exception {
        for (int i = 0; i < 1200; i++) {
            JsonNode ok = chromium.eval("const s = window.synctalkStats; return " + condition + ";");
            if (ok.asBoolean()) {
                return chromium.eval("return window.synctalkStats;");
            }
            Thread.sleep(100);
        }
        throw new AssertionError("page never reached: " + condition + "; stats " + chromium.eval("return window.synctalkStats;"));
    }

    @Test
    void thePagePlaysTheStreamOfAChosenSpeechFile() throws Exception {
        Path wav = model.dataset().resolve("aud.wav");
        long expectedFrames = (Files.size(wav) - 44) / 2 / 640;
        try (HeadlessChromium chromium = new HeadlessChromium(dir.resolve("profile-file"))) {
            chromium.open(service.uri());
            assertEquals(model.name(), chromium.eval("return document.querySelector('#model').value;").asText());
            chromium.type("#file", wav.toString());
            JsonNode playing = awaitStats(chromium, "s.shownSpeech >= 20");
            String screenshot = System.getProperty("synctalk.screenshot");
            byte[] png = chromium.screenshotPng();
            Files.write(screenshot != null ? Path.of(screenshot) : dir.resolve("page.png"), png);
            assertTrue(playing.path("session").asText().startsWith("session-"), playing.toString());
            JsonNode done = awaitStats(chromium, "s.ended");
            assertTrue(done.path("error").isNull(), done.toString());
            assertEquals(expectedFrames, done.path("speechFrames").asInt(), "one frame per 40 ms of speech: " + done);
            assertEquals(model.width(), chromium.eval("return document.querySelector('#screen').naturalWidth;").asInt(),
                    "the page shows the frames");
        }
    }

    @Test
    void thePageStreamsTheMicrophone() throws Exception {
        try (HeadlessChromium chromium = new HeadlessChromium(dir.resolve("profile-mic"))) {
            chromium.open(service.uri());
            awaitStats(chromium, "document.querySelector('#model').options.length > 0");
            chromium.click("#mic");
            awaitStats(chromium, "s.speechFrames >= 10");
            chromium.click("#stop");
            JsonNode done = awaitStats(chromium, "s.ended");
            assertTrue(done.path("error").isNull(), done.toString());
        }
    }
}
