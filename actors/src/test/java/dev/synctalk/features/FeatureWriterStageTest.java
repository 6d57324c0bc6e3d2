package dev.synctalk.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.audio.MelWindow;
import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.Python;
import dev.synctalk.testing.TestStageContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureWriterStageTest {
    @TempDir
    Path runDir;

    private static MelWindow window(long index) {
        float[] data = new float[80 * 16];
        for (int i = 0; i < data.length; i++) {
            data[i] = index + i / 10000f - 4f;
        }
        return new MelWindow(index, data);
    }

    private Path write(List<? extends Indexed> inputs) throws Exception {
        Stage stage = new FeatureWriterStage.Type().create(Configs.of(FeatureWriterStage.Config.class, Map.of()),
                new TestStageContext("feats", runDir));
        Collected<MelWindow> none = new Collected<>("none", MelWindow.class);
        for (Indexed message : inputs) {
            stage.process(Inputs.single("in", message), none);
        }
        stage.finish(none);
        return runDir.resolve("outputs/features.npy");
    }

    @Test
    void npyHeaderIsNumpyFormatOneZeroAlignedTo64Bytes() {
        byte[] header = NpyFile.header(new int[] {3, 80, 16});
        assertEquals(0, header.length % 64);
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(header, 8));
        int length = ByteBuffer.wrap(header, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        assertEquals(header.length - 10, length);
        String dict = new String(header, 10, length, StandardCharsets.US_ASCII);
        assertTrue(dict.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 80, 16), }"), dict);
        assertTrue(dict.endsWith("\n"));
        assertEquals("", dict.substring(dict.indexOf('}') + 1, dict.length() - 1).trim(), "padded with spaces");
        String oneDimensional = new String(NpyFile.header(new int[] {7}), StandardCharsets.US_ASCII);
        assertTrue(oneDimensional.contains("'shape': (7,), }"), oneDimensional);
    }

    @Test
    void stacksFramesInOrderAndReadsBack() throws Exception {
        Path file = write(List.of(window(1), window(0), window(2), window(1)));
        NpyFile.Array array = NpyFile.read(file);
        assertArrayEquals(new int[] {3, 80, 16}, array.shape());
        for (int row = 0; row < 3; row++) {
            assertArrayEquals(window(row).data(), Arrays.copyOfRange(array.data(), row * 1280, (row + 1) * 1280));
        }
        assertEquals(NpyFile.header(new int[] {3, 80, 16}).length + 3 * 1280 * 4, Files.size(file));
    }

    @Test
    void gapIsAnErrorNamingTheMissingFrame() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> write(List.of(window(0), window(1), window(3))));
        assertTrue(e.getMessage().contains("frame 2 is missing"), e.getMessage());
        assertTrue(Files.notExists(runDir.resolve("outputs/features.npy")), "nothing half-written");
    }

    @Test
    void conflictingDuplicateIsAnError() {
        MelWindow other = new MelWindow(1, new float[1280]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> write(List.of(window(0), window(1), other)));
        assertTrue(e.getMessage().contains("frame 1 arrived twice"), e.getMessage());
    }

    @Test
    void numpyLoadsTheFileWhenAvailable() throws Exception {
        Assumptions.assumeTrue(Python.numpyAvailable(), "python3 with numpy not available");
        Path file = write(List.of(window(0), window(1)));
        Process python = new ProcessBuilder("python3", "-c",
                "import numpy, sys; a = numpy.load(sys.argv[1]); print(a.dtype, a.shape, repr(float(a[1, 79, 15])))",
                file.toString()).redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(python.waitFor(30, TimeUnit.SECONDS));
        assertEquals("float32 (2, 80, 16) " + (double) window(1).data()[1279], output);
    }
}
