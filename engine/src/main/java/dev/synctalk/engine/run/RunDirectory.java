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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.regex.Pattern;

/**
 * The folder a run owns: {@code graph.conf} (the resolved graph it started with), {@code run.json}
 * (state), {@code run.lock} (held while a process runs it), {@code journals/}, {@code outputs/},
 * {@code checkpoints/} and {@code events.log}.
 */
public record RunDirectory(Path root) {

    /** Run ids name a folder directly under the runs folder: a plain name, so no id reaches outside it. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    /** @throws IllegalArgumentException unless {@code runId} is a plain folder name */
    public static String checkRunId(String runId) {
        if (runId == null || !PLAIN_NAME.matcher(runId).matches()) {
            throw new IllegalArgumentException("run id '" + runId + "' must be a plain name: letters, digits, '.', '_'"
                    + " and '-', starting with a letter or digit (it names a folder in the runs folder)");
        }
        return runId;
    }

    public static RunDirectory create(Path runsRoot, String runId) {
        Path dir = runsRoot.resolve(checkRunId(runId));
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
        Path dir = runsRoot.resolve(checkRunId(runId));
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

    /** {@code run.lock}: held by the process that runs the run (see {@link RunLock}). */
    public Path lockFile() {
        return root.resolve("run.lock");
    }

    /** @throws IllegalStateException naming the file when run.json cannot be read back */
    public RunInfo readInfo() {
        try {
            return RunInfo.fromJson(infoFile());
        } catch (RuntimeException e) {
            throw new IllegalStateException("run '" + runId() + "' has a damaged " + infoFile() + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
    }

    public void writeInfo(RunInfo info) {
        writeAtomically(infoFile(), info.toJson());
    }

    public void writeGraph(String hocon) {
        writeAtomically(graphFile(), hocon);
    }

    /**
     * Removes the partial files an interrupted attempt left: every writer in a run writes a temporary sibling
     * and renames it over its target (a hidden {@code .<name>...tmp} file, or {@code <name>.tmp} for
     * checkpoints), so a process killed between the two leaves one behind. Journals are not touched.
     *
     * @return the files removed
     */
    public List<Path> removePartialWrites() {
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                Path relative = root.relativize(file);
                String name = file.getFileName().toString();
                boolean journalOrKept = relative.startsWith("journals") || relative.startsWith("damaged");
                boolean partial = (name.startsWith(".") && name.contains(".tmp"))
                        || (relative.startsWith("checkpoints") && name.endsWith(".tmp"));
                if (!journalOrKept && partial) {
                    Files.deleteIfExists(file);
                    removed.add(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up partial files in " + root, e);
        }
        return removed;
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
