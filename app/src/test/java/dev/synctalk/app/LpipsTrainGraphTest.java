package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.training.FixtureDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * train.conf with an LPIPS weight file present (random AlexNet-LPIPS weights in the named-tensor
 * format): the fine phase optimises MSE + 0.1 LPIPS on 32x32 patches, then the lips fine-tune runs.
 * One short run (2 coarse, 3 fine, 2 lips steps on the 32x32 fixture) serves both tests.
 */
class LpipsTrainGraphTest {
    private static final int COARSE = 2;
    private static final int ITERS = 5;
    private static final int LIPS = 2;

    @TempDir
    static Path dir;
    private static Engine engine;
    private static RunResult run;
    private static List<String> rows;
    private static List<ILoggingEvent> headLog;

    @BeforeAll
    static void trainWithLpipsAndLips() throws Exception {
        Path dataset = dir.resolve("fixture");
        FixtureDataset.write(dataset, new FixtureDataset.Settings(32, 32, 12, 5));
        Path weights = dir.resolve("lpips_alex.stnt");
        LpipsAlex.random(LpipsAlex.ALEXNET_CHANNELS, 17).write(weights);
        Map<String, String> o = new HashMap<>();
        o.put("dataset", dataset.toString());
        o.put("preset", "tiny");
        o.put("iters", Integer.toString(ITERS));
        o.put("coarse-iters", Integer.toString(COARSE));
        o.put("lips-iters", Integer.toString(LIPS));
        o.put("patch-size", "32");
        o.put("rays-per-step", "1024");
        o.put("checkpoint-every", "100");
        o.put("lpips", weights.toString());
        o.put("head.threads", "2");
        o.put("head.preview-every", "0");
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("stage.head");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        engine = Engine.builder().runsDir(dir.resolve("runs")).build();
        try {
            run = engine.start(SampleMedia.graph("train.conf"), o).await(Duration.ofMinutes(2));
        } finally {
            logger.detachAppender(events);
        }
        assertEquals(RunState.COMPLETED, run.state(), run.error());
        headLog = List.copyOf(events.list);
        rows = Files.readAllLines(run.outputs().resolve("metrics.csv"));
    }

    @AfterAll
    static void close() throws Exception {
        engine.close();
    }

    private static double column(String row, int index) {
        return Double.parseDouble(row.split(",")[index]);
    }

    private static final int LPIPS_COLUMN = 7;

    @Test
    void lpipsWeightsFromFileAreUsedInTheFinePhase() {
        assertTrue(rows.get(0).endsWith(",lpips"), rows.get(0));
        assertEquals(1 + ITERS + LIPS, rows.size(), rows.toString());
        for (int step = 0; step < ITERS; step++) {
            String row = rows.get(1 + step);
            double lpips = column(row, LPIPS_COLUMN);
            if (step < COARSE) {
                assertTrue(row.contains(",coarse,") && lpips == 0, row);
            } else {
                assertTrue(row.contains(",fine,") && lpips > 0 && Double.isFinite(lpips), row);
                assertTrue(column(row, 2) > lpips, "loss includes the LPIPS term and the colour terms: " + row);
            }
        }
        assertFalse(headLog.stream().anyMatch(e -> e.getLevel() == Level.WARN
                && e.getFormattedMessage().contains("falling back to MSE")), "no MSE fallback warning");
        assertTrue(headLog.stream().anyMatch(e -> e.getFormattedMessage().contains("x LPIPS (AlexNet")),
                "the run log says the fine phase uses LPIPS");
    }

    @Test
    void lipsPhaseRunsAfterFine() {
        for (int k = 0; k < LIPS; k++) {
            String row = rows.get(1 + ITERS + k);
            assertTrue(row.startsWith((ITERS + k) + ",lips,"), row);
            assertTrue(column(row, LPIPS_COLUMN) > 0, row);
            assertEquals(Math.pow(0.05, (double) k / LIPS), column(row, 6), 1e-6, row);
            // one lips patch of at least 32 px per step: the whole 32x32 fixture frame
            assertTrue(column(row, 5) > 0, row);
        }
        assertTrue(headLog.stream().anyMatch(e -> e.getFormattedMessage().contains("lips fine-tune from step " + ITERS)),
                "the run log announces the lips phase");
        assertTrue(Files.isRegularFile(run.outputs().resolve("head.ckpt")));
    }
}
