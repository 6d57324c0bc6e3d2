package dev.synctalk.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Random;
import java.util.stream.Stream;

import dev.synctalk.journal.TestMessages.FeatureWindow;
import dev.synctalk.journal.TestMessages.Note;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Damaged journals fail fast with an exception that names the folder and where the damage is. */
@Timeout(30) // Chronicle waits on unparseable headers; a hang here is a failure, not a slow pass
class CorruptJournalTest {

    private static final JournalKey KEY = new JournalKey("run-7", "audio.samples--mel.in", "audio", "samples");

    @TempDir
    Path runDir;

    private final PayloadCodecs codecs = TestMessages.codecs();

    @Test
    void unknownSchemaVersionIsReportedAsCorrupt() {
        Path folder = journalWithOneNote();
        appendRawDocument(folder, recordBytes(3, 5));

        try (JournalReader reader = JournalReader.open(runDir, KEY.edgeId())) {
            Iterator<JournalRecord> records = reader.iterator();
            assertEquals("test.Note/1", records.next().payloadType());
            CorruptJournalException corrupt = assertThrows(CorruptJournalException.class, records::next);
            assertEquals(folder, corrupt.folder());
            assertTrue(corrupt.getMessage().contains(folder.toString()), corrupt.getMessage());
            assertTrue(corrupt.position().startsWith("record #1 (chronicle index 0x"), corrupt.position());
            assertTrue(corrupt.getMessage().contains("unknown schema version 3"), corrupt.getMessage());
            assertThrows(CorruptJournalException.class, reader::lastIndex);
        }
    }

    @Test
    void flippedPayloadByteFailsTheChecksumNamingEdgeFrameAndFile() throws IOException {
        Path folder = journalWithThreeNotes();
        Path cycleFile = cycleFile(folder);
        long payloadAt = find(cycleFile, noteRecord(1).payload());
        flipByte(cycleFile, payloadAt + 2);

        try (JournalReader reader = JournalReader.open(runDir, KEY.edgeId())) {
            Iterator<JournalRecord> records = reader.iterator();
            assertEquals(0, records.next().frameIndex());
            CorruptJournalException corrupt = assertThrows(CorruptJournalException.class, records::next);
            assertEquals(1, corrupt.frameIndex());
            assertEquals(cycleFile, corrupt.file());
            assertEquals(KEY.edgeId(), corrupt.edgeId());
            assertTrue(corrupt.getMessage().contains("'" + KEY.edgeId() + "' at frame 1 in " + cycleFile)
                    && corrupt.getMessage().contains("checksum mismatch"), corrupt.getMessage());
        }
        CorruptJournalException scanned = assertThrows(CorruptJournalException.class, () -> ResumeIndex.scan(runDir));
        assertEquals(1, scanned.frameIndex());
        assertEquals(cycleFile, scanned.file());
    }

    @Test
    void recordsOfSchemaVersionOneAreStillReadWithoutAChecksum() {
        Path folder = journalWithOneNote();
        appendRawDocument(folder, recordBytes(1, 5));

        try (JournalReader reader = JournalReader.open(runDir, KEY.edgeId())) {
            Iterator<JournalRecord> records = reader.iterator();
            assertEquals(JournalRecord.SCHEMA_VERSION, records.next().schemaVersion());
            JournalRecord old = records.next();
            assertEquals(1, old.schemaVersion());
            assertEquals(5, old.frameIndex());
        }
        assertEquals(5, ResumeIndex.scan(runDir).lastIndex(KEY.edgeId()));
    }

    @Test
    void recordWhoseBytesDoNotParseIsReportedAsCorrupt() {
        Path folder = journalWithOneNote();
        byte[] truncated = new byte[10];
        System.arraycopy(recordBytes(1, 5), 0, truncated, 0, truncated.length);
        appendRawDocument(folder, truncated);

        try (JournalReader reader = JournalReader.open(runDir, KEY.edgeId())) {
            CorruptJournalException corrupt = assertThrows(CorruptJournalException.class,
                    () -> reader.forEach(record -> { }));
            assertTrue(corrupt.position().startsWith("record #1"), corrupt.position());
            assertTrue(corrupt.getMessage().contains("runId"), corrupt.getMessage());
        }
    }

