package dev.synctalk.app;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunHandle;
import dev.synctalk.engine.graph.GraphDefinition;
import dev.synctalk.engine.graph.GraphLoader;
import dev.synctalk.engine.graph.GraphValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Validate and run a graph file; its run directory is printed and kept for resume/replay.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "GRAPH", description = "Graph file (HOCON), e.g. graph-definitions/preprocess-basic.conf")
    Path graph;

    @Option(names = "-P", paramLabel = "KEY=VALUE",
            description = "Override a graph value: a root variable (video=in.mp4) or a stage param (decode.fps=30).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--portrait",
            description = "Portrait mode for graphs that support it (infer.conf): sets the graph variable portrait = true.")
    boolean portrait;

    @Option(names = "--run-id", description = "Name the run (default: <graph>-<utc time>-<random>).")
    String runId;

    @Mixin
    EngineOptions options;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(graph)) {
            System.err.println("synctalk: graph file not found: " + graph.toAbsolutePath());
            return ExitCodes.USAGE;
        }
        if (portrait) {
            overrides.put("portrait", "true");
        }
        GraphDefinition def;
        try {
            def = GraphLoader.load(graph, overrides);
        } catch (GraphValidationException e) {
            System.err.println(e.getMessage());
            return ExitCodes.USAGE;
        }
        try (Engine engine = options.engine()) {
            RunHandle run;
            try {
                run = engine.start(def, runId, overrides);
            } catch (GraphValidationException e) {
                System.err.println(e.getMessage());
                return ExitCodes.USAGE;
            }
            return RunReport.await(run);
        }
    }
}
