package dev.synctalk.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.synctalk.engine.stage.StageContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** A stage context over a temporary run directory that records progress and log events. */
public class TestStageContext implements StageContext {
    private final String stageName;
    private final Path runDir;
    private final Logger logger;
    private final ListAppender<ILoggingEvent> logEvents = new ListAppender<>();
    public long progressTotal = -1;
    public String progressUnit;
    public long progressAdvanced;
    /** Curve points recorded so far: series, step, value. */
    public final List<Object[]> curves = new java.util.ArrayList<>();

    public TestStageContext(String stageName, Path runDir) {
        this.stageName = stageName;
        this.runDir = runDir;
        this.logger = (Logger) LoggerFactory.getLogger("test." + stageName + "." + System.identityHashCode(this));
        logEvents.start();
        logger.addAppender(logEvents);
    }

    @Override
    public String stageName() {
        return stageName;
    }

    @Override
    public String runId() {
        return "test-run";
    }

    @Override
    public Path runDir() {
        return runDir;
    }

    @Override
    public Path outputDir() {
        return runDir.resolve("outputs");
    }

    @Override
    public Optional<Integer> gpuDevice() {
        return Optional.empty();
    }

    @Override
    public org.slf4j.Logger log() {
        return logger;
    }

    @Override
    public Progress progress() {
        return new Progress() {
            @Override
            public void total(long units, String unitName) {
                progressTotal = units;
                progressUnit = unitName;
            }

            @Override
            public void advance(long units) {
                progressAdvanced += units;
            }
        };
    }

    @Override
    public void curve(String series, long step, double value) {
        curves.add(new Object[] {series, step, value});
    }

    /** Formatted messages logged at INFO level so far. */
    public List<String> infos() {
        return logEvents.list.stream()
                .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.INFO)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    /** Formatted messages logged at WARN level so far. */
    public List<String> warnings() {
        return logEvents.list.stream()
                .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}
