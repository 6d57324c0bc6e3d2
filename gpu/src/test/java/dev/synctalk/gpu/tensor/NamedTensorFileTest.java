package dev.synctalk.gpu.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamedTensorFileTest {

    @Test
    void tensorsRoundTripWithNamesShapesAndOrder(@TempDir Path dir) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b.weight", Tensor.wrap(new float[] {1f, -2.5f, 3e-7f, Float.MAX_VALUE, -0f, 6f}, 2, 3));
        tensors.put("a.scalar", Tensor.wrap(new float[] {42f}));
        tensors.put("ünïcode", Tensor.zeros(0, 4));
        Path file = dir.resolve("t.stnt");
        NamedTensorFile.write(tensors, file);
        NamedTensorFile read = NamedTensorFile.read(file);
        assertEquals(List.of("b.weight", "a.scalar", "ünïcode"), List.copyOf(read.tensors().keySet()));
        for (String name : tensors.keySet()) {
            assertArrayEquals(tensors.get(name).shape(), read.tensors().get(name).shape(), name);
            assertArrayEquals(tensors.get(name).data(), read.tensors().get(name).data(), name);
        }
    }

    @Test
    void headerAndDataAreLittleEndian(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("le.stnt");
        NamedTensorFile.write(Map.of("x", Tensor.wrap(new float[] {1.5f}, 1)), file);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals('S', b.get(0));
        assertEquals(1, b.getInt(4));     // version
        assertEquals(1, b.getInt(8));     // count
        assertEquals(1, b.getInt(12));    // name length
        assertEquals(1, b.getInt(17));    // rank
        assertEquals(1, b.getInt(21));    // extent
        assertEquals(1.5f, b.getFloat(25));
        assertEquals(29, b.capacity());
    }

    @Test
    void truncatedFilesAndWrongVersionsFailNamingTheCause(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.stnt");
        NamedTensorFile.write(Map.of("w", Tensor.zeros(4, 4)), file);
        byte[] bytes = Files.readAllBytes(file);
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> NamedTensorFile.parse(Arrays.copyOf(bytes, bytes.length - 3), "cut.stnt"));
        assertTrue(truncated.getMessage().contains("cut.stnt") && truncated.getMessage().contains("'w'"),
                truncated.getMessage());
        byte[] future = bytes.clone();
        future[4] = 9;
        IllegalArgumentException version = assertThrows(IllegalArgumentException.class,
                () -> NamedTensorFile.parse(future, "future.stnt"));
        assertTrue(version.getMessage().contains("version 9"), version.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NamedTensorFile.parse("PK\3\4xxxxxxxx".getBytes(), "zip"));
    }

    @Test
    void requireNamesTheMissingTensor() {
        NamedTensorFile file = NamedTensorFile.parse(new byte[] {'S', 'T', 'N', 'T', 1, 0, 0, 0, 0, 0, 0, 0}, "empty.stnt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> file.require("conv.weight", "empty.stnt"));
        assertTrue(e.getMessage().contains("'conv.weight'") && e.getMessage().contains("empty.stnt"), e.getMessage());
    }
}
