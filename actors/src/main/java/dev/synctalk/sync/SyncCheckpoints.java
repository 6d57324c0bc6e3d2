package dev.synctalk.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The checkpoint folder of a Face-Sync trainer: {@code <step>.ckpt} written after step {@code step}
 * (the input frame index its state holds through, as the engine's resume expects), newest few kept.
 */
final class SyncCheckpoints {
    static final String SUFFIX = ".ckpt";

    private SyncCheckpoints() {
    }

    static Path file(Path dir, long step) {
        return dir.resolve(step + SUFFIX);
    }

    /** Steps of the complete checkpoints in {@code dir}, oldest first. */
    static List<Long> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(SUFFIX) && n.substring(0, n.length() - SUFFIX.length()).matches("\\d+"))
                    .map(n -> Long.parseLong(n.substring(0, n.length() - SUFFIX.length()))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one checkpoint file. */
    @FunctionalInterface
    interface Writer {
        void write(Path file) throws IOException;
    }

    /** Refuses schedules resume cannot rely on, naming the stage. */
    static void requireSchedule(String stage, int every, int keep) {
        if (keep < 3 || every < 1) {
            throw new IllegalArgumentException(stage + ": keep-checkpoints must be at least 3 (the newest may be ahead"
                    + " of the journals) and checkpoint-every positive, got " + keep + " and " + every);
        }
    }

    /** After step {@code step}: a checkpoint every {@code every} steps, the newest {@code keep} kept. */
    static void afterStep(Path dir, long step, int every, int keep, Writer writer) throws IOException {
        if ((step + 1) % every == 0) {
            Files.createDirectories(dir);
            writer.write(file(dir, step));
            prune(dir, keep);
        }
    }

    /** Deletes all but the newest {@code keep}. */
    static void prune(Path dir, int keep) throws IOException {
        List<Long> all = list(dir);
        for (int i = 0; i < all.size() - keep; i++) {
            Files.deleteIfExists(file(dir, all.get(i)));
        }
    }
}
