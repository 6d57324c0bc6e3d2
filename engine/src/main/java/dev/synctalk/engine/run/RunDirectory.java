package dev.synctalk.engine.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The folder a run owns: {@code graph.conf} (the resolved graph it started with), {@code run.json}
 * (state), {@code journals/}, {@code outputs/}, {@code checkpoints/} and {@code events.log}.
 */
public record RunDirectory(Path root) {

    public static RunDirectory create(Path runsRoot, String runId) {
        Path dir = runsRoot.resolve(runId);
        if (Files.exists(dir)) {
            throw new IllegalArgumentException("run '" + runId + "' already exists in " + runsRoot
                    + ": pick another --run-id, or `resume " + runId + "`");
        }
        try {
            Files.createDirectories(dir.resolve("outputs"));
            Files.createDirectories(dir.resolve("journals"));
            Files.createDirectories(dir.resolve("checkpoints"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + dir, e);
        }
        return new RunDirectory(dir);
    }

    public static RunDirectory open(Path runsRoot, String runId) {
        Path dir = runsRoot.resolve(runId);
        if (!Files.isRegularFile(dir.resolve("run.json"))) {
            throw new IllegalArgumentException("no run '" + runId + "' in " + runsRoot.toAbsolutePath()
                    + " (missing " + dir.resolve("run.json") + ")");
        }
        return new RunDirectory(dir);
    }

    public String runId() {
        return root.getFileName().toString();
    }

    public Path graphFile() {
        return root.resolve("graph.conf");
    }

    public Path infoFile() {
        return root.resolve("run.json");
    }

    public Path outputs() {
        return root.resolve("outputs");
    }

    public Path journals() {
        return root.resolve("journals");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path eventLog() {
        return root.resolve("events.log");
    }

    /** The metrics of the run's last attempt as it ended (per stage: time, messages, latency), JSON. */
    public Path metricsFile() {
        return root.resolve("metrics.json");
    }

    public RunInfo readInfo() {
        return RunInfo.fromJson(infoFile());
    }

    public void writeInfo(RunInfo info) {
        writeAtomically(infoFile(), info.toJson());
    }

    public void writeGraph(String hocon) {
        writeAtomically(graphFile(), hocon);
    }

    /** Appends one timestamped line; the log survives crashes line by line. */
    public void event(String line) {
        try {
            Files.writeString(eventLog(), Instant.now() + " " + line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + eventLog(), e);
        }
    }

    /** Temp file + rename, so readers never see half a file. */
    public static void writeAtomically(Path target, String text) {
        writeAtomically(target, text.getBytes(StandardCharsets.UTF_8));
    }

    public static void writeAtomically(Path target, byte[] bytes) {
        try {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, "." + target.getFileName(), ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }
}
