package dev.synctalk.gpu.cuda.conv;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

import dev.synctalk.gpu.cuda.CheckResult;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudaRuntime;

class CudnnLpipsAlexTest {

    @Test
    void cudnnLpipsDistanceAndGradientMatchTheCpuLpips() {
        assumeTrue(CudaRuntime.available(), () -> "no GPU: " + CudaRuntime.unavailableReason());
        long seed = System.nanoTime();
        try (CudaDevice device = CudaRuntime.open(0)) {
            CheckResult r = LpipsParityCheck.run(device, seed, 2, 64);
            assertTrue(r.passed(), "seed " + seed + ": " + r);
        }
    }
}
