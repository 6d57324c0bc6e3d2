package dev.synctalk.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a journal's queue files directly, not through Chronicle: every document's length word and every
 * record's checksum, in file order, up to the first damage. What Chronicle would make of damaged files
 * (faults, skipped documents) does not matter here, so this is what verification and repair trust.
 */
final class JournalScan {

    /** One good record: where its bytes lie and its frame index. */
    record Entry(Path file, long offset, int length, long frameIndex) {
    }

    /**
     * @param records the good records before any damage, in order
     * @param damage the first damage, or null when every document reads back
     * @param uncommittedTail whether the last document was never committed (a writer killed mid-append; Chronicle
     *     skips it and the next writer overwrites it, so it is not damage)
     */
    record Result(Path folder, List<Entry> records, CorruptJournalException damage, boolean uncommittedTail) {
        long lastIndex() {
            return records.isEmpty() ? -1 : records.get(records.size() - 1).frameIndex();
        }
    }

    /** How a file's chain of documents ended. */
    private enum Ending { END_OF_DATA, UNCOMMITTED }

    private interface Visitor {
        void data(long bodyOffset, int length) throws IOException;
    }

    private static final int END_OF_CYCLE = 0xC000_0000;

    private JournalScan() {
    }

    static Result scan(Path folder) {
        List<Entry> records = new ArrayList<>();
        boolean uncommitted = false;
        long[] previousFrame = {-1};
        CorruptJournalException damageAfterRecords = null;
        try {
            for (Path file : cycleFiles(folder)) {
                // A day's file may end in a record that was never committed (a writer killed mid-append) and
                // the next day's file go on after it: Chronicle skips such a record, and so does the scan.
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                    String problem = JournalFolder.headerProblem(file);
                    if (problem != null) {
                        throw new CorruptJournalException(folder, file, file.getFileName().toString(), -1,
                                "not a Chronicle Queue file: " + problem, null);
                    }
                    problem = JournalFolder.sizeProblem(file);
                    if (problem != null) {
                        // the records before the cut still read back, and repair keeps them
                        damageAfterRecords = new CorruptJournalException(folder, file,
                                file.getFileName().toString(), -1, problem, null);
                    }
                    Ending ending = walk(folder, file, channel, (offset, length) -> {
                        byte[] bytes = new byte[length];
                        readFully(channel, ByteBuffer.wrap(bytes), offset);
                        String position = "record #" + records.size() + " (" + file.getFileName() + " byte "
                                + (offset - Integer.BYTES) + ")";
                        JournalRecord record;
                        try {
                            record = RecordFormat.decode(bytes);
                        } catch (RecordFormat.Damage e) {
                            throw JournalFolder.damagedRecord(folder, file, position, previousFrame[0], e);
                        }
                        if (record.frameIndex() < previousFrame[0]) {
                            throw new CorruptJournalException(folder, file, position, record.frameIndex(), "frame "
                                    + record.frameIndex() + " follows frame " + previousFrame[0]
                                    + "; a journal's frame indices never decrease", null);
                        }
                        previousFrame[0] = record.frameIndex();
                        records.add(new Entry(file, offset, length, record.frameIndex()));
                    });
                    uncommitted = ending == Ending.UNCOMMITTED;
                    if (damageAfterRecords != null) {
                        throw damageAfterRecords;
                    }
                }
            }
        } catch (CorruptJournalException e) {
            return new Result(folder, List.copyOf(records), e, false);
        } catch (IOException e) {
            return new Result(folder, List.copyOf(records), new CorruptJournalException(folder, null, "queue files", -1,
                    "cannot read them: " + e.getMessage(), e), false);
        }
        return new Result(folder, List.copyOf(records), null, uncommitted);
    }

    /**
     * Checks the length words of a cycle file's documents without reading the records. Chronicle trusts them:
     * a damaged one pointing past the end of the file makes its readers touch unmapped memory.
     */
    static void checkChain(Path folder, Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            walk(folder, file, channel, (offset, length) -> { });
        } catch (IOException e) {
            throw new CorruptJournalException(folder, file, file.getFileName().toString(), -1,
                    "cannot read it: " + e.getMessage(), e);
        }
    }

    /**
     * Walks the documents of a cycle file (4-byte aligned, each a header word then its bytes), handing data
     * documents to {@code visitor}; metadata documents (the queue header, index arrays) are skipped. The walk
     * ends at the first unwritten header, at the end-of-cycle marker, or at a document never committed.
     */
    private static Ending walk(Path folder, Path file, FileChannel channel, Visitor visitor) throws IOException {
        String name = file.getFileName().toString();
        ByteBuffer word = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long size = channel.size();
        long position = 0;
        while (position + Integer.BYTES <= size) {
            word.clear();
            readFully(channel, word, position);
            int header = word.getInt(0);
            if (header == 0 || header == END_OF_CYCLE) {
                return Ending.END_OF_DATA;
            }
            if ((header & JournalFolder.NOT_COMPLETE_BIT) != 0) {
                return Ending.UNCOMMITTED;
            }
            long length = header & JournalFolder.LENGTH_MASK;
            long end = position + Integer.BYTES + length;
            if (end > size) {
                throw new CorruptJournalException(folder, file, name + " byte " + position, -1, "a document claims "
                        + length + " bytes, past the end of the file (" + size + " bytes)", null);
            }
            boolean data = (header & JournalFolder.META_DATA_BIT) == 0;
            if (data && length > JournalFolder.MAX_RECORD_BYTES) {
                throw new CorruptJournalException(folder, file, name + " byte " + position, -1, "a document claims "
                        + length + " bytes, more than the " + JournalFolder.MAX_RECORD_BYTES + " a record can hold", null);
            }
            if (data) {
                visitor.data(position + Integer.BYTES, (int) length);
            }
            position = (end + 3) & ~3L;
        }
        return Ending.END_OF_DATA;
    }

    /** The folder's cycle files, oldest first (their names are dates). */
    static List<Path> cycleFiles(Path folder) {
        try (Stream<Path> listing = Files.list(folder)) {
            return listing.filter(f -> JournalFolder.isCycleFile(f.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list journal folder " + folder, e);
        }
    }

    static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int read = channel.read(into, at);
            if (read < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += read;
        }
    }
}
