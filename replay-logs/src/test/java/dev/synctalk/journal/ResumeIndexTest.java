package dev.synctalk.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import dev.synctalk.journal.TestMessages.Note;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeIndexTest {

    @TempDir
    Path runDir;

    @Test
    void resumeIndexListsEveryEdge() {
        PayloadCodecs codecs = TestMessages.codecs();
        JournalKey mel = new JournalKey("run-3", "mel.windows--feats.in", "mel", "windows");
        JournalKey frames = new JournalKey("run-3", "decode.frames--landmarks.in", "decode", "frames");
        JournalKey empty = new JournalKey("run-3", "pose.out/debug", "pose", "out");
        try (JournalWriter melWriter = JournalWriter.open(runDir, mel, codecs);
             JournalWriter frameWriter = JournalWriter.open(runDir, frames, codecs);
             JournalWriter emptyWriter = JournalWriter.open(runDir, empty, codecs)) {
            for (int i = 0; i <= 41; i++) {
                melWriter.append(i, new Note("mel " + i));
            }
            frameWriter.append(0, TestMessages.image(1, 8, 8));
            frameWriter.append(5, TestMessages.image(2, 8, 8));
            assertEquals(0, emptyWriter.count());
        }

        ResumeIndex index = ResumeIndex.scan(runDir);

        assertEquals(Map.of(mel.edgeId(), 41L, frames.edgeId(), 5L, empty.edgeId(), -1L), index.all());
        assertEquals(41, index.lastIndex(mel.edgeId()));
        assertEquals(-1, index.lastIndex(empty.edgeId()));
        assertEquals(-1, index.lastIndex("never.journaled--x.in"));
    }

    @Test
    void runWithoutJournalsHasAnEmptyIndex() {
        ResumeIndex index = ResumeIndex.scan(runDir);
        assertTrue(index.all().isEmpty());
        assertEquals(-1, index.lastIndex("mel.windows--feats.in"));
    }
}
