package dev.synctalk.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import dev.synctalk.journal.TestMessages.FeatureWindow;
import dev.synctalk.journal.TestMessages.Note;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded byte flips and truncations of a journal's queue file. Whatever is damaged, verification (what resume
 * and replay run first) either reports it, naming edge, frame and file, or the journal still reads back exactly;
 * reading records never returns different or fewer records without an exception; and repair keeps every record
 * that lies before the damage.
 */
@Timeout(120)
class JournalFuzzTest {

    private static final JournalKey KEY = new JournalKey("fuzz-run", "mel.windows--feats.in", "mel", "windows");
    private static final int RECORDS = 24;
    private static final long SEED = 20261204L;

    @TempDir
    Path work;

    private final PayloadCodecs codecs = TestMessages.codecs();
    private Path original;
    private List<JournalRecord> originalRecords;
    private List<JournalScan.Entry> layout;
    private Path cycleFile;
    private long dataEnd;

    @BeforeEach
    void writeJournal() throws IOException {
        Path runDir = work.resolve("original");
        try (JournalWriter writer = JournalWriter.open(runDir, KEY, codecs)) {
            for (int frame = 0; frame < RECORDS; frame++) {
                writer.append(frame, frame % 5 == 4 ? new Note("note " + frame)
                        : TestMessages.featureWindow(frame, 3 + frame % 4, 16));
            }
        }
        original = JournalFolder.of(runDir, KEY.edgeId());
        originalRecords = readAll(original);
        JournalScan.Result scan = JournalScan.scan(original);
        assertNull(scan.damage());
        layout = scan.records();
        assertEquals(RECORDS, layout.size());
        cycleFile = layout.get(0).file();
        JournalScan.Entry last = layout.get(RECORDS - 1);
        dataEnd = last.offset() + last.length();
    }

    @Test
    void flippedBytesInRecordsAreAlwaysDetectedAndRepairKeepsEveryEarlierRecord() throws IOException {
        Random random = new Random(SEED);
        for (int trial = 0; trial < 60; trial++) {
            JournalScan.Entry hit = layout.get(random.nextInt(RECORDS));
            // anywhere in the record's document: its length word, names, frame index, payload or checksum
            long at = hit.offset() - Integer.BYTES + random.nextInt(hit.length() + Integer.BYTES);
            Path folder = copyJournal("flip-record-" + trial, dataEnd);
            flip(folder, at, random);
            Damage damage = check(folder, at, "flip at byte " + at + " (record of frame " + hit.frameIndex() + ")");
            assertNotNull(damage, "a flipped byte in a record went unnoticed: byte " + at);
        }
    }

    @Test
    void flippedBytesAnywhereAreDetectedOrHarmless() throws IOException {
        Random random = new Random(SEED + 1);
        int detected = 0;
        for (int trial = 0; trial < 60; trial++) {
            long at = (long) (random.nextDouble() * dataEnd);
            Path folder = copyJournal("flip-" + trial, dataEnd);
            flip(folder, at, random);
            if (check(folder, at, "flip at byte " + at) != null) {
                detected++;
            }
        }
        System.out.printf("journal fuzz, flips anywhere in the written part: %d of 60 detected, the rest read back"
                + " unchanged%n", detected);
        assertTrue(detected > 0, "no flip was detected at all");
    }

    @Test
    void truncatedQueueFilesAreDetectedAndRepairKeepsEveryEarlierRecord() throws IOException {
        Random random = new Random(SEED + 2);
        for (int trial = 0; trial < 30; trial++) {
            // half the cuts on a document boundary, where no length word points past the end
            long at = trial % 2 == 0 ? (long) (random.nextDouble() * dataEnd)
                    : layout.get(random.nextInt(RECORDS)).offset() - Integer.BYTES;
            Path folder = copyJournal("cut-" + trial, at);
            Damage damage = check(folder, at, "cut at byte " + at);
            assertNotNull(damage, "a journal cut at byte " + at + " of " + dataEnd + " went unnoticed");
        }
    }

    /** What verification found, after checking the read path and repair against the original records. */
    private record Damage(CorruptJournalException exception) {
    }

