package dev.synctalk.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.synctalk.engine.run.RunDirectory;
import dev.synctalk.engine.run.RunInfo;
import dev.synctalk.engine.run.RunLock;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.journal.ResumeIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
        RunInfo info;
        try {
            info = dir.readInfo();
        } catch (IllegalStateException e) {
            System.err.println("synctalk: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        Optional<RunLock.Holder> live = RunLock.liveHolder(dir);
        System.out.printf("run       %s%n", info.runId());
        System.out.printf("graph     %s (%s)%n", info.graphName(), info.graphFile());
        System.out.printf("state     %s%n", stateLine(dir, info, live));
        System.out.printf("attempts  %d%n", info.attempts());
        System.out.printf("created   %s%n", info.createdAt());
        System.out.printf("updated   %s%n", info.updatedAt());
        if (info.replayOf() != null) {
            System.out.printf("replay of %s from stage %s%n", info.replayOf(), info.replayFrom());
        }
        if (info.error() != null) {
            System.out.printf("error     %s%n", info.error());
        }
        List<ResumeIndex.JournalHealth> journals = ResumeIndex.inspect(dir.root());
        if (!journals.isEmpty()) {
            System.out.println("journals (last frame index):");
            boolean damaged = false;
            for (ResumeIndex.JournalHealth j : journals) {
                if (j.sound()) {
                    System.out.printf("  %-40s %d%n", j.edgeId(), j.lastIndex());
                } else if (live.isPresent()) {
                    // a writer is appending right now: what looks damaged may be a record being written
                    System.out.printf("  %-40s %d (being written)%n", j.edgeId(), j.lastIndex());
                } else {
                    damaged = true;
                    System.out.printf("  %-40s DAMAGED: %s%n", j.edgeId(), j.damage().getMessage());
                }
            }
            if (damaged) {
                System.out.println("  repair with: synctalk repair " + info.runId()
                        + "   (keeps every record before the damage; resume recomputes the rest)");
            }
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
        List<String> damaged = new ArrayList<>();
        try (Stream<Path> s = Files.list(runsDir)) {
            s.filter(d -> Files.isRegularFile(d.resolve("run.json"))).sorted().forEach(d -> {
                try {
                    runs.add(new RunDirectory(d).readInfo());
                } catch (IllegalStateException e) {
                    // one damaged run.json must not hide the other runs
                    damaged.add(String.format("%-48s %-12s %s", d.getFileName(), "DAMAGED", e.getMessage()));
                }
            });
        }
        runs.sort(java.util.Comparator.comparing(RunInfo::createdAt));
        System.out.printf("%-48s %-12s %-8s %s%n", "RUN", "STATE", "ATTEMPTS", "GRAPH");
        for (RunInfo r : runs) {
            RunDirectory dir = new RunDirectory(runsDir.resolve(r.runId()));
            String state = r.state() == RunState.RUNNING && RunLock.liveHolder(dir).isEmpty() ? "INTERRUPTED"
                    : r.state().name();
            System.out.printf("%-48s %-12s %-8d %s%n", r.runId(), state, r.attempts(), r.graphName());
        }
        damaged.forEach(System.out::println);
        return ExitCodes.OK;
    }

    /**
     * A run marked RUNNING is either being run (its process holds run.lock) or was killed: a SIGKILL, a crash or
     * a power cut leaves no chance to write the end state, but it does release the lock.
     */
    private static String stateLine(RunDirectory dir, RunInfo info, Optional<RunLock.Holder> live) {
        if (info.state() != RunState.RUNNING) {
            return info.state().name();
        }
        if (live.isPresent()) {
            return "RUNNING in " + live.get();
        }
        String last = RunLock.lastHolder(dir).map(h -> " (" + h + ")").orElse("");
        return "INTERRUPTED: run.json says RUNNING, but no process is running it; the last one" + last
                + " ended without finishing. Resume with: synctalk resume " + info.runId();
    }
}
