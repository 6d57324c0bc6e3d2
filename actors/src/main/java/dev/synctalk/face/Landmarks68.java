package dev.synctalk.face;

import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The 68 points of the dlib / iBUG 300-W layout (what face_alignment gives SyncTalk, and what LMD is
 * measured on) taken from the 478-point mesh with the commonly used MediaPipe-to-dlib correspondence
 * (as in PeizhiYan/Mediapipe_2_Dlib_Landmarks): where two mesh points are listed, their mean.
 * Index order: jaw 0-16 (from the image's left), brows 17-26, nose 27-35, eyes 36-47, mouth 48-67.
 */
public final class Landmarks68 {
    public static final int COUNT = 68;
    public static final int NOSE_TIP = 30;
    public static final int RIGHT_EYE_FIRST = 36; // subject's right eye, on the image's left
    public static final int LEFT_EYE_FIRST = 42;
    public static final int MOUTH_FIRST = 48;

    /** Mesh indices per 68-point landmark. */
    static final int[][] MESH_INDICES = {
        // jaw line
        {127}, {234}, {93}, {132, 58}, {58, 172}, {136}, {150}, {176}, {152}, {400}, {379}, {365}, {397, 288},
        {361}, {323}, {454}, {356},
        // right brow, left brow
        {70}, {63}, {105}, {66}, {107}, {336}, {296}, {334}, {293}, {300},
        // nose bridge then lower nose
        {168, 6}, {197, 195}, {5}, {4}, {75}, {97}, {2}, {326}, {305},
        // right eye, left eye (outer corner first, clockwise)
        {33}, {160}, {158}, {133}, {153}, {144}, {362}, {385}, {387}, {263}, {373}, {380},
        // outer lips, inner lips
        {61}, {39}, {37}, {0}, {267}, {269}, {291}, {321}, {314}, {17}, {84}, {91},
        {78}, {82}, {13}, {312}, {308}, {317}, {14}, {87},
    };

    private Landmarks68() {
    }

    /** The 68 (x, y) pairs in pixels, {@code float[68 * 2]}. */
    public static float[] fromMesh(FaceLandmarks mesh) {
        return fromMesh(mesh.points());
    }

    /** @param meshPoints 478 x 3 floats as in {@link FaceLandmarks#points()} */
    public static float[] fromMesh(float[] meshPoints) {
        if (meshPoints.length != FaceLandmarks.COUNT * 3) {
            throw new IllegalArgumentException("expected 478 x 3 mesh floats, got " + meshPoints.length);
        }
        float[] out = new float[COUNT * 2];
        for (int i = 0; i < COUNT; i++) {
            int[] sources = MESH_INDICES[i];
            float x = 0;
            float y = 0;
            for (int s : sources) {
                x += meshPoints[3 * s];
                y += meshPoints[3 * s + 1];
            }
            out[2 * i] = x / sources.length;
            out[2 * i + 1] = y / sources.length;
        }
        return out;
    }

    /**
     * Writes SyncTalk's {@code N.lms}: 68 lines "x y" as numpy.savetxt(..., '%f') writes them, atomically.
     */
    public static void writeLms(Path file, float[] points68) throws IOException {
        requireShape(points68, file);
        StringBuilder text = new StringBuilder(COUNT * 24);
        for (int i = 0; i < COUNT; i++) {
            text.append(String.format(Locale.ROOT, "%f %f\n", points68[2 * i], points68[2 * i + 1]));
        }
        AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads an .lms file (ours or one the Python preprocessing wrote) into {@code float[68 * 2]}. */
    public static float[] readLms(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII).stream()
                .filter(l -> !l.isBlank()).toList();
        if (lines.size() != COUNT) {
            throw new IOException(file + ": expected " + COUNT + " lines of \"x y\", found " + lines.size());
        }
        float[] out = new float[COUNT * 2];
        for (int i = 0; i < COUNT; i++) {
            String[] parts = lines.get(i).trim().split("\\s+");
            if (parts.length != 2) {
                throw new IOException(file + " line " + (i + 1) + ": expected \"x y\", found \"" + lines.get(i) + "\"");
            }
            try {
                out[2 * i] = Float.parseFloat(parts[0]);
                out[2 * i + 1] = Float.parseFloat(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException(file + " line " + (i + 1) + ": not a number pair: \"" + lines.get(i) + "\"", e);
            }
        }
        return out;
    }

    private static void requireShape(float[] points68, Path file) {
        if (points68.length != COUNT * 2) {
            throw new IllegalArgumentException(file + ": expected 68 x 2 floats, got " + points68.length);
        }
    }
}
