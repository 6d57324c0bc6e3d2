package dev.synctalk.app;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Copies every log line, stack traces included, into a run's {@code run.log} while the CLI waits for
 * that run, so the console can keep to one clear message per error (traces there only with --debug).
 * Appends: a resumed run's attempts follow one another in the same file.
 */
final class RunLogFile implements AutoCloseable {
    static final String FILE_NAME = "run.log";

    private final Logger root;
    private final FileAppender<ILoggingEvent> appender;

    private RunLogFile(Logger root, FileAppender<ILoggingEvent> appender) {
        this.root = root;
        this.appender = appender;
    }

    /** Starts copying the log into {@code runDir/run.log}; a no-op where logback is not the logger. */
    static RunLogFile attach(Path runDir) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return new RunLogFile(null, null);
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger - %msg%n%ex");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("run-log-" + runDir.getFileName());
        appender.setFile(path(runDir).toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        return new RunLogFile(root, appender);
    }

    static Path path(Path runDir) {
        return runDir.resolve(FILE_NAME);
    }

    @Override
    public void close() {
        if (appender != null) {
            root.detachAppender(appender);
            appender.stop();
        }
    }
}
