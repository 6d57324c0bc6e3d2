package dev.synctalk.app;

import dev.synctalk.engine.api.Engine;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-drive the stages downstream of a journaled edge of an earlier run, into a new run, "
                + "without running anything upstream.")
final class ReplayCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Option(names = "--from", required = true, paramLabel = "STAGE",
            description = "A stage whose journaled outputs feed the replay (e.g. mel), or the first stage to re-run when all its inputs are journaled.")
    String fromStage;

    @Mixin
    EngineOptions options;

    @Override
    public Integer call() throws Exception {
        try (Engine engine = options.engine()) {
            return RunReport.await(engine.replay(runId, fromStage));
        }
    }
}
