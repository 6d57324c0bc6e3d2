package dev.synctalk.dataset;

import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The ori_imgs/N.lms files: one "x y" line per landmark in pixels, as np.savetxt(..., '%f') writes them. */
public final class Landmarks {
    private Landmarks() {
    }

    /** Points as [count][2] (x, y). */
    public static float[][] read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "landmark file missing");
        }
        List<float[]> points = new ArrayList<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            lineNumber++;
            String trimmed = line.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String[] parts = trimmed.split("\\s+");
            if (parts.length != 2) {
                throw new IOException(file + ":" + lineNumber + ": expected 'x y', got '" + trimmed + "'");
            }
            try {
                points.add(new float[] {Float.parseFloat(parts[0]), Float.parseFloat(parts[1])});
            } catch (NumberFormatException e) {
                throw new IOException(file + ":" + lineNumber + ": not a number in '" + trimmed + "'");
            }
        }
        return points.toArray(new float[0][]);
    }

    public static void write(Path file, float[][] points) throws IOException {
        StringBuilder out = new StringBuilder();
        for (float[] p : points) {
            out.append(String.format(Locale.ROOT, "%f %f\n", p[0], p[1]));
        }
        AtomicFiles.write(file, out.toString().getBytes(StandardCharsets.US_ASCII));
    }
}
