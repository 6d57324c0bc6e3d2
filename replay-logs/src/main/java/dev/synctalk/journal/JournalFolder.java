package dev.synctalk.journal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;

/** Layout of {@code <runDir>/journals/<edge>/}: folder names, the descriptor file, queue files and their checks. */
final class JournalFolder {

    static final String JOURNALS_DIR = "journals";
    static final String DESCRIPTOR_FILE = "journal.properties";

    /**
     * One file per UTC day; LARGE_DAILY allows 2^32 records per cycle, so a long run never runs out of
     * sequence numbers and tests never see a roll unless they cross midnight UTC.
     */
    static final LargeRollCycles ROLL_CYCLE = LargeRollCycles.LARGE_DAILY;

    /**
     * Chronicle maps files in blocks of this size and refuses documents above a quarter of it. 64 MiB (the
     * Chronicle default) allows 16 MiB records: a 512x512x3 uint8 frame is 0.75 MiB, the same frame as float32
     * 3 MiB. The files are sparse, so the size shown by ls is not disk usage.
     */
    static final long BLOCK_SIZE_BYTES = 64L << 20;
    static final int MAX_RECORD_BYTES = (int) (BLOCK_SIZE_BYTES / 4) - 4096;

    private static final Pattern CYCLE_FILE = Pattern.compile("\\d{8}L\\.cq4");
    private static final String METADATA_FILE = "metadata.cq4t";
    /** Every Chronicle file opens with a complete metadata document whose first field is named "header". */
    private static final byte[] HEADER_FIELD = {(byte) 0xB9, 6, 'h', 'e', 'a', 'd', 'e', 'r'};
    private static final int NOT_COMPLETE_BIT = 0x8000_0000;
    private static final int META_DATA_BIT = 0x4000_0000;
    private static final int LENGTH_MASK = 0x3FFF_FFFF;

    private JournalFolder() {
    }

    static Path of(Path runDir, String edgeId) {
        return runDir.resolve(JOURNALS_DIR).resolve(folderName(edgeId));
    }

