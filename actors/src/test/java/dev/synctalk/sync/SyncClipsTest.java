package dev.synctalk.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.dataset.DatasetException;
import dev.synctalk.facesync.SyncClip;
import dev.synctalk.facesync.fixture.TalkingMouthFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clip folders on disk: found at any depth, short ones skipped, loaded into crops and mel windows. */
class SyncClipsTest {

    @TempDir
    Path dir;

    @Test
    void foldersOfClipsAreSearchedAndShortClipsSkipped() throws Exception {
        Path corpus = dir.resolve("corpus");
        SyncFixtureClip.write(corpus.resolve("speaker1/clip1"), new TalkingMouthFixture(new TalkingMouthFixture.Config(22, 48, 48, 1)));
        SyncFixtureClip.write(corpus.resolve("speaker2/clip1"), new TalkingMouthFixture(new TalkingMouthFixture.Config(10, 48, 48, 2)));
        List<SyncClips.ClipFolder> skipped = new ArrayList<>();
        List<SyncClips.ClipFolder> clips = SyncClips.discover(List.of(corpus), SyncClips.DEFAULT_HOLDOUT, skipped::add);
        assertEquals(1, clips.size());
        assertTrue(clips.get(0).name().endsWith("speaker1/clip1"), clips.get(0).name());
        assertEquals(22, clips.get(0).frames());
        assertEquals(20, clips.get(0).trainFrames(), "the last 1/11 held out");
        assertEquals(1, skipped.size());

        SyncClip clip = SyncClips.load(clips.get(0), 24, 48, i -> { });
        assertEquals(22, clip.frames());
        float[] mel = clip.melWindows(0, 1);
        assertEquals(80 * 16, mel.length);

        DatasetException none = assertThrows(DatasetException.class,
                () -> SyncClips.discover(List.of(corpus.resolve("speaker2")), SyncClips.DEFAULT_HOLDOUT, c -> { }));
        assertTrue(none.getMessage().contains("15 training frames"), none.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        DatasetException empty = assertThrows(DatasetException.class,
                () -> SyncClips.discover(List.of(dir.resolve("empty")), SyncClips.DEFAULT_HOLDOUT));
        assertTrue(empty.getMessage().contains(dir.resolve("empty").toString()), empty.getMessage());
    }
}