    @Test
    void payloadItsCodecRejectsIsReportedWithItsPosition() {
        try (JournalWriter writer = JournalWriter.open(runDir, KEY, codecs)) {
            writer.append(0, new Note("not a tensor"));
        }
        PayloadCodecs misreading = TestMessages.codecs().register(new MislabelledCodec());
        try (JournalReader reader = JournalReader.open(runDir, KEY.edgeId())) {
            CorruptJournalException corrupt = assertThrows(CorruptJournalException.class,
                    () -> reader.payloads(misreading, FeatureWindow.class, Long.MAX_VALUE).count());
            assertTrue(corrupt.position().startsWith("record #0"), corrupt.position());
            assertTrue(corrupt.getMessage().contains("frame 0"), corrupt.getMessage());
        }
    }

    @Test
    void missingJournalFolderNamesThePath() {
        try (JournalWriter writer = JournalWriter.open(runDir, KEY, codecs)) {
            writer.append(0, new Note("x"));
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> JournalReader.open(runDir, "feats.out--render.in"));
        String expectedPath = runDir.resolve("journals").resolve("feats.out--render.in").toString();
        assertTrue(missing.getMessage().contains(expectedPath), missing.getMessage());
        assertTrue(missing.getMessage().contains(KEY.edgeId()), "lists the journals that exist: " + missing.getMessage());
    }

