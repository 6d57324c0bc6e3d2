package dev.synctalk.compute;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.synctalk.gpu.cuda.CudaRuntime;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.testing.TestStageContext;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageBackendsTest {
    @TempDir
    Path runDir;

    @Test
    void cpuPlacedStageGetsTheCpuBackend() throws Exception {
        try (Backend backend = StageBackends.open(new TestStageContext("train", runDir), 2)) {
            assertTrue(backend.name().startsWith("cpu"), backend.name());
        }
    }

    @Test
    void gpuPlacedStageWithoutCudaFailsNamingTheStageAndTheDevice() {
        assumeFalse(CudaRuntime.available(), "this machine has CUDA");
        TestStageContext onGpu = new TestStageContext("train", runDir) {
            @Override
            public Optional<Integer> gpuDevice() {
                return Optional.of(0);
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StageBackends.open(onGpu, 2));
        assertTrue(e.getMessage().contains("'train'") && e.getMessage().contains("gpu:0")
                && e.getMessage().contains("CUDA is not available"), e.getMessage());
    }
}
