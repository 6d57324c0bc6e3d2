package dev.synctalk.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import dev.synctalk.journal.TestMessages.FeatureWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalRepairTest {

    private static final JournalKey MEL = new JournalKey("run-3", "mel.windows--feats.in", "mel", "windows");
    private static final JournalKey FRAMES = new JournalKey("run-3", "decode.frames--frames.in", "decode", "frames");

    @TempDir
    Path runDir;

    private final PayloadCodecs codecs = TestMessages.codecs();

    @Test
    void tornLastRecordIsDroppedAndEveryEarlierRecordKept() throws IOException {
        write(MEL, 10);
        write(FRAMES, 4);
        tear(lastRecord(MEL));
        assertThrows(CorruptJournalException.class, () -> ResumeIndex.scan(runDir));

        List<JournalRepair.Outcome> outcomes = JournalRepair.repair(runDir, runDir.resolve("damaged"));

        JournalRepair.Outcome mel = outcomes.stream().filter(o -> o.edgeId().equals(MEL.edgeId())).findFirst().orElseThrow();
        assertTrue(mel.repaired());
        assertEquals(9, mel.keptRecords());
        assertEquals(8, mel.keptLastIndex());
        assertTrue(mel.damage().contains("at frame 9") && mel.damage().contains("checksum mismatch"), mel.damage());
        assertTrue(Files.isDirectory(mel.movedTo()), "the damaged original is kept aside: " + mel.movedTo());
        JournalRepair.Outcome frames = outcomes.stream().filter(o -> o.edgeId().equals(FRAMES.edgeId())).findFirst()
                .orElseThrow();
        assertFalse(frames.repaired(), "a sound journal is left alone");

        ResumeIndex index = ResumeIndex.scan(runDir);
        assertEquals(8, index.lastIndex(MEL.edgeId()));
        assertEquals(3, index.lastIndex(FRAMES.edgeId()));
        try (JournalReader reader = JournalReader.open(runDir, MEL.edgeId())) {
            List<FeatureWindow> kept = reader.payloads(codecs, FeatureWindow.class, Long.MAX_VALUE).toList();
            for (int frame = 0; frame < 9; frame++) {
                assertEquals(TestMessages.featureWindow(frame, 4, 8), kept.get(frame));
            }
        }
        try (JournalWriter writer = JournalWriter.open(runDir, MEL, codecs)) {
            assertEquals(8, writer.lastIndex());
            writer.append(9, TestMessages.featureWindow(9, 4, 8)); // a resume recomputes the dropped frame
        }
        assertEquals(9, ResumeIndex.scan(runDir).lastIndex(MEL.edgeId()));
    }

    private void write(JournalKey key, int records) {
        try (JournalWriter writer = JournalWriter.open(runDir, key, codecs)) {
            for (int frame = 0; frame < records; frame++) {
                writer.append(frame, TestMessages.featureWindow(frame, 4, 8));
            }
        }
    }

    private JournalScan.Entry lastRecord(JournalKey key) {
        List<JournalScan.Entry> records = new ArrayList<>(JournalScan.scan(JournalFolder.of(runDir, key.edgeId())).records());
        return records.get(records.size() - 1);
    }

    /** Zeroes the second half of a record, as a write cut off by a crash leaves it. */
    private static void tear(JournalScan.Entry record) throws IOException {
        try (FileChannel channel = FileChannel.open(record.file(), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(record.length() / 2), record.offset() + record.length() / 2);
        }
    }
}
