package dev.synctalk.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a resumed run or a replay needs from the journals: the last journaled frame index of every edge under
 * {@code <runDir>/journals}, after verifying every record's checksum and that Chronicle's index agrees with the
 * files. A damaged journal fails the scan: resuming or replaying past it would recompute, skip or replay wrong
 * frames.
 */
public final class ResumeIndex {

    /**
     * One journal as found on disk.
     *
     * @param records records that read back (all of them unless {@code damage} is set)
     * @param lastIndex frame index of the last good record, -1 when none
     * @param damage the first damage, or null when the journal is sound
     */
    public record JournalHealth(String edgeId, Path folder, long records, long lastIndex, CorruptJournalException damage) {
        public boolean sound() {
            return damage == null;
        }
    }

    private final Map<String, Long> lastIndexByEdge;

    private ResumeIndex(Map<String, Long> lastIndexByEdge) {
        this.lastIndexByEdge = Collections.unmodifiableMap(lastIndexByEdge);
    }

    /** @throws CorruptJournalException for the first damaged journal, naming its edge, frame and file */
    public static ResumeIndex scan(Path runDir) {
        Map<String, Long> lastIndexByEdge = new TreeMap<>();
        for (JournalHealth health : inspect(runDir)) {
            if (health.damage() != null) {
                throw health.damage();
            }
            lastIndexByEdge.put(health.edgeId(), health.lastIndex());
        }
        return new ResumeIndex(lastIndexByEdge);
    }

    /** Every journal of the run with its state; damage is reported per journal, not thrown. */
    public static List<JournalHealth> inspect(Path runDir) {
        List<JournalHealth> out = new ArrayList<>();
        for (Path folder : journalFolders(runDir)) {
            out.add(check(folder));
        }
        return out;
    }

    /** The journal folders under {@code <runDir>/journals}, by name; hidden folders (repairs in progress) excluded. */
    static List<Path> journalFolders(Path runDir) {
        Path journals = runDir.resolve(JournalFolder.JOURNALS_DIR);
        if (!Files.isDirectory(journals)) {
            return List.of();
        }
        try (Stream<Path> listing = Files.list(journals)) {
            return listing.filter(Files::isDirectory).filter(f -> !f.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + journals, e);
        }
    }

    static JournalHealth check(Path folder) {
        String edgeId = JournalFolder.edgeIdOf(folder.getFileName().toString());
        try {
            Properties descriptor = JournalFolder.readDescriptor(folder);
            if (descriptor != null && descriptor.getProperty("edgeId") != null) {
                edgeId = descriptor.getProperty("edgeId");
            }
            JournalScan.Result scan = JournalScan.scan(folder);
            if (scan.damage() != null) {
                return new JournalHealth(edgeId, folder, scan.records().size(), scan.lastIndex(), scan.damage());
            }
            crossCheck(folder, scan);
            return new JournalHealth(edgeId, folder, scan.records().size(), scan.lastIndex(), null);
        } catch (CorruptJournalException e) {
            return new JournalHealth(edgeId, folder, 0, -1, e);
        }
    }

    /**
     * Chronicle finds the end of a journal through its index, and appends after it: an index that disagrees
     * with the records in the files (damage in a metadata document) would hide records or overwrite them.
     */
    private static void crossCheck(Path folder, JournalScan.Result scan) {
        if (JournalScan.cycleFiles(folder).isEmpty()) {
            return; // nothing written yet; Chronicle creates the files with the first record
        }
        try (JournalReader reader = JournalReader.openFolder(folder)) {
            long chronicleLast = reader.lastIndex();
            long chronicleCount = reader.count();
            if (chronicleLast != scan.lastIndex() || chronicleCount != scan.records().size()) {
                throw new CorruptJournalException(folder, null, "the queue index", -1, "Chronicle's index lists "
                        + chronicleCount + " records up to frame " + chronicleLast + ", but the files hold "
                        + scan.records().size() + " records up to frame " + scan.lastIndex(), null);
            }
        }
    }

    /** Last journaled frame index of {@code edgeId}; -1 when the edge has no journal or it is empty. */
    public long lastIndex(String edgeId) {
        return lastIndexByEdge.getOrDefault(edgeId, -1L);
    }

    /** Edge id to last frame index, sorted by edge id. */
    public Map<String, Long> all() {
        return lastIndexByEdge;
    }
}
