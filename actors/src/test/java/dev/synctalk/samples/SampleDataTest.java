package dev.synctalk.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleDataTest {
    @TempDir
    Path dir;

    private static Properties properties(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void environmentVariableComesBeforeTheSharedFolderAndTheWorkingDirectory() throws Exception {
        Path own = Files.createDirectories(dir.resolve("my-samples"));
        Path shared = Files.createDirectories(dir.resolve("shared/data"));
        Path work = Files.createDirectories(dir.resolve("work"));
        SampleData samples = SampleData.locate(Map.of("SYNCTALK_SAMPLES", own.toString()),
                properties("synctalk.shared.dir", dir.resolve("shared").toString()), work);
        assertEquals(own.toAbsolutePath(), samples.searched().get(0));
        assertEquals(shared.toAbsolutePath(), samples.searched().get(1));
        assertEquals(Optional.of(own.toAbsolutePath()), samples.directory());
    }

    @Test
    void fileIsFoundInTheFirstFolderThatHoldsIt() throws Exception {
        Path own = Files.createDirectories(dir.resolve("my-samples"));
        Path shared = Files.createDirectories(dir.resolve("shared/data/models"));
        Files.writeString(shared.resolve("face_landmarker.task"), "x");
        Files.writeString(shared.getParent().resolve("test.wav"), "shared");
        Files.writeString(own.resolve("test.wav"), "own");
        SampleData samples = SampleData.locate(Map.of("SYNCTALK_SAMPLES", own.toString()),
                properties("synctalk.shared.dir", dir.resolve("shared").toString()), dir);
        assertEquals("own", Files.readString(samples.require("test.wav")));
        assertEquals(shared.resolve("face_landmarker.task").toAbsolutePath(), samples.require("models/face_landmarker.task"));
    }

    @Test
    void workingDirectorysSiblingSharedFolderIsFoundWithoutConfiguration() throws Exception {
        Path data = Files.createDirectories(dir.resolve("shared/data"));
        Files.writeString(data.resolve("hdtf_aoc.mp4"), "v");
        Path worktree = Files.createDirectories(dir.resolve("worktree"));
        SampleData samples = SampleData.locate(Map.of(), properties(), worktree);
        assertEquals(data.resolve("hdtf_aoc.mp4").toAbsolutePath(), samples.find("hdtf_aoc.mp4").orElseThrow());
    }

    @Test
    void missingFileIsNamedWithTheFoldersSearchedAndWhatToSet() {
        SampleData samples = SampleData.locate(Map.of(), properties("synctalk.home", dir.resolve("dist").toString()),
                dir.resolve("clone"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> samples.require("test.wav"));
        assertTrue(e.getMessage().contains("sample file test.wav not found"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("shared/data").toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("SYNCTALK_SAMPLES"), e.getMessage());
        assertTrue(samples.directory().isEmpty());
    }
}
