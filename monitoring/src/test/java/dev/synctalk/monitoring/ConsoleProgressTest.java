package dev.synctalk.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    /**
     * Long enough that the timer never fires during a test; tests drive tick() themselves. Plain mode
     * prints at most once per max(refresh, {@link ConsoleProgress#PLAIN_MIN_INTERVAL}), here once an hour.
     */
    private static final Duration NEVER = Duration.ofHours(1);

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final ManualClock clock = new ManualClock();
    private final MetricsRegistry registry = new MetricsRegistry("run-9", "preprocess", clock);

    @Test
    void progressBarShowsFractionRateAndEta() {
        StageMetrics decode = registry.stage("decode");
        decode.total(200, "frames");
        decode.messageIn();
        clock.advance(Duration.ofSeconds(10));
        decode.advance(50);

        try (ConsoleProgress progress = ConsoleProgress.start(registry, out, NEVER, false)) {
            String frame = progress.render();
            String line = frame.lines().filter(l -> l.contains("decode")).findFirst().orElseThrow();
            assertTrue(line.contains("[" + "#".repeat(8) + "-".repeat(22) + "]"), line); // 25% of 30 columns
            assertTrue(line.contains(" 50/200 frames"), line);
            assertTrue(line.contains("25.0%"), line);
            assertTrue(line.contains("5.00 frames/s"), line);
            assertTrue(line.contains("ETA 0:30"), line);
            assertTrue(line.endsWith("RUNNING"), line);
            assertTrue(frame.startsWith("run run-9  graph preprocess  PENDING  0:10"), frame);
        }
    }

    @Test
    void progressWithUnknownTotalShowsCount() {
        StageMetrics mel = registry.stage("mel");
        mel.total(0, "windows");
        mel.advance(1234);
        StageMetrics sink = registry.stage("sink");
        sink.messageIn();
        sink.messageIn();
        clock.advance(Duration.ofSeconds(2));

        try (ConsoleProgress progress = ConsoleProgress.start(registry, out, NEVER, false)) {
            String frame = progress.render();
            String melLine = frame.lines().filter(l -> l.contains("mel")).findFirst().orElseThrow();
            assertTrue(melLine.contains("1234 windows"), melLine);
            assertTrue(melLine.contains("617 windows/s"), melLine);
            assertFalse(melLine.contains("["), "no bar without a total: " + melLine);
            assertFalse(melLine.contains("ETA"), "no ETA without a total: " + melLine);
            String sinkLine = frame.lines().filter(l -> l.contains("sink")).findFirst().orElseThrow();
            assertTrue(sinkLine.contains("in 2 out 0 msgs"), sinkLine);
        }
    }

    @Test
    void closePrintsTheFinalStateOnce() {
        StageMetrics decode = registry.stage("decode");
        decode.total(4, "frames");
        decode.advance(4);
        clock.advance(Duration.ofSeconds(2));
        decode.finished();
        registry.runState(MetricsRegistry.COMPLETED);

        ConsoleProgress progress = ConsoleProgress.start(registry, out, NEVER, false);
        progress.close();
        progress.close();
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, printed.lines().filter(l -> l.startsWith("run run-9")).count(), printed);
        assertTrue(printed.contains("4/4 frames  100.0%"), printed);
        assertTrue(printed.contains("took 0:02  FINISHED"), printed);
        assertTrue(printed.contains("COMPLETED"), printed);
    }

    @Test
    void ansiModeRedrawsTheFrameInPlace() {
        registry.stage("decode").total(10, "frames");
        registry.stage("decode").advance(1);
        try (ConsoleProgress progress = ConsoleProgress.start(registry, out, NEVER, true)) {
            progress.tick();
            assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("\033[2A"), "nothing to move over yet");
            progress.tick();
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        // Two lines (header, decode): later frames move the cursor up two lines and clear each line.
        assertTrue(printed.contains("\033[2A\r\033[2Krun run-9"), printed);
        assertTrue(printed.contains("\033[2K  decode"), printed);
    }

    @Test
    void plainModePrintsOnlyChangesAndAtMostEveryFewSeconds() {
        StageMetrics decode = registry.stage("decode");
        decode.total(100, "frames");
        try (ConsoleProgress progress = ConsoleProgress.start(registry, out, NEVER, false)) {
            decode.advance(1);
            progress.tick();
            decode.advance(1);
            clock.advance(ConsoleProgress.PLAIN_MIN_INTERVAL);
            progress.tick(); // changed, but sooner than the refresh interval after the last print
            clock.advance(NEVER);
            progress.tick(); // due and changed
            clock.advance(NEVER);
            progress.tick(); // due but unchanged
            String printed = bytes.toString(StandardCharsets.UTF_8);
            assertEquals(2, printed.lines().filter(l -> l.startsWith("run ")).count(), printed);
            assertFalse(printed.contains("\033["), "no escape codes in plain mode");
        }
    }

    @Test
    void failedStageShowsItsReason() {
        StageMetrics landmarks = registry.stage("landmarks");
        landmarks.messageIn();
        landmarks.failed("weights file models/fan.bin not found\n\tat somewhere");
        try (ConsoleProgress progress = ConsoleProgress.start(registry, out, NEVER, false)) {
            String line = progress.render().lines().filter(l -> l.contains("landmarks")).findFirst().orElseThrow();
            assertTrue(line.endsWith("FAILED: weights file models/fan.bin not found"), line);
        }
    }

    @Test
    void durationsAndRatesAreCompact() {
        assertEquals("0:30", ConsoleProgress.duration(30));
        assertEquals("1:01:05", ConsoleProgress.duration(3665));
        assertEquals("--:--", ConsoleProgress.duration(Double.NaN));
        assertEquals("1234", ConsoleProgress.rate(1234.4));
        assertEquals("12.3", ConsoleProgress.rate(12.34));
        assertEquals("--", ConsoleProgress.rate(Double.NaN));
    }
}
