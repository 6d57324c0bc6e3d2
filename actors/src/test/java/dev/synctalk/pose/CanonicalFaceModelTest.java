package dev.synctalk.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanonicalFaceModelTest {
    @TempDir
    Path dir;

    @Test
    void canonicalModelHas468VerticesWithPlausibleSize() throws Exception {
        CanonicalFaceModel model = SyntheticHead.model();
        assertEquals(468, model.vertexCount());
        // Landmark 33/263: outer eye corners, 1: nose tip, 10: top of forehead, 152: chin (centimetres).
        double eyeSpan = model.vertexCm(263, 0) - model.vertexCm(33, 0);
        assertTrue(eyeSpan > 7 && eyeSpan < 11, "outer eye corners " + eyeSpan + " cm apart");
        double faceHeight = model.vertexCm(10, 1) - model.vertexCm(152, 1);
        assertTrue(faceHeight > 15 && faceHeight < 22, "forehead to chin " + faceHeight + " cm");
        assertTrue(model.vertexCm(1, 2) > model.vertexCm(33, 2), "nose tip is in front of the eyes (+z faces the viewer)");
        assertTrue(model.vertexCm(10, 1) > model.vertexCm(1, 1), "forehead above the nose (+y up)");
        assertTrue(model.vertexCm(263, 0) > 0, "the subject's left eye is at +x");
        assertEquals(model.basisIds().length, model.basisWeights().length);
        assertTrue(model.basisIds().length >= 20, "rigid basis of " + model.basisIds().length + " landmarks");
    }

    @Test
    void missingBundleIsAnErrorNamingTheFile() {
        Path absent = dir.resolve("nowhere/face_landmarker.task");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> CanonicalFaceModel.load(absent));
        assertTrue(e.getMessage().contains("face_landmarker.task"), e.getMessage());
    }

    @Test
    void bundleWithoutGeometryMetadataIsRejectedClearly() throws Exception {
        Path task = dir.resolve("other.task");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(task))) {
            zip.putNextEntry(new ZipEntry("face_detector.tflite"));
            zip.write(new byte[] {1, 2, 3});
            zip.closeEntry();
        }
        Exception e = assertThrows(java.io.IOException.class, () -> CanonicalFaceModel.load(task));
        assertTrue(e.getMessage().contains(CanonicalFaceModel.METADATA_ENTRY), e.getMessage());
    }
}