    private Damage check(Path folder, long damagedByte, String what) {
        Path runDir = folder.getParent().getParent();
        ResumeIndex.JournalHealth health = ResumeIndex.inspect(runDir).get(0);
        List<JournalRecord> read = null;
        CorruptJournalException readFailure = null;
        try {
            read = readAll(folder);
        } catch (CorruptJournalException e) {
            readFailure = e;
        }
        if (health.sound()) {
            assertEquals(originalRecords, read, what + ": verification passed, so the records must read back unchanged");
            return null;
        }
        if (read != null) {
            assertEquals(originalRecords, read, what + ": the reader returned records that differ from those written");
        }
        CorruptJournalException damage = health.damage();
        assertTrue(damage.getMessage().contains("'" + KEY.edgeId() + "'"), "names the edge: " + damage.getMessage());
        if (damage.frameIndex() >= 0) {
            assertTrue(damage.file() != null && damage.getMessage().contains(damage.file().toString()),
                    "names the file: " + damage.getMessage());
            assertTrue(damage.getMessage().contains("frame " + damage.frameIndex()), damage.getMessage());
        }
        assertNotNull(readFailure == null ? damage : readFailure);

        List<JournalRepair.Outcome> outcomes = JournalRepair.repair(runDir, runDir.resolve("damaged"));
        assertEquals(1, outcomes.size());
        assertTrue(outcomes.get(0).repaired(), what);
        ResumeIndex repaired = ResumeIndex.scan(runDir);
        List<JournalRecord> kept = readAll(folder);
        assertEquals(originalRecords.subList(0, kept.size()), kept, what + ": repair kept records that differ");
        assertEquals(kept.isEmpty() ? -1 : kept.get(kept.size() - 1).frameIndex(), repaired.lastIndex(KEY.edgeId()));
        long before = layout.stream().filter(e -> e.offset() + e.length() <= damagedByte).count();
        assertTrue(kept.size() >= before, what + ": repair kept " + kept.size() + " records, but " + before
                + " lie before the damage");
        try (JournalWriter writer = JournalWriter.open(runDir, KEY, codecs)) {
            writer.append(writer.lastIndex() + 1, new Note("after repair"));
        }
        assertEquals(kept.size() + 1, readAll(folder).size(), "a repaired journal takes new records");
        return new Damage(damage);
    }

    private List<JournalRecord> readAll(Path folder) {
        List<JournalRecord> records = new ArrayList<>();
        try (JournalReader reader = JournalReader.openFolder(folder)) {
            reader.forEach(records::add);
            // decoding the payloads is part of reading: a codec must not accept damaged bytes either
            reader.payloads(codecs, Object.class, Long.MAX_VALUE).forEach(p -> assertTrue(
                    p instanceof FeatureWindow || p instanceof Note));
        }
        return records;
    }

    /** A copy of the journal in a run of its own; its cycle file keeps {@code keepBytes}, at its original size unless cut. */
    private Path copyJournal(String name, long keepBytes) throws IOException {
        Path folder = JournalFolder.of(work.resolve(name), KEY.edgeId());
        Files.createDirectories(folder);
        try (Stream<Path> files = Files.list(original)) {
            for (Path f : files.toList()) {
                if (!f.equals(cycleFile)) {
                    Files.copy(f, folder.resolve(f.getFileName()));
                }
            }
        }
        long size = Files.size(cycleFile);
        byte[] written = new byte[(int) Math.min(keepBytes, dataEnd)];
        try (FileChannel in = FileChannel.open(cycleFile, StandardOpenOption.READ)) {
            JournalScan.readFully(in, ByteBuffer.wrap(written), 0);
        }
        Path copy = folder.resolve(cycleFile.getFileName());
        try (RandomAccessFile out = new RandomAccessFile(copy.toFile(), "rw")) {
            out.write(written);
            // the rest stays a sparse hole, as in the original; a cut file ends where it was cut
            out.setLength(keepBytes < dataEnd ? keepBytes : size);
        }
        return folder;
    }

    private void flip(Path folder, long at, Random random) throws IOException {
        try (FileChannel channel = FileChannel.open(folder.resolve(cycleFile.getFileName()), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            JournalScan.readFully(channel, one, at);
            byte flipped = (byte) (one.get(0) ^ (1 + random.nextInt(255)));
            channel.write(ByteBuffer.wrap(new byte[] {flipped}), at);
        }
    }
}
