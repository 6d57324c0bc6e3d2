package dev.synctalk.gpu.cuda;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Every CUDA kernel against its CPU twin (bound: ParityChecks.MAX_REL_ERROR); skipped without a GPU. */
class CudaKernelParityTest {

    @Test
    void everyKernelMatchesItsCpuTwinOnFreshRandomInputs() {
        assumeTrue(CudaRuntime.available(), () -> "no GPU: " + CudaRuntime.unavailableReason());
        long seed = System.nanoTime();
        try (CudaDevice device = CudaRuntime.open(0)) {
            List<CheckResult> results = new ParityChecks(device, seed).runAll();
            assertAll(results.stream().map(r -> () -> assertTrue(r.passed(), "seed " + seed + ": " + r)));
        }
    }
}
