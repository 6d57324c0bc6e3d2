package dev.synctalk.app;

import dev.synctalk.engine.api.Engine;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue an interrupted or failed run after the last journaled frame of every edge.")
final class ResumeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Mixin
    EngineOptions options;

    @Override
    public Integer call() throws Exception {
        try (Engine engine = options.engine()) {
            return RunReport.await(engine.resume(runId));
        }
    }
}
