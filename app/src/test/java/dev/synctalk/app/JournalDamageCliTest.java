package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.graph.GraphLoader;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.testing.SyntheticMedia;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes flipped in a finished run's mel journal (issue 14: replay exited 0 and wrote a different mel.npy): replay
 * and resume refuse naming edge, frame and file, status shows the damage, repair keeps every record before it,
 * and after a resume the run's outputs and a replay equal the undamaged ones.
 */
class JournalDamageCliTest {
    private static final String MEL_EDGE = "mel.windows--feats.in";

    @TempDir
    Path dir;

    private CliTest.Outcome cli(String... args) {
        return CliTest.run(Stream.concat(Stream.of(args), Stream.of("--runs-dir", dir.resolve("runs").toString()))
                .toArray(String[]::new));
    }

    @Test
    void flippedBytesInTheMelJournalAreRefusedUntilRepairedAndResumed() throws Exception {
        Path clip = SyntheticMedia.clip(dir.resolve("clip.mp4"), 50, 16000, 440);
        Map<String, byte[]> original;
        try (Engine engine = Engine.builder().runsDir(dir.resolve("runs")).build()) {
            Map<String, String> overrides = Map.of("video", clip.toString());
            RunResult run = engine.start(GraphLoader.load(SampleMedia.graph("preprocess-basic.conf"), overrides),
                    "damaged-run", overrides).await(Duration.ofMinutes(2));
            assertEquals(RunState.COMPLETED, run.state(), run.error());
            original = SampleMedia.files(run.outputs());
        }
        Path journal = dir.resolve("runs/damaged-run/journals/" + MEL_EDGE);
        Path cycleFile;
        try (Stream<Path> files = Files.list(journal)) {
            cycleFile = files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        flipBytesInTheMiddleOfTheRecords(cycleFile, 64);

        CliTest.Outcome replay = cli("replay", "damaged-run", "--from", "mel", "--metrics-port", "-1", "--no-progress");
        assertNotEquals(0, replay.code(), "a damaged journal is never replayed: " + replay.out());
        assertTrue(replay.err().contains("'" + MEL_EDGE + "' at frame ") && replay.err().contains(cycleFile.toString())
                && replay.err().contains("synctalk repair damaged-run"), replay.err());

        CliTest.Outcome status = cli("status", "damaged-run");
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains(MEL_EDGE) && status.out().contains("DAMAGED")
                && status.out().contains("repair with: synctalk repair damaged-run"), status.out());

        CliTest.Outcome repair = cli("repair", "damaged-run");
        assertEquals(0, repair.code(), repair.err());
        assertTrue(repair.out().contains("journal " + MEL_EDGE + ": kept ") && repair.out().contains("damage: ")
                && repair.out().contains("journal decode.frames--frames.in: sound, 50 records"), repair.out());
        assertTrue(repair.out().contains("synctalk resume damaged-run"), repair.out());

        CliTest.Outcome resume = cli("resume", "damaged-run", "--metrics-port", "-1", "--no-progress");
        assertEquals(0, resume.code(), resume.out() + resume.err());
        Map<String, byte[]> resumed = SampleMedia.files(dir.resolve("runs/damaged-run/outputs"));
        assertEquals(original.keySet(), resumed.keySet());
        for (String file : original.keySet()) {
            assertArrayEquals(original.get(file), resumed.get(file), file);
        }
        CliTest.Outcome replayed = cli("replay", "damaged-run", "--from", "mel", "--metrics-port", "-1", "--no-progress");
        assertEquals(0, replayed.code(), replayed.err());
    }

    /** Flips {@code count} bytes a little past the middle of the written part of the file: inside records. */
    private static void flipBytesInTheMiddleOfTheRecords(Path file, int count) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 << 20);
            channel.read(head, 0);
            int end = head.position() - 1;
            while (end > 0 && head.get(end) == 0) {
                end--;
            }
            int start = (int) (end * 0.8);
            for (int i = 0; i < count; i++) {
                head.put(start + i, (byte) (head.get(start + i) ^ 0x5A));
            }
            channel.write(head.flip().position(start).limit(start + count), start);
        }
    }
}
