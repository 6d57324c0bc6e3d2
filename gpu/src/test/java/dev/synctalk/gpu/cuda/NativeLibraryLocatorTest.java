package dev.synctalk.gpu.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryLocatorTest {

    @Test
    void findsTheFirstDirectoryHoldingTheLibrary(@TempDir Path dir) throws IOException {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path second = Files.createDirectory(dir.resolve("second"));
        Files.writeString(second.resolve("libcudnn.so.9"), "");
        Files.writeString(first.resolve("libcudnn.so.9"), "");
        NativeLibraryLocator locator = new NativeLibraryLocator(List.of(first, second));
        assertEquals(Optional.of(first.resolve("libcudnn.so.9")), locator.find("libcudnn.so.9"));
        assertEquals(Optional.empty(), locator.find("libcudnn.so.8"));
    }
}
