package dev.synctalk.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads the journal of one edge with Chronicle tailers, in append order. The queue is opened read-only, so
 * reading never changes a journal, and a writer may keep appending meanwhile. Every record's checksum is
 * verified as it is read; a record that cannot be read back (checksum mismatch, unknown schema version, bytes
 * that do not parse, a payload its codec rejects) raises {@link CorruptJournalException} naming the edge, the
 * frame, the file and the record's position.
 */
public final class JournalReader implements AutoCloseable, Iterable<JournalRecord> {

    private final Path folder;
    private final SingleChronicleQueue queue;

    private JournalReader(Path folder, SingleChronicleQueue queue) {
        this.folder = folder;
        this.queue = queue;
    }

    /** Opens the journal of {@code edgeId} under {@code runDir}; a missing folder is an error naming the path. */
    public static JournalReader open(Path runDir, String edgeId) {
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(edgeId, "edgeId");
        Path folder = JournalFolder.of(runDir, edgeId);
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("no journal for edge '" + edgeId + "': " + folder
                    + " does not exist (journaled edges in this run: " + journaledEdges(runDir) + ")");
        }
        return openFolder(folder);
    }

    static JournalReader openFolder(Path folder) {
        JournalFolder.checkQueueFiles(folder);
        return new JournalReader(folder, JournalFolder.openQueue(folder, true));
    }

    private static TreeSet<String> journaledEdges(Path runDir) {
        TreeSet<String> edges = new TreeSet<>();
        Path journals = runDir.resolve(JournalFolder.JOURNALS_DIR);
        if (Files.isDirectory(journals)) {
            try (Stream<Path> folders = Files.list(journals)) {
                folders.filter(Files::isDirectory)
                        .forEach(f -> edges.add(JournalFolder.edgeIdOf(f.getFileName().toString())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + journals, e);
            }
        }
        return edges;
    }

    /** Every record from the start up to the end the journal has when {@code hasNext} is asked. */
    @Override
    public Iterator<JournalRecord> iterator() {
        Iterator<Positioned> positioned = positionedIterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return positioned.hasNext();
            }

            @Override
            public JournalRecord next() {
                return positioned.next().record();
            }
        };
    }

    /**
     * Payloads of the records with {@code frameIndex <= upToInclusive}, decoded by the codec their type name
     * selects, lazily and in order; frame indices never decrease, so the stream stops at the first later frame.
     */
    public <T> Stream<T> payloads(PayloadCodecs codecs, Class<T> type, long upToInclusive) {
        Objects.requireNonNull(codecs, "codecs");
        Objects.requireNonNull(type, "type");
        Spliterator<Positioned> records = Spliterators.spliteratorUnknownSize(positionedIterator(),
                Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(records, false)
                .takeWhile(p -> p.record().frameIndex() <= upToInclusive)
                .map(p -> decodePayload(codecs, type, p));
    }

    private <T> T decodePayload(PayloadCodecs codecs, Class<T> type, Positioned positioned) {
        JournalRecord record = positioned.record();
        PayloadCodec<?> codec = codecs.forName(record.payloadType());
        if (!type.isAssignableFrom(codec.type())) {
            throw new IllegalArgumentException(positioned.position() + " of " + folder + " holds "
                    + record.payloadType() + " (" + codec.type().getName() + "), not a " + type.getName());
        }
        Object value;
        try {
            value = codec.decode(record.payload());
        } catch (RuntimeException e) {
            throw new CorruptJournalException(folder, positioned.file(), positioned.position(), record.frameIndex(),
                    "codec " + record.payloadType() + " cannot decode the payload of frame " + record.frameIndex() + ": "
                            + e.getMessage(), e);
        }
        if (!type.isInstance(value)) {
            throw new CorruptJournalException(folder, positioned.file(), positioned.position(), record.frameIndex(),
                    "codec " + record.payloadType() + " decoded a " + (value == null ? "null" : value.getClass().getName()) + ", not a " + type.getName(), null);
        }
        return type.cast(value);
    }

    /** Frame index of the last record, -1 when the journal is empty. */
    public long lastIndex() {
        return JournalFolder.lastFrameIndex(queue, folder);
    }

    /** Records in the journal as Chronicle's index counts them. */
    public long count() {
        return JournalFolder.guarded(folder, "the queue index", queue::entryCount);
    }

    public Path folder() {
        return folder;
    }

    @Override
    public void close() {
        queue.close();
    }

    private record Positioned(JournalRecord record, String position, Path file) {
    }

    private Iterator<Positioned> positionedIterator() {
        ExcerptTailer tailer = queue.createTailer();
        // Streams may be consumed on another thread than the one that created them.
        tailer.singleThreadedCheckDisabled(true);
        tailer.toStart();
        return new Iterator<>() {
            private long ordinal;
            private long previousFrame = -1;
            private Positioned next;
            private boolean ended;

            @Override
            public boolean hasNext() {
                if (next == null && !ended) {
                    next = readNext();
                    if (next == null) {
                        ended = true;
                        tailer.close();
                    }
                }
                return next != null;
            }

            @Override
            public Positioned next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("journal " + folder + " has no more records");
                }
                Positioned current = next;
                next = null;
                ordinal++;
                return current;
            }

            private Positioned readNext() {
                String position = "record #" + ordinal;
                Positioned read = JournalFolder.guarded(folder, position, this::tryRead);
                if (read == null && JournalFolder.guarded(folder, position, this::moreIndexed)) {
                    // The index lists records beyond the one the tailer stopped at. A writer may have finished it
                    // just now, so look once more before calling it damaged.
                    read = JournalFolder.guarded(folder, position, this::tryRead);
                    if (read == null) {
                        throw new CorruptJournalException(folder, position + " ("
                                + JournalFolder.chronicleIndex(tailer.index()) + ")", "the record is incomplete or "
                                + "damaged, yet the queue index lists " + queue.entryCount() + " records (up to "
                                + JournalFolder.chronicleIndex(queue.lastIndex()) + ")");
                    }
                }
                return read;
            }

            /** Whether the queue index lists records the tailer has not read (a file cut short hides them). */
            private boolean moreIndexed() {
                return queue.lastIndex() >= tailer.index() || queue.entryCount() > ordinal;
            }

            private Positioned tryRead() {
                byte[] bytes;
                long index;
                String position = "record #" + ordinal;
                try (DocumentContext document = tailer.readingDocument()) {
                    if (!document.isPresent()) {
                        return null;
                    }
                    index = document.index();
                    position += " (" + JournalFolder.chronicleIndex(index) + ")";
                    bytes = JournalFolder.documentBytes(document, folder, position);
                }
                try {
                    JournalRecord record = RecordFormat.decode(bytes);
                    previousFrame = record.frameIndex();
                    return new Positioned(record, position, JournalFolder.cycleFile(folder, index));
                } catch (RecordFormat.Damage e) {
                    throw JournalFolder.damagedRecord(folder, JournalFolder.cycleFile(folder, index), position,
                            previousFrame, e);
                }
            }
        };
    }
}
