package dev.synctalk.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Drops the damaged tail of a run's journals: each damaged journal is rebuilt from the records before its first
 * damage (their bytes copied unchanged), and the damaged original is moved aside, so nothing is deleted. A
 * resumed run recomputes the dropped frames.
 */
public final class JournalRepair {

    /**
     * What repair did to one journal.
     *
     * @param keptRecords records kept (all of them when {@code damage} is null)
     * @param keptLastIndex frame index of the last record kept, -1 when none
     * @param claimedLastIndex the last frame index the damaged journal's queue index claimed, -1 when unknown
     * @param damage what was wrong, null when the journal was sound and left alone
     * @param movedTo where the damaged original now lies, null when it was left alone
     */
    public record Outcome(String edgeId, long keptRecords, long keptLastIndex, long claimedLastIndex, String damage,
                          Path movedTo) {
        public boolean repaired() {
            return damage != null;
        }
    }

    private JournalRepair() {
    }

    /** Repairs every damaged journal under {@code <runDir>/journals}; originals go to {@code backupDir/<folder>}. */
    public static List<Outcome> repair(Path runDir, Path backupDir) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Path folder : ResumeIndex.journalFolders(runDir)) {
            ResumeIndex.JournalHealth health = ResumeIndex.check(folder);
            if (health.sound()) {
                outcomes.add(new Outcome(health.edgeId(), health.records(), health.lastIndex(), -1, null, null));
                continue;
            }
            outcomes.add(rebuild(folder, health, backupDir));
        }
        return outcomes;
    }

    private static Outcome rebuild(Path folder, ResumeIndex.JournalHealth health, Path backupDir) {
        JournalScan.Result scan = JournalScan.scan(folder);
        long claimed = claimedLastIndex(folder);
        Path rebuilt = folder.resolveSibling(".repair-" + folder.getFileName());
        Path movedTo = backupDir.resolve(folder.getFileName());
        try {
            deleteTree(rebuilt);
            Files.createDirectories(rebuilt);
            JournalKey key = key(folder, scan);
            if (key != null) {
                JournalFolder.writeDescriptor(rebuilt, key, Instant.now());
                copyRecords(scan.records(), rebuilt);
            }
            Files.createDirectories(backupDir);
            if (Files.exists(movedTo)) {
                throw new IOException(movedTo + " already exists");
            }
            Files.move(folder, movedTo, StandardCopyOption.ATOMIC_MOVE);
            if (key != null) {
                Files.move(rebuilt, folder, StandardCopyOption.ATOMIC_MOVE);
            } else {
                deleteTree(rebuilt); // nothing readable to keep: without a journal the edge is recomputed
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repair journal " + folder + ": " + e.getMessage(), e);
        }
        return new Outcome(health.edgeId(), scan.records().size(), scan.lastIndex(), claimed,
                health.damage().getMessage(), movedTo);
    }

    /** The journal's identity from its descriptor, else from its first good record; null when neither reads. */
    private static JournalKey key(Path folder, JournalScan.Result scan) throws IOException {
        try {
            Properties d = JournalFolder.readDescriptor(folder);
            if (d != null) {
                return new JournalKey(d.getProperty("runId"), d.getProperty("edgeId"), d.getProperty("stage"),
                        d.getProperty("port"));
            }
        } catch (CorruptJournalException | IllegalArgumentException unreadable) {
            // fall back to the records
        }
        if (scan.records().isEmpty()) {
            return null;
        }
        JournalScan.Entry first = scan.records().get(0);
        JournalRecord record = RecordFormat.decode(read(first));
        return new JournalKey(record.runId(), JournalFolder.edgeIdOf(folder.getFileName().toString()), record.stage(),
                record.port());
    }

    private static void copyRecords(List<JournalScan.Entry> records, Path into) throws IOException {
        try (SingleChronicleQueue queue = JournalFolder.openQueue(into, false);
             ExcerptAppender appender = queue.createAppender()) {
            for (JournalScan.Entry entry : records) {
                byte[] bytes = read(entry);
                try (DocumentContext document = appender.writingDocument()) {
                    document.wire().bytes().write(bytes);
                }
            }
        }
    }

    private static byte[] read(JournalScan.Entry entry) throws IOException {
        byte[] bytes = new byte[entry.length()];
        try (FileChannel channel = FileChannel.open(entry.file(), StandardOpenOption.READ)) {
            JournalScan.readFully(channel, ByteBuffer.wrap(bytes), entry.offset());
        }
        return bytes;
    }

    /** What Chronicle's index says the journal held, for the report; -1 when the damage keeps it from saying. */
    private static long claimedLastIndex(Path folder) {
        try (JournalReader reader = JournalReader.openFolder(folder)) {
            return reader.lastIndex();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
