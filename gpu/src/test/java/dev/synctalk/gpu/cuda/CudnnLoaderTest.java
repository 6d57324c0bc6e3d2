package dev.synctalk.gpu.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class CudnnLoaderTest {

    @Test
    void withoutAnyCudnnTheErrorNamesBothVersionsAndTheDirectoriesSearched() {
        NativeLibraryLocator locator = NativeLibraryLocator.system();
        assumeTrue(locator.find("libcudnn.so.8").isEmpty() && locator.find("libcudnn.so.9").isEmpty(),
                "this machine has cuDNN");
        IllegalStateException e = assertThrows(IllegalStateException.class, CudnnLoader::load);
        assertTrue(e.getMessage().contains("libcudnn.so.8") && e.getMessage().contains("libcudnn.so.9"), e.getMessage());
        assertTrue(e.getMessage().contains(locator.directories().get(0).toString()), e.getMessage());
    }
}
