package dev.synctalk.face;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Landmarks68Test {

    private static FaceLandmarks numberedMesh() {
        // Point i at (i, 1000 + i): every subset point then tells which mesh points it came from.
        float[] points = new float[FaceLandmarks.COUNT * 3];
        for (int i = 0; i < FaceLandmarks.COUNT; i++) {
            points[3 * i] = i;
            points[3 * i + 1] = 1000 + i;
            points[3 * i + 2] = -i;
        }
        return new FaceLandmarks(7, 512, 512, points, 1f, false);
    }

    @Test
    void sixtyEightSubsetHasTheRightShape() {
        assertEquals(68, Landmarks68.MESH_INDICES.length);
        Set<String> distinct = new HashSet<>();
        for (int[] sources : Landmarks68.MESH_INDICES) {
            assertTrue(sources.length == 1 || sources.length == 2);
            for (int s : sources) {
                assertTrue(s >= 0 && s < 468, "mesh index " + s + " is a face point, not an iris point");
            }
            distinct.add(java.util.Arrays.toString(sources));
        }
        assertEquals(68, distinct.size(), "no two subset points come from the same mesh points");
        float[] p = Landmarks68.fromMesh(numberedMesh());
        assertEquals(136, p.length);
        assertEquals(127, p[0], 0, "jaw starts at mesh 127 (the image's left)");
        assertEquals(152, p[2 * 8], 0, "chin is mesh 152");
        assertEquals(4, p[2 * Landmarks68.NOSE_TIP], 0, "nose tip");
        assertEquals(33, p[2 * 36], 0, "outer corner of the subject's right eye");
        assertEquals(263, p[2 * 45], 0, "outer corner of the subject's left eye");
        assertEquals(61, p[2 * 48], 0, "right mouth corner");
        assertEquals(291, p[2 * 54], 0, "left mouth corner");
        assertEquals((132 + 58) / 2f, p[2 * 3], 1e-5, "paired points are averaged");
        assertEquals(1000 + (168 + 6) / 2f, p[2 * 27 + 1], 1e-4);
    }

    @Test
    void lmsFilesRoundTripInNumpysTextFormat(@TempDir Path dir) throws Exception {
        float[] p = Landmarks68.fromMesh(numberedMesh());
        Path file = dir.resolve("7.lms");
        Landmarks68.writeLms(file, p);
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        assertEquals(68, lines.size());
        assertEquals("127.000000 1127.000000", lines.get(0), "numpy.savetxt(..., '%f') layout");
        assertArrayEquals(p, Landmarks68.readLms(file), 1e-6f);
        Files.writeString(dir.resolve("bad.lms"), "1 2\n3\n");
        Exception e = assertThrows(java.io.IOException.class, () -> Landmarks68.readLms(dir.resolve("bad.lms")));
        assertTrue(e.getMessage().contains("bad.lms"), e.getMessage());
    }

    @Test
    void landmarkWriterWritesOneLmsFilePerFrame(@TempDir Path runDir) throws Exception {
        TestStageContext context = new TestStageContext("lms", runDir);
        LandmarkWriterStage.Config config = Configs.of(LandmarkWriterStage.Config.class, Map.of());
        try (var stage = new LandmarkWriterStage.Type().create(config, context)) {
            stage.process(Inputs.single("landmarks", numberedMesh()), (port, message) -> {
                throw new AssertionError("writes only");
            });
        }
        Path written = runDir.resolve("outputs/ori_imgs/7.lms");
        assertTrue(Files.isRegularFile(written), "ori_imgs/7.lms under the run's outputs");
        assertArrayEquals(Landmarks68.fromMesh(numberedMesh()), Landmarks68.readLms(written), 1e-6f);
        try (var files = Files.list(written.getParent())) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }
}