    /**
     * Edge id as a portable folder name: letters, digits, '.', '-' stay; every other UTF-8 byte becomes
     * {@code _XX} (hex), as does a leading '.', so the mapping is reversible and cannot escape the folder.
     */
    static String folderName(String edgeId) {
        StringBuilder name = new StringBuilder();
        byte[] bytes = edgeId.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || b == '-' || (b == '.' && i > 0);
            if (plain) {
                name.append((char) b);
            } else {
                name.append('_').append(String.format("%02X", b));
            }
        }
        return name.toString();
    }

    static String edgeIdOf(String folderName) {
        byte[] out = new byte[folderName.length()];
        int length = 0;
        for (int i = 0; i < folderName.length(); i++) {
            char c = folderName.charAt(i);
            int hex = c == '_' && i + 2 < folderName.length()
                    ? parseHexByte(folderName.substring(i + 1, i + 3)) : -1;
            if (hex >= 0) {
                out[length++] = (byte) hex;
                i += 2;
            } else {
                out[length++] = (byte) c;
            }
        }
        return new String(out, 0, length, StandardCharsets.UTF_8);
    }

    private static int parseHexByte(String twoChars) {
        int high = Character.digit(twoChars.charAt(0), 16);
        int low = Character.digit(twoChars.charAt(1), 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    /**
     * Document body as an array: the record bytes are parsed off the memory-mapped file. A damaged length word
     * can claim more bytes than the file has, and touching those faults; no writer makes documents above
     * {@link #MAX_RECORD_BYTES}, so larger claims are reported before any byte is copied.
     */
    static byte[] documentBytes(DocumentContext document, Path folder, String position) {
        Bytes<?> bytes = document.wire().bytes();
        long length = bytes.readRemaining();
        if (length > MAX_RECORD_BYTES) {
            throw new CorruptJournalException(folder, position, "document claims " + length
                    + " bytes, more than the " + MAX_RECORD_BYTES + " a record can hold");
        }
        byte[] copy = new byte[(int) length];
        bytes.read(copy);
        return copy;
    }

    /** Writes the descriptor atomically (temp file + rename) so {@code status} never sees half a file. */
    static void writeDescriptor(Path folder, JournalKey key, Instant createdAt) {
        Properties properties = new Properties();
        properties.setProperty("schemaVersion", Integer.toString(JournalRecord.SCHEMA_VERSION));
        properties.setProperty("runId", key.runId());
        properties.setProperty("edgeId", key.edgeId());
        properties.setProperty("stage", key.stage());
        properties.setProperty("port", key.port());
        properties.setProperty("createdAt", createdAt.toString());
        Path temp = folder.resolve(DESCRIPTOR_FILE + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                properties.store(out, "SyncTalk journal of one graph edge; the records live in the Chronicle Queue files");
            }
            Files.move(temp, folder.resolve(DESCRIPTOR_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + folder.resolve(DESCRIPTOR_FILE), e);
        }
    }

    /** The descriptor, or null when the folder has none. */
    static Properties readDescriptor(Path folder) {
        Path file = folder.resolve(DESCRIPTOR_FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new CorruptJournalException(folder, DESCRIPTOR_FILE, "unreadable descriptor: " + e.getMessage(), e);
        }
        return properties;
    }

    /**
     * Checks the queue files before Chronicle sees them: Chronicle waits for seconds on files whose header it
     * cannot parse before failing, so garbage is reported here, quickly and by file name.
     */
    static void checkQueueFiles(Path folder) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(folder)) {
            listing.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list journal folder " + folder, e);
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            boolean queueFile = name.endsWith(".cq4") || name.endsWith(".cq4t");
            if (!queueFile) {
                continue;
            }
            if (!name.equals(METADATA_FILE) && !CYCLE_FILE.matcher(name).matches()) {
                throw new CorruptJournalException(folder, name, "unexpected queue file name; a journal holds "
                        + METADATA_FILE + " and daily files named yyyyMMddL.cq4");
            }
            String problem = headerProblem(file);
            if (problem != null) {
                throw new CorruptJournalException(folder, name, "not a Chronicle Queue file: " + problem);
            }
            if (!name.equals(METADATA_FILE)) {
                checkDocumentChain(folder, file);
            }
        }
    }

    /**
     * Walks the length words of a cycle file's documents (4-byte aligned, each a header int then its bytes).
     * Chronicle trusts them: a damaged one pointing past the end of the file makes its readers touch unmapped
     * memory, which the JVM reports as an InternalError at an unpredictable frame. The walk stops at the first
     * unwritten or incomplete header; damage hidden there is caught by the reader, which sees later records.
     */
    private static void checkDocumentChain(Path folder, Path file) {
        String name = file.getFileName().toString();
        ByteBuffer word = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long position = 0;
            while (position + Integer.BYTES <= size) {
                word.clear();
                while (word.hasRemaining() && channel.read(word, position + word.position()) >= 0) {
                    // a short positional read is allowed by FileChannel
                }
                int header = word.getInt(0);
                if (header == 0 || (header & NOT_COMPLETE_BIT) != 0) {
                    return;
                }
                long length = header & LENGTH_MASK;
                long end = position + Integer.BYTES + length;
                if (end > size) {
                    throw new CorruptJournalException(folder, name + " byte " + position, "a document claims "
                            + length + " bytes, past the end of the file (" + size + " bytes)");
                }
                if ((header & META_DATA_BIT) == 0 && length > MAX_RECORD_BYTES) {
                    throw new CorruptJournalException(folder, name + " byte " + position, "a document claims "
                            + length + " bytes, more than the " + MAX_RECORD_BYTES + " a record can hold");
                }
                position = (end + 3) & ~3L;
            }
        } catch (IOException e) {
            throw new CorruptJournalException(folder, name, "cannot read it: " + e.getMessage(), e);
        }
    }

    private static String headerProblem(Path file) {
        ByteBuffer head = ByteBuffer.allocate(Integer.BYTES + HEADER_FIELD.length).order(ByteOrder.LITTLE_ENDIAN);
        long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            size = channel.size();
            while (head.hasRemaining() && channel.read(head) >= 0) {
                // keep reading: a short read is allowed by FileChannel
            }
        } catch (IOException e) {
            return "cannot read it (" + e.getMessage() + ")";
        }
        if (head.hasRemaining()) {
            return "only " + size + " bytes long";
        }
        head.flip();
        int header = head.getInt();
        int length = header & LENGTH_MASK;
        if (header == 0) {
            return "its header was never written (a writer may have been killed while creating it)";
        }
        if ((header & NOT_COMPLETE_BIT) != 0 || (header & META_DATA_BIT) == 0 || length < HEADER_FIELD.length
                || length > size) {
            return String.format("bad header word 0x%08x", header);
        }
        for (byte expected : HEADER_FIELD) {
            if (head.get() != expected) {
                return "its first document is not a queue header";
            }
        }
        return null;
    }

    static SingleChronicleQueue openQueue(Path folder, boolean readOnly) {
        try {
            return SingleChronicleQueueBuilder.binary(folder)
                    .rollCycle(ROLL_CYCLE)
                    .blockSize(BLOCK_SIZE_BYTES)
                    .readOnly(readOnly)
                    .build();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            if (causedByModuleAccess(e)) {
                throw new IllegalStateException("Chronicle Queue cannot map " + folder + " because the JVM lacks its "
                        + "flags (--add-opens java.base/java.lang, java.nio, sun.nio.ch, ... and "
                        + "-Dchronicle.analytics.disable=true; the parent pom's synctalk.jvm.flags lists them all)", e);
            }
            throw new CorruptJournalException(folder, "queue files", "Chronicle Queue cannot open them: " + e, e);
        }
    }

    private static boolean causedByModuleAccess(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalAccessException || t instanceof IllegalAccessError
                    || t.getClass().getName().equals("java.lang.reflect.InaccessibleObjectException")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Frame index of the last complete record, -1 when there is none. */
    static long lastFrameIndex(SingleChronicleQueue queue, Path folder) {
        byte[] bytes = guarded(folder, "the last record", () -> {
            try (ExcerptTailer tailer = queue.createTailer()) {
                tailer.direction(TailerDirection.BACKWARD).toEnd();
                try (DocumentContext document = tailer.readingDocument()) {
                    return document.isPresent()
                            ? documentBytes(document, folder, "the last record (" + chronicleIndex(document.index()) + ")")
                            : null;
                }
            }
        });
        if (bytes == null) {
            return -1;
        }
        try {
            return RecordFormat.decode(bytes).frameIndex();
        } catch (IllegalArgumentException e) {
            throw new CorruptJournalException(folder, "the last record", e.getMessage(), e);
        }
    }

    /**
     * Runs a Chronicle call on the queue files and reports its failures as corruption at {@code position}.
     * InternalError is how the JVM reports a fault while touching a memory-mapped file (e.g. a damaged length
     * word that points past the end of the file); the JVM itself is unharmed.
     */
    static <T> T guarded(Path folder, String position, Supplier<T> chronicleCall) {
        try {
            return chronicleCall.get();
        } catch (CorruptJournalException e) {
            throw e;
        } catch (RuntimeException | InternalError e) {
            throw new CorruptJournalException(folder, position, "Chronicle Queue cannot read it: " + e, e);
        }
    }

    static String chronicleIndex(long index) {
        return "chronicle index 0x" + Long.toHexString(index);
    }
}
