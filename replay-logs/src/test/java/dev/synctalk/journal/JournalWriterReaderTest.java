package dev.synctalk.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

import dev.synctalk.journal.TestMessages.FeatureWindow;
import dev.synctalk.journal.TestMessages.ImageFrame;
import dev.synctalk.journal.TestMessages.Note;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalWriterReaderTest {

    private static final JournalKey FEATURES = new JournalKey("run-1", "mel.windows--feats.in", "mel", "windows");

    @TempDir
    Path runDir;

    private final PayloadCodecs codecs = TestMessages.codecs();

    @Test
    void recordsRoundTripWithAllFields() {
        FeatureWindow window = TestMessages.featureWindow(0, 16, 29);
        ImageFrame image = TestMessages.image(7, 4, 5);
        Note note = new Note("première note");
        try (JournalWriter writer = JournalWriter.open(runDir, FEATURES, codecs)) {
            writer.append(0, window);
            writer.append(1, image);
            writer.append(1, note);
            assertEquals(3, writer.count());
            assertEquals(1, writer.lastIndex());
        }

        try (JournalReader reader = JournalReader.open(runDir, FEATURES.edgeId())) {
            List<JournalRecord> records = new ArrayList<>();
            reader.forEach(records::add);

            assertEquals(3, records.size());
            assertEquals(new JournalRecord(JournalRecord.SCHEMA_VERSION, "run-1", "mel", "windows", 0, "test.FeatureWindow/1",
                    new TestMessages.FeatureWindowCodec().encode(window)), records.get(0));
            assertEquals(new JournalRecord(JournalRecord.SCHEMA_VERSION, "run-1", "mel", "windows", 1, "test.ImageFrame/1",
                    new TestMessages.ImageFrameCodec().encode(image)), records.get(1));
            assertEquals(new JournalRecord(JournalRecord.SCHEMA_VERSION, "run-1", "mel", "windows", 1, "test.Note/1",
                    note.text().getBytes(StandardCharsets.UTF_8)), records.get(2));

            assertEquals(window, codecs.forName(records.get(0).payloadType()).decode(records.get(0).payload()));
            assertEquals(image, codecs.forName(records.get(1).payloadType()).decode(records.get(1).payload()));
            assertEquals(note, codecs.forName(records.get(2).payloadType()).decode(records.get(2).payload()));
            assertEquals(1, reader.lastIndex());
        }
    }

    @Test
    void payloadsStopAfterTheRequestedFrame() {
        try (JournalWriter writer = JournalWriter.open(runDir, FEATURES, codecs)) {
            for (int frame = 0; frame < 10; frame++) {
                writer.append(frame, TestMessages.featureWindow(frame, 2, 3));
            }
        }
        try (JournalReader reader = JournalReader.open(runDir, FEATURES.edgeId())) {
            List<FeatureWindow> upToFour = reader.payloads(codecs, FeatureWindow.class, 4).collect(Collectors.toList());
            List<FeatureWindow> expected = new ArrayList<>();
            for (int frame = 0; frame <= 4; frame++) {
                expected.add(TestMessages.featureWindow(frame, 2, 3));
            }
            assertEquals(expected, upToFour);
            assertEquals(10, reader.payloads(codecs, Object.class, Long.MAX_VALUE).count());
            IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                    () -> reader.payloads(codecs, Note.class, 4).findFirst());
            assertTrue(wrongType.getMessage().contains("test.FeatureWindow/1"), wrongType.getMessage());
        }
    }

    @Test
    void lastIndexSurvivesReopen() {
        try (JournalWriter writer = JournalWriter.open(runDir, FEATURES, codecs)) {
            assertEquals(-1, writer.lastIndex());
            for (int frame = 0; frame < 5; frame++) {
                writer.append(frame * 2L, new Note("frame " + frame));
            }
        }
        try (JournalWriter reopened = JournalWriter.open(runDir, FEATURES, codecs)) {
            assertEquals(8, reopened.lastIndex());
            assertEquals(5, reopened.count());
        }
        try (JournalReader reader = JournalReader.open(runDir, FEATURES.edgeId())) {
            assertEquals(8, reader.lastIndex());
        }
    }

    @Test
    void appendAfterReopenContinues() {
        try (JournalWriter writer = JournalWriter.open(runDir, FEATURES, codecs)) {
            writer.append(0, new Note("a"));
            writer.append(1, new Note("b"));
        }
        try (JournalWriter writer = JournalWriter.open(runDir, FEATURES, codecs)) {
            IllegalArgumentException backwards = assertThrows(IllegalArgumentException.class,
                    () -> writer.append(0, new Note("again")));
            assertTrue(backwards.getMessage().contains("frame index 0") && backwards.getMessage().contains("frame 1"),
                    backwards.getMessage());
            writer.append(2, new Note("c"));
            assertEquals(3, writer.count());
            assertEquals(2, writer.lastIndex());
        }
        try (JournalReader reader = JournalReader.open(runDir, FEATURES.edgeId())) {
            List<String> texts = reader.payloads(codecs, Note.class, Long.MAX_VALUE).map(Note::text)
                    .collect(Collectors.toList());
            assertEquals(List.of("a", "b", "c"), texts);
        }
    }

    @Test
    void readerSeesRecordsOfAWriterThatIsStillOpen() {
        try (JournalWriter writer = JournalWriter.open(runDir, FEATURES, codecs);
             JournalReader reader = JournalReader.open(runDir, FEATURES.edgeId())) {
            assertEquals(-1, reader.lastIndex());
            writer.append(3, new Note("live"));
            assertEquals(3, reader.lastIndex());
            assertEquals(1, reader.payloads(codecs, Note.class, Long.MAX_VALUE).count());
        }
    }

    @Test
    void videoFrameSizedPayloadFitsInOneRecord() {
        ImageFrame frame = TestMessages.image(42, 512, 512);
        try (JournalWriter writer = JournalWriter.open(runDir, FEATURES, codecs)) {
            for (int i = 0; i < 3; i++) {
                writer.append(i, frame);
            }
        }
        try (JournalReader reader = JournalReader.open(runDir, FEATURES.edgeId())) {
            List<ImageFrame> frames = reader.payloads(codecs, ImageFrame.class, Long.MAX_VALUE)
                    .collect(Collectors.toList());
            assertEquals(3, frames.size());
            frames.forEach(f -> assertEquals(frame, f));
        }
    }

    @Test
    void payloadLargerThanOneRecordIsRejectedWithoutWritingIt() {
        int side = 2400; // 2400 x 2400 x 3 bytes = 16.5 MiB, above the 16 MiB record limit
        try (JournalWriter writer = JournalWriter.open(runDir, FEATURES, codecs)) {
            IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                    () -> writer.append(0, TestMessages.image(1, side, side)));
            assertTrue(tooLarge.getMessage().contains("frame 0") && tooLarge.getMessage().contains(FEATURES.edgeId()),
                    tooLarge.getMessage());
            writer.append(0, new Note("after the rejected frame"));
            assertEquals(1, writer.count());
        }
    }

    @Test
    void recordBytesFollowTheDocumentedLittleEndianLayoutAndEndInTheirChecksum() throws IOException {
        byte[] payload = {1, 2, 3};
        try (JournalWriter writer = JournalWriter.open(runDir, FEATURES, PayloadCodecs.empty().register(new RawCodec()))) {
            writer.append(0x0102030405L, payload);
        }
        byte[] document = readOnlyDocument(JournalFolder.of(runDir, FEATURES.edgeId()));
        ByteBuffer in = TestMessages.littleEndian(document);
        assertEquals(2, in.getInt());
        assertEquals("run-1", string(in));
        assertEquals("mel", string(in));
        assertEquals("windows", string(in));
        assertEquals(0x0102030405L, in.getLong());
        assertEquals("test.Raw/1", string(in));
        assertEquals(3, in.getInt());
        byte[] payloadRead = new byte[3];
        in.get(payloadRead);
        assertArrayEquals(payload, payloadRead);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(document, 0, document.length - 4);
        assertEquals((int) crc.getValue(), in.getInt(), "CRC-32C of every byte before it");
        assertEquals(0, in.remaining());
    }

    @Test
    void descriptorNamesTheEdgeWithoutOpeningTheQueue() throws IOException {
        try (JournalWriter writer = JournalWriter.open(runDir, FEATURES, codecs)) {
            assertEquals(runDir.resolve("journals").resolve("mel.windows--feats.in"), writer.folder());
        }
        Properties descriptor = new Properties();
        try (InputStream in = Files.newInputStream(runDir.resolve("journals/mel.windows--feats.in/journal.properties"))) {
            descriptor.load(in);
        }
        assertEquals(Integer.toString(JournalRecord.SCHEMA_VERSION), descriptor.getProperty("schemaVersion"));
        assertEquals("run-1", descriptor.getProperty("runId"));
        assertEquals("mel.windows--feats.in", descriptor.getProperty("edgeId"));
        assertEquals("mel", descriptor.getProperty("stage"));
        assertEquals("windows", descriptor.getProperty("port"));
        assertTrue(descriptor.getProperty("createdAt").matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), descriptor.getProperty("createdAt"));
    }

    @Test
    void edgeIdsWithUnsafeCharactersGetSafeDistinctFolders() {
        assertEquals("mel.windows--feats.in", JournalFolder.folderName("mel.windows--feats.in"));
        String slashed = JournalFolder.folderName("../a/b");
        String underscored = JournalFolder.folderName("_2E._2E_2Fa_2Fb");
        assertEquals("_2E._2Fa_2Fb", slashed);
        assertTrue(!slashed.equals(underscored));
        assertEquals("../a/b", JournalFolder.edgeIdOf(slashed));
        assertEquals("_2E._2E_2Fa_2Fb", JournalFolder.edgeIdOf(underscored));
        assertEquals("kö ln", JournalFolder.edgeIdOf(JournalFolder.folderName("kö ln")));
    }

    @Test
    void reopeningAJournalForAnotherStageIsRefused() {
        try (JournalWriter writer = JournalWriter.open(runDir, FEATURES, codecs)) {
            writer.append(0, new Note("x"));
        }
        JournalKey other = new JournalKey("run-1", FEATURES.edgeId(), "audio", "samples");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> JournalWriter.open(runDir, other, codecs));
        assertTrue(refused.getMessage().contains("stage=mel"), refused.getMessage());
    }

    private static String string(ByteBuffer in) {
        byte[] bytes = new byte[in.getInt()];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The single document of a journal, read with plain Chronicle so the layout is checked independently. */
    private static byte[] readOnlyDocument(Path folder) {
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(folder)
                .rollCycle(JournalFolder.ROLL_CYCLE).readOnly(true).build();
             ExcerptTailer tailer = queue.createTailer();
             DocumentContext document = tailer.readingDocument()) {
            assertTrue(document.isPresent());
            return document.wire().bytes().toByteArray();
        }
    }

    /** Journals byte arrays as they are. */
    private static final class RawCodec implements PayloadCodec<byte[]> {
        @Override
        public String typeName() {
            return "test.Raw/1";
        }

        @Override
        public Class<byte[]> type() {
            return byte[].class;
        }

        @Override
        public byte[] encode(byte[] value) {
            return value;
        }

        @Override
        public byte[] decode(byte[] bytes) {
            return bytes;
        }
    }
}
