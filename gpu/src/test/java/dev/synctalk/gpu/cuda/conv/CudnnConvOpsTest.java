package dev.synctalk.gpu.cuda.conv;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.synctalk.gpu.cuda.CheckResult;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudaRuntime;

/** The cuDNN Face-Sync ops against the CPU reference, op by op and whole steps (skipped without a GPU). */
class CudnnConvOpsTest {

    @Test
    void everyOpAndTrainingStepMatchesTheCpuReference() {
        assumeTrue(CudaRuntime.available(), () -> "no GPU: " + CudaRuntime.unavailableReason());
        long seed = System.nanoTime();
        try (CudaDevice device = CudaRuntime.open(0)) {
            List<CheckResult> results = ConvOpsParityCheck.runAll(device, seed);
            for (CheckResult r : results) {
                assertTrue(r.passed(), "seed " + seed + ": " + r);
            }
            CheckResult narrow = AveParityCheck.run(device, seed, 16, 8);
            assertTrue(narrow.passed(), "seed " + seed + ": " + narrow);
        }
    }
}
