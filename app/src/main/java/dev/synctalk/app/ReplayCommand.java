package dev.synctalk.app;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.service.session.SessionReplay;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Re-drive the stages downstream of a journaled edge of an earlier run, into a new run, "
                + "without running anything upstream.",
                "A logged live session (from `serve`) needs no --from: it is re-rendered from its journaled features to"
                        + " outputs/session.mp4 (the same bytes on every replay on the CPU)."})
final class ReplayCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Option(names = "--from", paramLabel = "STAGE",
            description = "A stage whose journaled outputs feed the replay (e.g. mel), or the first stage to re-run when all its inputs are journaled.")
    String fromStage;

    @Mixin
    EngineOptions options;

    @Override
    public Integer call() throws Exception {
        try (Engine engine = options.engine()) {
            if (fromStage == null) {
                engine.status(runId); // an unknown run gets the usual error
                if (!SessionReplay.isSession(options.runsDir, runId)) {
                    System.err.println("synctalk: replay " + runId + ": --from STAGE is needed (only a logged live session"
                            + " replays without it)");
                    return ExitCodes.USAGE;
                }
                return RunReport.await(SessionReplay.start(engine, runId, java.util.Map.of()));
            }
            return RunReport.await(engine.replay(runId, fromStage));
        }
    }
}
