package dev.synctalk.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps the engine's "run X failed: ..." line off the console: the CLI prints the run's error itself,
 * once, and names the run's log file, where this line and its stack trace stay (logback.xml). With
 * --debug the line and its trace are printed.
 */
public final class RunFailureEchoFilter extends Filter<ILoggingEvent> {
    static final String RUN_EXECUTION_LOGGER = "dev.synctalk.engine.api.RunExecution";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        boolean runFailure = event.getLevel() == Level.ERROR && RUN_EXECUTION_LOGGER.equals(event.getLoggerName());
        return runFailure && !SyncTalkCli.debug() ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
