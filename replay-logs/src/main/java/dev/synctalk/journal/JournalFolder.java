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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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

    /** Frame indices on an edge grow by about one per record; a larger jump in a damaged record is damage too. */
    private static final long MAX_FRAME_GAP = 1L << 20;
    private static final Pattern CYCLE_FILE = Pattern.compile("\\d{8}L\\.cq4");
    private static final String METADATA_FILE = "metadata.cq4t";
    /** Every Chronicle file opens with a complete metadata document whose first field is named "header". */
    private static final byte[] HEADER_FIELD = {(byte) 0xB9, 6, 'h', 'e', 'a', 'd', 'e', 'r'};
    static final int NOT_COMPLETE_BIT = 0x8000_0000;
    static final int META_DATA_BIT = 0x4000_0000;
    static final int LENGTH_MASK = 0x3FFF_FFFF;

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
                problem = sizeProblem(file);
                if (problem != null) {
                    throw new CorruptJournalException(folder, file, name, -1, problem, null);
                }
                JournalScan.checkChain(folder, file);
            }
        }
    }

    /**
     * Chronicle grows a cycle file in whole blocks and keeps a quarter block beyond the last one mapped, so its
     * size is always n x 64 MiB + 16 MiB. Any other size means the file was cut short (a copy or a full disk),
     * and records at its end may be gone without a trace in the records before them.
     */
    static String sizeProblem(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return "cannot read its size (" + e.getMessage() + ")";
        }
        long overlap = BLOCK_SIZE_BYTES / 4;
        if (size < BLOCK_SIZE_BYTES + overlap || (size - overlap) % BLOCK_SIZE_BYTES != 0) {
            return "the file is " + size + " bytes; Chronicle writes cycle files of n x " + (BLOCK_SIZE_BYTES >> 20)
                    + " MiB + " + (overlap >> 20) + " MiB, so it was cut short and records at its end may be missing";
        }
        return null;
    }

    static boolean isCycleFile(String name) {
        return CYCLE_FILE.matcher(name).matches();
    }

    static String headerProblem(Path file) {
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
        } catch (RecordFormat.Damage e) {
            throw new CorruptJournalException(folder, null, "the last record", e.frameIndex(), e.getMessage(), e);
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
        } catch (RuntimeException | InternalError | AssertionError e) {
            // AssertionError: with -ea, Chronicle's own consistency asserts trip on damaged files before anything faults
            throw new CorruptJournalException(folder, position, "Chronicle Queue cannot read it: " + e, e);
        }
    }

    /** The cycle file holding the document at Chronicle {@code index}. */
    static Path cycleFile(Path folder, long index) {
        long cycle = ROLL_CYCLE.toCycle(index);
        String name = DateTimeFormatter.ofPattern(ROLL_CYCLE.format()).withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(cycle * ROLL_CYCLE.lengthInMillis()));
        return folder.resolve(name + ".cq4");
    }

    /**
     * The exception for a record whose bytes do not read back. Its frame is what the record's frame field holds
     * when that is plausible after {@code previousFrame} (the last good record's), else the frame after it.
     */
    static CorruptJournalException damagedRecord(Path folder, Path file, String position, long previousFrame,
                                                 RecordFormat.Damage damage) {
        long recorded = damage.frameIndex();
        long expected = previousFrame + 1;
        boolean plausible = recorded >= Math.max(0, previousFrame) && recorded - previousFrame <= MAX_FRAME_GAP;
        String reason = damage.getMessage();
        if (!plausible && recorded >= 0) {
            reason += "; its frame field reads " + recorded + ", damaged too";
        }
        if (previousFrame >= 0) {
            reason += " (the record before it is frame " + previousFrame + ")";
        }
        return new CorruptJournalException(folder, file, position, plausible ? recorded : expected, reason, damage);
    }

    static String chronicleIndex(long index) {
        return "chronicle index 0x" + Long.toHexString(index);
    }
}
