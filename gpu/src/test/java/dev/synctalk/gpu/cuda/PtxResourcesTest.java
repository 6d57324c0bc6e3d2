package dev.synctalk.gpu.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class PtxResourcesTest {

    /** Whether this build found nvcc (gpu/pom.xml, execution cuda-ptx, records it). */
    private static boolean nvccOnPath() throws IOException {
        Path info = Path.of("target/cuda-build.properties");
        assumeTrue(Files.exists(info), "not run from a Maven build of the gpu module");
        Properties properties = new Properties();
        try (var in = Files.newInputStream(info)) {
            properties.load(in);
        }
        return !properties.getProperty("nvcc", "").isBlank();
    }

    @Test
    void everyCatalogKernelIsAnEntryOfItsModulesPtxForEveryArchitecture() throws IOException {
        assumeTrue(nvccOnPath(), "nvcc not installed: the build skipped PTX");
        for (KernelRef ref : KernelCatalog.ALL) {
            for (int arch : PtxResources.ARCHITECTURES) {
                assertTrue(PtxResources.present(ref.module(), arch), "missing " + PtxResources.resourcePath(ref.module(), arch));
                byte[] ptx = PtxResources.load(ref.module(), arch);
                assertEquals(0, ptx[ptx.length - 1], "PTX must be NUL-terminated for cuModuleLoadData");
                String text = new String(ptx, 0, ptx.length - 1, StandardCharsets.US_ASCII);
                assertTrue(text.contains(".target sm_" + arch), ref + ": PTX for compute_" + arch + " targets another arch");
                assertTrue(text.contains(".entry " + ref.function() + "("), ref + " is not an entry of "
                        + PtxResources.resourcePath(ref.module(), arch));
            }
        }
    }

    @Test
    void everyCudaSourceFileHasPtx() throws Exception {
        assumeTrue(nvccOnPath(), "nvcc not installed: the build skipped PTX");
        try (var sources = Files.list(Path.of("src/main/cuda"))) {
            String[] missing = sources.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".cu"))
                    .map(name -> name.substring(0, name.length() - 3))
                    .filter(module -> PtxResources.ARCHITECTURES.stream().anyMatch(a -> !PtxResources.present(module, a)))
                    .toArray(String[]::new);
            assertArrayEquals(new String[0], missing, "modules without PTX");
        }
    }

    @Test
    void devicePicksTheNewestPtxNotAboveItsComputeCapability() throws IOException {
        assumeTrue(nvccOnPath(), "nvcc not installed: the build skipped PTX");
        assertEquals(Optional.of(90), PtxResources.bestArchitecture("blur", 90));
        assertEquals(Optional.of(90), PtxResources.bestArchitecture("blur", 120));
        assertEquals(Optional.of(75), PtxResources.bestArchitecture("blur", 86));
        assertEquals(Optional.empty(), PtxResources.bestArchitecture("blur", 70));
        assertEquals(Optional.empty(), PtxResources.bestArchitecture("no_such_module", 90));
    }
}
