package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.api.ProgressEvent.StageProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DemoProgressTest {
    private final AtomicLong clock = new AtomicLong();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DemoProgress progress = new DemoProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true,
            List.of("preprocess", "train", "infer"), List.of(0.25, 0.5, 0.25), clock::get);

    private static StageProgress stage(String name, long done, long total, String unit) {
        return new StageProgress("run", name, "RUNNING", done, total, unit, 0, 0);
    }

    private static final long SECOND = 1_000_000_000L;

    @Test
    void phaseFractionIsTheMeanOverStagesThatKnowTheirTotal() {
        progress.startPhase(0);
        progress.update(stage("decode", 50, 100, "frames"));
        progress.update(stage("pose", 0, 100, "frames"));
        progress.update(stage("feats", 7, 0, "windows")); // no total: not counted
        assertEquals(0.25, progress.phaseFraction(), 1e-12);
        assertEquals(0.25 * 0.25, progress.demoFraction(), 1e-12);
    }

    @Test
    void demoFractionAddsTheSharesOfFinishedPhases() {
        progress.startPhase(0);
        progress.update(stage("decode", 10, 100, "frames"));
        progress.finishPhase();
        assertEquals(0.25, progress.demoFraction(), 1e-12);
        progress.startPhase(1);
        progress.update(stage("head", 300, 400, "steps"));
        assertEquals(0.25 + 0.5 * 0.75, progress.demoFraction(), 1e-12);
    }

    @Test
    void etaFollowsFromElapsedTimeAndFractionAndShowsTheSlowestStage() {
        progress.startPhase(1);
        clock.addAndGet(30 * SECOND);
        progress.update(stage("sampler", 400, 400, "steps"));
        progress.update(stage("head", 100, 400, "steps"));
        List<String> lines = progress.lines();
        // phase: 62.5% in 30 s -> 18 s to go; demo: 0.25 + 0.5 * 0.625 = 56.25% in 30 s -> 23 s to go
        assertTrue(lines.get(1).contains("ETA 0:18") && lines.get(1).contains("100/400 steps"), lines.get(1));
        assertTrue(lines.get(0).contains(" 56%") && lines.get(0).contains("ETA 0:23"), lines.get(0));
    }

    @Test
    void withoutAnsiALineIsPrintedAtPhaseStartAndThenAtMostEveryFiveSeconds() {
        progress.startPhase(0);
        for (int i = 1; i <= 40; i++) {
            clock.addAndGet(SECOND / 4);
            progress.update(stage("decode", i, 40, "frames"));
        }
        long printed = bytes.toString(StandardCharsets.UTF_8).lines().count();
        assertEquals(1 + 2, printed, bytes.toString(StandardCharsets.UTF_8)); // at start, at 5 s, at 10 s
        assertTrue(bytes.toString(StandardCharsets.UTF_8).lines().noneMatch(l -> l.contains("\033[")));
    }
}