    @Test
    void unknownPayloadTypeNamesTheType() {
        journalWithOneNote();
        PayloadCodecs withoutNotes = PayloadCodecs.empty().register(new TestMessages.FeatureWindowCodec());
        try (JournalReader reader = JournalReader.open(runDir, KEY.edgeId())) {
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> reader.payloads(withoutNotes, Object.class, Long.MAX_VALUE).count());
            assertTrue(unknown.getMessage().contains("'test.Note/1'"), unknown.getMessage());
        }
        try (JournalWriter writer = JournalWriter.open(runDir, KEY, withoutNotes)) {
            IllegalArgumentException unregistered = assertThrows(IllegalArgumentException.class,
                    () -> writer.append(1, new Note("y")));
            assertTrue(unregistered.getMessage().contains(Note.class.getName()), unregistered.getMessage());
        }
    }

    @Test
    void garbageInAQueueFileIsReportedByFileName() throws IOException {
        Path folder = journalWithOneNote();
        Path cycleFile;
        try (Stream<Path> files = Files.list(folder)) {
            cycleFile = files.filter(f -> f.getFileName().toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        overwriteStart(cycleFile, 4096);

        CorruptJournalException corrupt = assertThrows(CorruptJournalException.class,
                () -> JournalReader.open(runDir, KEY.edgeId()));
        assertEquals(cycleFile.getFileName().toString(), corrupt.position());
        assertTrue(corrupt.getMessage().contains(folder.toString()), corrupt.getMessage());
        assertThrows(CorruptJournalException.class, () -> JournalWriter.open(runDir, KEY, codecs));
        assertThrows(CorruptJournalException.class, () -> ResumeIndex.scan(runDir));
    }

    @Test
    void garbageMetadataFileIsReportedByFileName() throws IOException {
        Path folder = journalWithOneNote();
        overwriteStart(folder.resolve("metadata.cq4t"), 4096);

        CorruptJournalException corrupt = assertThrows(CorruptJournalException.class,
                () -> JournalReader.open(runDir, KEY.edgeId()));
        assertEquals("metadata.cq4t", corrupt.position());
    }

    @Test
    void strayQueueFileIsReportedByFileName() throws IOException {
        Path folder = journalWithOneNote();
        Files.write(folder.resolve("copy of 20260101L.cq4"), "hello".getBytes(StandardCharsets.UTF_8));

        CorruptJournalException corrupt = assertThrows(CorruptJournalException.class,
                () -> JournalReader.open(runDir, KEY.edgeId()));
        assertEquals("copy of 20260101L.cq4", corrupt.position());
        assertTrue(corrupt.getMessage().contains("unexpected queue file name"), corrupt.getMessage());
    }

    @Test
    void lengthWordPointingPastTheFileIsReportedInsteadOfFaulting() throws IOException {
        Path folder = journalWithThreeNotes();
        long header = overwriteHeaderOfSecondNote(folder, 0x7FFF_FFFF);

        CorruptJournalException corrupt = assertThrows(CorruptJournalException.class,
                () -> JournalReader.open(runDir, KEY.edgeId()));
        assertTrue(corrupt.position().endsWith(".cq4 byte " + header), corrupt.position());
        assertTrue(corrupt.getMessage().contains("past the end of the file"), corrupt.getMessage());
    }

    @Test
    void incompleteRecordFollowedByCompleteOnesIsReportedAsCorrupt() throws IOException {
        Path folder = journalWithThreeNotes();
        int notCompleteBit = 0x8000_0000;
        int length = RecordFormat.encode(noteRecord(1)).length;
        overwriteHeaderOfSecondNote(folder, notCompleteBit | length);

        try (JournalReader reader = JournalReader.open(runDir, KEY.edgeId())) {
            Iterator<JournalRecord> records = reader.iterator();
            assertEquals(0, records.next().frameIndex());
            CorruptJournalException corrupt = assertThrows(CorruptJournalException.class, records::hasNext);
            assertTrue(corrupt.position().startsWith("record #1"), corrupt.position());
            assertTrue(corrupt.getMessage().contains("the queue index lists 3 records"), corrupt.getMessage());
        }
    }

    private static Path cycleFile(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    private static long find(Path file, byte[] needle) throws IOException {
        ByteBuffer start = ByteBuffer.allocate(2 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.read(start, 0);
        }
        long at = indexOf(start.array(), needle);
        assertTrue(at > 0, "not found in " + file);
        return at;
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, at);
            channel.write(ByteBuffer.wrap(new byte[] {(byte) (one.get(0) ^ 0x10)}), at);
        }
    }

    private Path journalWithThreeNotes() {
        try (JournalWriter writer = JournalWriter.open(runDir, KEY, codecs)) {
            for (int frame = 0; frame < 3; frame++) {
                writer.append(frame, new Note("note-" + frame));
            }
            return writer.folder();
        }
    }

    private static JournalRecord noteRecord(long frame) {
        return new JournalRecord(JournalRecord.SCHEMA_VERSION, KEY.runId(), KEY.stage(), KEY.port(), frame, "test.Note/1",
                ("note-" + frame).getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces the Chronicle length word in front of note 1's record; returns its byte offset in the file. */
    private static long overwriteHeaderOfSecondNote(Path folder, int header) throws IOException {
        Path cycleFile;
        try (Stream<Path> files = Files.list(folder)) {
            cycleFile = files.filter(f -> f.getFileName().toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        JournalRecord record = noteRecord(1);
        int bytesBeforePayload = RecordFormat.encode(record).length - record.payload().length
                - RecordFormat.CHECKSUM_BYTES;
        try (FileChannel channel = FileChannel.open(cycleFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer start = ByteBuffer.allocate(2 << 20); // the index area and the first records
            channel.read(start, 0);
            long payloadAt = indexOf(start.array(), record.payload());
            assertTrue(payloadAt > 0, "note 1 not found in " + cycleFile);
            long headerAt = payloadAt - bytesBeforePayload - Integer.BYTES;
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, header), headerAt);
            return headerAt;
        }
    }

    private static long indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private Path journalWithOneNote() {
        try (JournalWriter writer = JournalWriter.open(runDir, KEY, codecs)) {
            writer.append(0, new Note("fine"));
            return writer.folder();
        }
    }

    /** A record in the documented layout with the given schema version and frame index. */
    private static byte[] recordBytes(int schemaVersion, long frameIndex) {
        ByteBuffer out = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(schemaVersion);
        for (String field : new String[] {"run-7", "audio", "samples"}) {
            putString(out, field);
        }
        out.putLong(frameIndex);
        putString(out, "test.Note/1");
        out.putInt(2).put((byte) 'h').put((byte) 'i');
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    private static void putString(ByteBuffer out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.putInt(bytes.length).put(bytes);
    }

    private static void appendRawDocument(Path folder, byte[] body) {
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(folder)
                .rollCycle(JournalFolder.ROLL_CYCLE).build();
             ExcerptAppender appender = queue.createAppender();
             DocumentContext document = appender.writingDocument()) {
            document.wire().bytes().write(body);
        }
    }

    private static void overwriteStart(Path file, int bytes) throws IOException {
        byte[] garbage = new byte[bytes];
        new Random(20261124L).nextBytes(garbage);
        // Positional write keeps the sparse queue file sparse (its apparent size is 80 MiB).
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(garbage), 0);
        }
    }

    /** Claims to read notes as feature windows: decoding a note's UTF-8 as a tensor fails. */
    private static final class MislabelledCodec implements PayloadCodec<FeatureWindow> {
        private final TestMessages.FeatureWindowCodec tensors = new TestMessages.FeatureWindowCodec();

        @Override
        public String typeName() {
            return "test.Note/1";
        }

        @Override
        public Class<FeatureWindow> type() {
            return FeatureWindow.class;
        }

        @Override
        public byte[] encode(FeatureWindow value) {
            return tensors.encode(value);
        }

        @Override
        public FeatureWindow decode(byte[] bytes) {
            return tensors.decode(bytes);
        }
    }
}
