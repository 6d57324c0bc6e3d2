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
 * What a resumed run needs from the journals: the last journaled frame index of every edge under
 * {@code <runDir>/journals}. Read from the journals themselves (the descriptor file only names the edge).
 * A corrupt journal fails the scan: resuming past it silently would recompute or skip frames.
 */
public final class ResumeIndex {

    private final Map<String, Long> lastIndexByEdge;

    private ResumeIndex(Map<String, Long> lastIndexByEdge) {
        this.lastIndexByEdge = Collections.unmodifiableMap(lastIndexByEdge);
    }

    public static ResumeIndex scan(Path runDir) {
        Path journals = runDir.resolve(JournalFolder.JOURNALS_DIR);
        Map<String, Long> lastIndexByEdge = new TreeMap<>();
        if (!Files.isDirectory(journals)) {
            return new ResumeIndex(lastIndexByEdge);
        }
        List<Path> folders = new ArrayList<>();
        try (Stream<Path> listing = Files.list(journals)) {
            listing.filter(Files::isDirectory).sorted().forEach(folders::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + journals, e);
        }
        for (Path folder : folders) {
            Properties descriptor = JournalFolder.readDescriptor(folder);
            String folderName = folder.getFileName().toString();
            String edgeId = descriptor != null && descriptor.getProperty("edgeId") != null
                    ? descriptor.getProperty("edgeId") : JournalFolder.edgeIdOf(folderName);
            try (JournalReader reader = JournalReader.openFolder(folder)) {
                lastIndexByEdge.put(edgeId, reader.lastIndex());
            }
        }
        return new ResumeIndex(lastIndexByEdge);
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
