package dev.synctalk.face;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_dnn.Net;

/**
 * MediaPipe's face_landmarker.task bundle (a zip) opened for OpenCV DNN: the BlazeFace short-range
 * detector and the 478-point face-mesh model, loaded straight from the zip's bytes (no temporary files).
 * The blendshape model in the same zip is not loaded here: OpenCV 4.11 cannot import it.
 */
public final class FaceLandmarkerBundle implements AutoCloseable {
    public static final String DETECTOR_ENTRY = "face_detector.tflite";
    public static final String LANDMARKS_ENTRY = "face_landmarks_detector.tflite";

    private final Path taskFile;
    private final BlazeFaceDetector detector;
    private final FaceMeshLandmarker landmarker;

    private FaceLandmarkerBundle(Path taskFile, BlazeFaceDetector detector, FaceMeshLandmarker landmarker) {
        this.taskFile = taskFile;
        this.detector = detector;
        this.landmarker = landmarker;
    }

    /**
     * Opens the bundle; every failure names the file (and the zip entry when one is missing or broken).
     *
     * @param minDetectionScore BlazeFace detections scoring lower are dropped (MediaPipe's default 0.5)
     */
    public static FaceLandmarkerBundle open(Path taskFile, float minDetectionScore) throws IOException {
        if (!Files.exists(taskFile)) {
            throw new IllegalArgumentException("face landmarker model not found: " + taskFile.toAbsolutePath()
                    + " (expected MediaPipe's face_landmarker.task)");
        }
        if (!Files.isRegularFile(taskFile) || !Files.isReadable(taskFile)) {
            throw new IllegalArgumentException("face landmarker model is not a readable file: " + taskFile.toAbsolutePath());
        }
        Map<String, byte[]> entries = readEntries(taskFile);
        Net detectorNet = load(taskFile, entries, DETECTOR_ENTRY);
        Net landmarkNet = load(taskFile, entries, LANDMARKS_ENTRY);
        return new FaceLandmarkerBundle(taskFile, new BlazeFaceDetector(detectorNet, minDetectionScore),
                new FaceMeshLandmarker(landmarkNet));
    }

    private static Map<String, byte[]> readEntries(Path taskFile) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        // ZipFile reads the central directory; the .task zips store entries with padding that
        // ZipInputStream's streaming reader does not find.
        try (ZipFile zip = new ZipFile(taskFile.toFile())) {
            for (String name : new String[] {DETECTOR_ENTRY, LANDMARKS_ENTRY}) {
                ZipEntry entry = zip.getEntry(name);
                if (entry != null) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        entries.put(name, in.readAllBytes());
                    }
                }
            }
        } catch (ZipException e) {
            throw new IllegalArgumentException("face landmarker model " + taskFile.toAbsolutePath()
                    + " is not a readable .task zip: " + e.getMessage(), e);
        }
        return entries;
    }

    private static Net load(Path taskFile, Map<String, byte[]> entries, String entryName) {
        byte[] bytes = entries.get(entryName);
        if (bytes == null) {
            throw new IllegalArgumentException("face landmarker model " + taskFile.toAbsolutePath() + " has no entry "
                    + entryName + " (is it MediaPipe's face_landmarker.task?)");
        }
        Net net;
        try (BytePointer buffer = new BytePointer(bytes)) {
            net = opencv_dnn.readNetFromTFLite(buffer, bytes.length);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("OpenCV could not load " + entryName + " from " + taskFile.toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
        if (net == null || net.empty()) {
            throw new IllegalArgumentException("OpenCV loaded an empty network from " + entryName + " in "
                    + taskFile.toAbsolutePath());
        }
        return net;
    }

    public Path taskFile() {
        return taskFile;
    }

    public BlazeFaceDetector detector() {
        return detector;
    }

    public FaceMeshLandmarker landmarker() {
        return landmarker;
    }

    @Override
    public void close() {
        detector.close();
        landmarker.close();
    }
}
