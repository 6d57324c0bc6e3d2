package dev.synctalk.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synctalk.testing.Python;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyArrayTest {
    @TempDir
    Path tmp;

    @Test
    void float32AndFloat64ArraysRoundTripExactly() throws IOException {
        NpyArray f32 = NpyArray.ofFloats(new int[] {2, 3}, new float[] {0.1f, -2, 3.5f, 1e-7f, 0, 6});
        NpyArray f64 = new NpyArray(NpyArray.Dtype.FLOAT64, new int[] {3}, new double[] {0.1, Math.PI, -1e300});
        f32.write(tmp.resolve("a.npy"));
        f64.write(tmp.resolve("b.npy"));
        assertEquals(f32, NpyArray.read(tmp.resolve("a.npy")));
        assertEquals(f64, NpyArray.read(tmp.resolve("b.npy")));
        assertArrayEquals(new float[] {1e-7f, 0, 6}, NpyArray.read(tmp.resolve("a.npy")).row(1), 0f);
        assertEquals(0, (f32.toBytes().length - 24) % 64, "data starts on a 64-byte boundary, as numpy aligns it");
    }

    @Test
    void readsFormatVersion2Headers() throws IOException {
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n";
        ByteBuffer b = ByteBuffer.allocate(12 + header.length() + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII)).putDouble(1.25).putDouble(-4);
        Files.write(tmp.resolve("v2.npy"), b.array());
        assertArrayEquals(new double[] {1.25, -4}, NpyArray.read(tmp.resolve("v2.npy")).data());
    }

    @Test
    void unsupportedOrTruncatedFilesAreRejectedNamingTheFile() throws IOException {
        byte[] good = NpyArray.ofFloats(new int[] {2}, new float[] {1, 2}).toBytes();
        Files.write(tmp.resolve("short.npy"), java.util.Arrays.copyOf(good, good.length - 1));
        IOException e = assertThrows(IOException.class, () -> NpyArray.read(tmp.resolve("short.npy")));
        assertTrue(e.getMessage().contains("short.npy: shape [2] of <f4 needs 8 data bytes, file has 7"), e.getMessage());

        byte[] ints = new String(good, StandardCharsets.ISO_8859_1).replace("<f4", "<i4").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(tmp.resolve("ints.npy"), ints);
        e = assertThrows(IOException.class, () -> NpyArray.read(tmp.resolve("ints.npy")));
        assertTrue(e.getMessage().contains("ints.npy: dtype '<i4' is not supported"), e.getMessage());
    }

    @Test
    void numpyReadsOurFilesAndWeReadNumpys() throws Exception {
        assumeTrue(Python.numpyAvailable(), "python3 with numpy not installed");
        NpyArray ours = NpyArray.ofFloats(new int[] {2, 2}, new float[] {1.5f, -2, 0.25f, 8});
        ours.write(tmp.resolve("ours.npy"));
        String script = "import numpy as np\n"
                + "a = np.load('" + tmp.resolve("ours.npy") + "')\n"
                + "assert a.dtype == np.float32 and a.shape == (2, 2), (a.dtype, a.shape)\n"
                + "assert a.tolist() == [[1.5, -2.0], [0.25, 8.0]], a.tolist()\n"
                + "np.save('" + tmp.resolve("theirs.npy") + "', np.arange(104, dtype=np.float64).reshape(2, 52) / 8)\n";
        Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        NpyArray theirs = NpyArray.read(tmp.resolve("theirs.npy"));
        assertEquals(NpyArray.Dtype.FLOAT64, theirs.dtype());
        assertArrayEquals(new int[] {2, 52}, theirs.shape());
        assertEquals(53 / 8.0, theirs.data()[53]);
    }
}
