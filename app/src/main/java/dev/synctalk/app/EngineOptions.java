package dev.synctalk.app;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.monitoring.ConsoleProgress;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command that touches runs shares. */
final class EngineOptions {
    @Option(names = "--runs-dir", defaultValue = "runs", description = "Folder holding run directories (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Option(names = "--metrics-port", defaultValue = "9464",
            description = "Serve Prometheus (/metrics), JSON (/metrics.json) and a dashboard (/) on 127.0.0.1 at this port while running; 0 = any free port, -1 = off (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--no-progress", description = "Do not draw progress bars.")
    boolean noProgress;

    Engine engine() {
        Engine.Builder b = Engine.builder().runsDir(runsDir).metricsPort(metricsPort);
        if (!noProgress) {
            b.progress(System.out, ConsoleProgress.ansiSupported());
        }
        return b.build();
    }
}
