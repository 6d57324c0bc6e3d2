package dev.synctalk.expression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.features.NpyFile;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.Python;
import dev.synctalk.testing.TestStageContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpressionStageTest {
    @TempDir
    Path runDir;

    private Stage stage(TestStageContext context, Path model, Map<String, Object> more) throws Exception {
        Map<String, Object> overrides = new HashMap<>(more);
        overrides.put("model", model);
        return new ExpressionStage.Type().create(Configs.of(ExpressionStage.Config.class, overrides), context);
    }

    private Path bsNpy() {
        return runDir.resolve("outputs").resolve("bs.npy");
    }

    /** Reads a float64 [N, 52] .npy as numpy.save writes it, checking the header. */
    private static double[][] readFloat64Rows(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': ("), header);
        assertEquals(0, (10 + headerLength) % 64, "data aligned to 64 bytes");
        int rows = Integer.parseInt(header.replaceAll(".*'shape': \\((\\d+), 52\\).*\\n", "$1").trim());
        ByteBuffer data = ByteBuffer.wrap(bytes, 10 + headerLength, bytes.length - 10 - headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(rows * 52L * 8, data.remaining());
        double[][] out = new double[rows][52];
        for (double[] row : out) {
            for (int c = 0; c < 52; c++) {
                row[c] = data.getDouble();
            }
        }
        return out;
    }

    @Test
    void bsNpyHas52ColumnsWithDroppedNeutralAndTrailingZero() throws Exception {
        List<FaceLandmarks> track = SampleLandmarks.hdtfAoc();
        TestStageContext context = new TestStageContext("expression", runDir);
        List<ExpressionCoeffs> emitted;
        try (Stage stage = stage(context, SampleLandmarks.task(), Map.of())) {
            assertTrue(((ExpressionStage) stage).usesNetwork());
            emitted = Collected.run(stage, "landmarks", track, "coefficients", ExpressionCoeffs.class);
        }
        double[][] bs = readFloat64Rows(bsNpy());
        assertEquals(track.size(), bs.length);
        // Independently: network scores, drop _neutral, append 0, smooth every column.
        float[][] raw = SampleLandmarks.hdtfAocScores().toArray(new float[0][]);
        SavitzkyGolay filter = new SavitzkyGolay(5, 3);
        for (int c = 0; c < 52; c++) {
            double[] column = new double[raw.length];
            for (int t = 0; t < raw.length; t++) {
                column[t] = c < 51 ? raw[t][c + 1] : 0;
            }
            double[] smoothed = filter.smooth(column);
            for (int t = 0; t < raw.length; t++) {
                assertEquals((float) smoothed[t], bs[t][c], 0.0, "bs.npy [" + t + ", " + c + "]");
            }
        }
        for (double[] row : bs) {
            assertEquals(0.0, row[51], "trailing padding column");
        }
        assertEquals("browDownLeft", ExpressionCoeffs.COLUMN_NAMES.get(0));
        assertEquals("eyeBlinkLeft", ExpressionCoeffs.COLUMN_NAMES.get(8));
        assertEquals("eyeBlinkRight", ExpressionCoeffs.COLUMN_NAMES.get(9));
        // What the stage emitted is what it wrote; core7 is columns 0-4, 8, 9.
        assertEquals(track.size(), emitted.size());
        for (int t = 0; t < emitted.size(); t++) {
            ExpressionCoeffs e = emitted.get(t);
            assertEquals(t, e.frameIndex());
            for (int c = 0; c < 52; c++) {
                assertEquals(bs[t][c], e.blendshapes52()[c], 0.0);
            }
            assertArrayEquals(new float[] {e.blendshapes52()[0], e.blendshapes52()[1], e.blendshapes52()[2],
                e.blendshapes52()[3], e.blendshapes52()[4], e.blendshapes52()[8], e.blendshapes52()[9]}, e.core7());
        }
        matchesSyncTalkProcessingInNumpy(raw);
        // The plot for a person: a PNG of the 7 core tracks, also kept under target/ to look at.
        Path plot = runDir.resolve("outputs").resolve("expression_core.png");
        assertEquals(7 * 70 + 50, javax.imageio.ImageIO.read(plot.toFile()).getHeight(), "one lane per core coefficient");
        Files.createDirectories(Path.of("target"));
        Files.copy(plot, Path.of("target", "expression_core_hdtf_aoc.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** SyncTalk's own steps in numpy/scipy on the same raw scores must give the same bs.npy. */
    private void matchesSyncTalkProcessingInNumpy(float[][] raw) throws Exception {
        if (!Python.numpyAvailable()) {
            return;
        }
        float[] flat = new float[raw.length * 52];
        for (int t = 0; t < raw.length; t++) {
            System.arraycopy(raw[t], 0, flat, t * 52, 52);
        }
        Path scores = runDir.resolve("scores.npy");
        try (var out = Files.newOutputStream(scores)) {
            NpyFile.write(out, new NpyFile.Array(new int[] {raw.length, 52}, flat));
        }
        String script = String.join("\n",
                "import sys, numpy as np",
                "try:",
                "    from scipy.signal import savgol_filter",
                "except ImportError:",
                "    print('no scipy'); sys.exit(0)",
                "raw = np.load(sys.argv[1])",
                "bs = np.zeros((raw.shape[0], 52), dtype=np.float32)",
                "for k in range(raw.shape[0]):",
                "    bs[k] = np.append(raw[k][1:], 0)",
                "expected = np.zeros((bs.shape[0], bs.shape[1]))",
                "for j in range(bs.shape[1]):",
                "    expected[:, j] = savgol_filter(bs[:, j], 5, 3)",
                "ours = np.load(sys.argv[2])",
                "assert ours.dtype == np.float64 and ours.shape == expected.shape, (ours.dtype, ours.shape)",
                "print('max difference', float(np.abs(ours - expected).max()))",
                "sys.exit(0 if np.abs(ours - expected).max() < 1e-6 else 3)");
        Process p = new ProcessBuilder("python3", "-c", script, scores.toString(), bsNpy().toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python timed out");
        System.out.println("numpy/scipy cross-check of bs.npy: " + output.trim());
        assertEquals(0, p.exitValue(), output);
    }

    @Test
    void coefficientsStreamTwoFramesBehindAndEqualTheWrittenTrack() throws Exception {
        List<FaceLandmarks> track = SampleLandmarks.hdtfAoc().subList(0, 12);
        TestStageContext context = new TestStageContext("expression", runDir);
        Collected<ExpressionCoeffs> out = new Collected<>("coefficients", ExpressionCoeffs.class);
        try (Stage stage = stage(context, SampleLandmarks.task(), Map.of())) {
            for (int k = 0; k < track.size(); k++) {
                stage.process(Inputs.single("landmarks", track.get(k)), out);
                // A full window (5 frames) must have arrived; then frame k - 2 is final.
                assertEquals(k + 1 < 5 ? 0 : k - 1, out.messages.size(), "emitted after frame " + k);
            }
            stage.finish(out);
        }
        assertEquals(12, out.messages.size());
        double[][] bs = readFloat64Rows(bsNpy());
        for (int t = 0; t < 12; t++) {
            assertEquals(t, out.messages.get(t).frameIndex());
            for (int c = 0; c < 52; c++) {
                assertEquals(bs[t][c], out.messages.get(t).blendshapes52()[c], 0.0, "frame " + t + " column " + c);
            }
        }
        assertEquals(12, context.progressAdvanced);
    }

    @Test
    void fallbackIsUsedWithWarningWhenNetworkMissing() throws Exception {
        List<FaceLandmarks> track = SampleLandmarks.hdtfAoc();
        TestStageContext context = new TestStageContext("expression", runDir);
        Path absent = runDir.resolve("models/face_landmarker.task");
        Collected<ExpressionCoeffs> out = new Collected<>("coefficients", ExpressionCoeffs.class);
        try (Stage stage = stage(context, absent, Map.of())) {
            assertFalse(((ExpressionStage) stage).usesNetwork());
            for (FaceLandmarks f : track) {
                stage.process(Inputs.single("landmarks", f), out);
            }
            assertEquals(0, out.messages.size(), "per-video normalisation waits for the whole track");
            stage.finish(out);
        }
        assertEquals(1, context.warnings().size(), context.warnings().toString());
        String warning = context.warnings().get(0);
        assertTrue(warning.contains(absent.toAbsolutePath().toString()) && warning.contains("landmark geometry"), warning);
        assertEquals(track.size(), out.messages.size());
        double[][] bs = readFloat64Rows(bsNpy());
        double maxBlink = 0;
        for (double[] row : bs) {
            for (int c = 0; c < 52; c++) {
                boolean core = c <= 4 || c == 8 || c == 9;
                if (!core) {
                    assertEquals(0.0, row[c], "non-core column " + c + " stays 0 in the fallback");
                }
            }
            maxBlink = Math.max(maxBlink, Math.min(row[8], row[9]));
        }
        assertTrue(maxBlink > 0.5, "she blinks in the sample: max smoothed eyeBlink " + maxBlink);
    }

    @Test
    void requireNetworkRefusesTheFallback() {
        Path absent = runDir.resolve("absent.task");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stage(
                new TestStageContext("expression", runDir), absent, Map.of("requireNetwork", true)));
        assertTrue(e.getMessage().contains("absent.task") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void framesOutOfOrderAreRejectedNamingTheFrames() throws Exception {
        List<FaceLandmarks> track = synthetic(4, 21);
        try (Stage stage = stage(new TestStageContext("expression", runDir), runDir.resolve("absent.task"), Map.of())) {
            Collected<ExpressionCoeffs> out = new Collected<>("coefficients", ExpressionCoeffs.class);
            stage.process(Inputs.single("landmarks", track.get(0)), out);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> stage.process(Inputs.single("landmarks", track.get(2)), out));
            assertTrue(e.getMessage().contains("frame 2 arrived, expected frame 1"), e.getMessage());
        }
    }

    @Test
    void trackShorterThanTheWindowIsWrittenUnsmoothedWithAWarning() throws Exception {
        TestStageContext context = new TestStageContext("expression", runDir);
        List<ExpressionCoeffs> out;
        try (Stage stage = stage(context, runDir.resolve("absent.task"), Map.of())) {
            out = Collected.run(stage, "landmarks", synthetic(3, 5), "coefficients", ExpressionCoeffs.class);
        }
        assertEquals(3, out.size());
        assertEquals(3, readFloat64Rows(bsNpy()).length);
        assertTrue(context.warnings().stream().anyMatch(w -> w.contains("fewer than the smoothing window")),
                context.warnings().toString());
    }

    @Test
    void noLandmarksMeansNoBsNpy() throws Exception {
        try (Stage stage = stage(new TestStageContext("expression", runDir), runDir.resolve("absent.task"), Map.of())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> stage.finish(new Collected<>("coefficients", ExpressionCoeffs.class)));
            assertTrue(e.getMessage().contains("no landmarks arrived"), e.getMessage());
        }
        assertFalse(Files.exists(bsNpy()));
    }

    @Test
    void codecRoundTripsCoefficients() {
        float[] row = new float[52];
        for (int c = 0; c < 51; c++) {
            row[c] = c / 100f;
        }
        ExpressionCoeffs coeffs = ExpressionCoeffs.ofRow(17, row);
        ExpressionCoeffsCodec codec = new ExpressionCoeffsCodec();
        assertEquals(coeffs, codec.decode(codec.encode(coeffs)));
        assertArrayEquals(new float[] {0, 0.01f, 0.02f, 0.03f, 0.04f, 0.08f, 0.09f}, coeffs.core7());
        assertArrayEquals(new int[] {52}, coeffs.shape());
    }

    /** Random but face-like landmark sets (seeded); only the fallback's geometry reads them. */
    private static List<FaceLandmarks> synthetic(int frames, long seed) {
        Random random = new Random(seed);
        List<FaceLandmarks> out = new ArrayList<>();
        for (int t = 0; t < frames; t++) {
            float[] points = new float[FaceLandmarks.COUNT * 3];
            for (int i = 0; i < points.length; i++) {
                points[i] = 100 + 300 * random.nextFloat();
            }
            out.add(new FaceLandmarks(t, 512, 512, points, 1f, false));
        }
        return out;
    }
}
