package dev.synctalk.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetWriterReaderTest {
    @TempDir
    Path tmp;

    @Test
    void writtenDatasetReadsBackWithCameraPosesAndExpressions() throws IOException {
        SyncTalkDataset written = TinyDatasets.write(tmp.resolve("may"), 11);
        SyncTalkDataset read = DatasetReader.read(tmp.resolve("may"));

        assertEquals(CameraIntrinsics.centered(TinyDatasets.FOCAL, TinyDatasets.WIDTH, TinyDatasets.HEIGHT), read.camera());
        assertEquals(written.allFrames(), read.allFrames());
        assertEquals(TinyDatasets.poses(11), read.allFrames());
        float[] expression = read.expression(4);
        int[] columns = {0, 1, 2, 3, 4, 8, 9};
        for (int k = 0; k < 7; k++) {
            assertEquals((float) TinyDatasets.blendshape(4, columns[k]), expression[k], "coefficient " + k);
        }
        assertTrue(Files.isRegularFile(tmp.resolve("may").resolve(DatasetLayout.COMPLETE_MARKER)));
        assertFalse(Files.exists(tmp.resolve("may").resolve(DatasetLayout.INCOMPLETE_MARKER)));
        assertArrayEquals(new float[][] {{1.5f, 2.25f}, {3f, 4f}}, Landmarks.read(read.layout().landmarks(3)));
    }

    @Test
    void validationSplitIsTheLastEleventhOfTheSequence() throws IOException {
        SyncTalkDataset dataset = TinyDatasets.write(tmp.resolve("d"), 23);
        assertEquals(20, dataset.train().size());
        assertEquals(3, dataset.val().size());
        assertEquals(List.of(20, 21, 22), dataset.val().stream().map(FramePose::imageId).toList());
    }

    @Test
    void writerClosedWithoutCommitLeavesNothingBehind() throws IOException {
        Path target = tmp.resolve("half");
        try (DatasetWriter writer = DatasetWriter.create(target)) {
            TinyDatasets.fill(writer, 3, tmp.resolve("src/aud.wav"), (k, i) -> false);
        }
        assertFalse(Files.exists(target));
        assertEquals(List.of("src"), children(tmp));
    }

    @Test
    void commitWithAMissingFileNamesItAndLeavesNoCompleteDataset() throws IOException {
        Path target = tmp.resolve("broken");
        try (DatasetWriter writer = DatasetWriter.create(target)) {
            TinyDatasets.fill(writer, 5, tmp.resolve("src/aud.wav"), (kind, i) -> kind.equals("torso") && i == 3);
            DatasetException e = assertThrows(DatasetException.class,
                    () -> writer.commit(CameraIntrinsics.centered(10, 8, 6), TinyDatasets.poses(5)));
            assertTrue(e.getMessage().contains("missing 1 file(s): torso_imgs/3.png"), e.getMessage());
        }
        assertFalse(Files.exists(target));
        assertEquals(List.of("src"), children(tmp));
    }

    @Test
    void readerRefusesAFolderItsWriterIsStillFilling() throws IOException {
        try (DatasetWriter writer = DatasetWriter.create(tmp.resolve("busy"))) {
            TinyDatasets.fill(writer, 3, tmp.resolve("src/aud.wav"), (k, i) -> false);
            DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(writer.staging().root()));
            assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
        }
    }

    @Test
    void writerRefusesToOverwriteAnExistingDataset() throws IOException {
        TinyDatasets.write(tmp.resolve("d"), 2);
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> DatasetWriter.create(tmp.resolve("d")));
    }

    /** The layout data_utils/process.py writes: json.dump(indent=2), focal_len, cx, cy, no w/h, no markers. */
    @Test
    void readsADatasetWrittenByThePythonPreprocessing() throws IOException {
        Path root = pythonStyleDataset(tmp.resolve("py"), """
                {
                  "focal_len": 1200.5,
                  "cx": 225.0,
                  "cy": 225.0,
                  "frames": [
                    {
                      "img_id": 0,
                      "aud_id": 0,
                      "transform_matrix": [
                        [
                          0.9999,
                          -0.0012,
                          0.0101,
                          0.0153
                        ],
                        [0.0013, 0.9998, -0.02, -0.0051],
                        [-0.0101, 0.0201, 0.9997, 3.9123],
                        [0.0, 0.0, 0.0, 1.0]
                      ]
                    }
                  ]
                }""");
        SyncTalkDataset dataset = DatasetReader.read(root);
        assertEquals(new CameraIntrinsics(1200.5, 1200.5, 225, 225, 450, 450), dataset.camera());
        FramePose first = dataset.train().get(0);
        assertEquals(3.9123, first.matrix(2, 3));
        assertEquals(-0.0012, first.matrix(0, 1));
        assertEquals(0, first.audioId());
    }

    @Test
    void cameraAngleGivesTheFocalLengthAsTheLoaderComputesIt() throws IOException {
        Path root = pythonStyleDataset(tmp.resolve("angle"), """
                {"camera_angle_x": 0.5, "w": 512, "h": 256, "frames": [
                  {"img_id": 0, "transform_matrix": [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]}]}""");
        CameraIntrinsics camera = DatasetReader.read(root).camera();
        assertEquals(512 / (2 * Math.tan(0.25)), camera.focalX(), 1e-9);
        assertEquals(camera.focalX(), camera.focalY());
        assertEquals(256, camera.cx());
        assertEquals(128, camera.cy());
        assertEquals(0, DatasetReader.read(root).train().get(0).audioId(), "aud_id defaults to img_id");
    }

    @Test
    void malformedTransformsAreReportedWithFileAndKey() throws IOException {
        assertReadFails("""
                {"focal_len": 10, "cx": 4, "cy": 3, "frames": [
                  {"img_id": 0, "aud_id": 0, "transform_matrix": [[1,0,0,0],[0,1,0,0],[0,0,1,0]]}]}""",
                "transforms_train.json: frames[0].transform_matrix must be a 4x4 array of numbers");
        assertReadFails("""
                {"focal_len": 10, "cx": 4, "cy": 3, "frames": [{"aud_id": 0}]}""",
                "transforms_train.json: frames[0] has no 'img_id'");
        assertReadFails("""
                {"cx": 4, "cy": 3, "frames": []}""", "no focal length");
        assertReadFails("""
                {"focal_len": 10, "cx": 4, "cy": 3}""", "key 'frames' is missing");
        assertReadFails("""
                {"focal_len": 10,
                  "cx": 4 "cy": 3}""", "transforms_train.json:2:11: expected '}'");
    }

    @Test
    void missingTransformsFileIsNamed() throws IOException {
        TinyDatasets.write(tmp.resolve("d"), 11);
        Files.delete(tmp.resolve("d/transforms_val.json"));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(tmp.resolve("d")));
        assertTrue(e.getMessage().contains("transforms_val.json is missing"), e.getMessage());
    }

    @Test
    void blendshapesMustHaveARowForEveryImage() throws IOException {
        TinyDatasets.write(tmp.resolve("d"), 11);
        TinyDatasets.blendshapes(10).write(tmp.resolve("d/bs.npy"));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(tmp.resolve("d")));
        assertTrue(e.getMessage().contains("bs.npy has 10 rows but the transforms use img_id 10"), e.getMessage());
    }

    private void assertReadFails(String trainJson, String expected) throws IOException {
        Path root = pythonStyleDataset(Files.createTempDirectory(tmp, "bad"), trainJson);
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(root));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** One-frame dataset laid out by hand the way the Python tools leave it. */
    private static Path pythonStyleDataset(Path root, String trainJson) throws IOException {
        Files.createDirectories(root.resolve("ori_imgs"));
        Files.createDirectories(root.resolve("gt_imgs"));
        Files.createDirectories(root.resolve("torso_imgs"));
        Files.writeString(root.resolve("transforms_train.json"), trainJson, StandardCharsets.UTF_8);
        Files.writeString(root.resolve("transforms_val.json"), trainJson, StandardCharsets.UTF_8);
        Files.write(root.resolve("bc.jpg"), new byte[] {1});
        Files.write(root.resolve("aud.wav"), new byte[] {1});
        Files.write(root.resolve("gt_imgs/0.jpg"), new byte[] {1});
        Files.write(root.resolve("torso_imgs/0.png"), new byte[] {1});
        Files.writeString(root.resolve("ori_imgs/0.lms"), "1.000000 2.000000\n");
        TinyDatasets.blendshapes(1).write(root.resolve("bs.npy"));
        return root;
    }

    private static List<String> children(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
