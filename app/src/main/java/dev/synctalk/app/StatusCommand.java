package dev.synctalk.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.synctalk.engine.run.RunDirectory;
import dev.synctalk.engine.run.RunInfo;
import dev.synctalk.journal.ResumeIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a run's state, journals, the time each stage took and the outputs; without RUN_ID, list"
                + " all runs.")
final class StatusCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "RUN_ID")
    String runId;

    @Option(names = "--runs-dir", defaultValue = "runs", description = "Folder holding run directories (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Option(names = "--json", description = "Print run.json as is.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (runId == null) {
            return listRuns();
        }
        RunDirectory dir;
        try {
            dir = RunDirectory.open(runsDir, runId);
        } catch (IllegalArgumentException e) {
            System.err.println("synctalk: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (json) {
            System.out.print(Files.readString(dir.infoFile()));
            return ExitCodes.OK;
        }
        RunInfo info = dir.readInfo();
        System.out.printf("run       %s%n", info.runId());
        System.out.printf("graph     %s (%s)%n", info.graphName(), info.graphFile());
        System.out.printf("state     %s%n", info.state());
        System.out.printf("attempts  %d%n", info.attempts());
        System.out.printf("created   %s%n", info.createdAt());
        System.out.printf("updated   %s%n", info.updatedAt());
        if (info.replayOf() != null) {
            System.out.printf("replay of %s from stage %s%n", info.replayOf(), info.replayFrom());
        }
        if (info.error() != null) {
            System.out.printf("error     %s%n", info.error());
        }
        Map<String, Long> journals = ResumeIndex.scan(dir.root()).all();
        if (!journals.isEmpty()) {
            System.out.println("journals (last frame index):");
            journals.forEach((edge, last) -> System.out.printf("  %-40s %d%n", edge, last));
        }
        if (Files.isRegularFile(dir.metricsFile())) {
            printStageTimes(dir.metricsFile());
        }
        List<String> outputs = new ArrayList<>();
        if (Files.isDirectory(dir.outputs())) {
            try (Stream<Path> s = Files.list(dir.outputs())) {
                s.sorted().forEach(p -> outputs.add(describe(p)));
            }
        }
        System.out.println("outputs in " + dir.outputs() + ":");
        outputs.forEach(o -> System.out.println("  " + o));
        return ExitCodes.OK;
    }

    /**
     * Per stage, from metrics.json (the last attempt): time inside the stage's calls summed over its actors
     * ("busy"), time from its first to its last activity ("wall"), messages in and out.
     */
    private static void printStageTimes(Path metricsFile) throws IOException {
        Config metrics = ConfigFactory.parseString(Files.readString(metricsFile));
        System.out.printf("stages (%s, last attempt %.1f s):%n", metricsFile.getFileName(),
                metrics.getDouble("elapsedSeconds"));
        System.out.printf("  %-14s %10s %10s %8s %8s%n", "stage", "busy s", "wall s", "in", "out");
        for (Config stage : metrics.getConfigList("stages")) {
            System.out.printf("  %-14s %10.2f %10.2f %8d %8d%n", stage.getString("name"),
                    stage.getLong("processing.sumNanos") / 1e9, stage.getDouble("progress.elapsedSeconds"),
                    stage.getLong("messagesIn"), stage.getLong("messagesOut"));
        }
    }

    private static String describe(Path p) {
        try {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    return p.getFileName() + "/ (" + s.count() + " files)";
                }
            }
            return p.getFileName() + " (" + Files.size(p) + " bytes)";
        } catch (IOException e) {
            return p.getFileName() + " (unreadable: " + e.getMessage() + ")";
        }
    }

    private int listRuns() throws IOException {
        if (!Files.isDirectory(runsDir)) {
            System.out.println("no runs in " + runsDir.toAbsolutePath());
            return ExitCodes.OK;
        }
        List<RunInfo> runs = new ArrayList<>();
        try (Stream<Path> s = Files.list(runsDir)) {
            s.filter(d -> Files.isRegularFile(d.resolve("run.json"))).forEach(d -> runs.add(new RunDirectory(d).readInfo()));
        }
        runs.sort(java.util.Comparator.comparing(RunInfo::createdAt));
        System.out.printf("%-48s %-10s %-8s %s%n", "RUN", "STATE", "ATTEMPTS", "GRAPH");
        for (RunInfo r : runs) {
            System.out.printf("%-48s %-10s %-8d %s%n", r.runId(), r.state(), r.attempts(), r.graphName());
        }
        return ExitCodes.OK;
    }
}
