package dev.synctalk.gpu.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CudaRuntimeTest {

    @Test
    void availabilityIsAnsweredWithoutThrowingAndStaysTheSame() {
        boolean first = CudaRuntime.available();
        assertEquals(first, CudaRuntime.available());
        if (first) {
            assertTrue(CudaRuntime.deviceCount() > 0);
            assertEquals("", CudaRuntime.unavailableReason());
        } else {
            assertFalse(CudaRuntime.unavailableReason().isBlank(), "an unavailable runtime must say why");
            assertEquals(0, CudaRuntime.deviceCount());
        }
    }

    @Test
    void openingWithoutAGpuFailsWithTheReason() {
        if (CudaRuntime.available()) {
            assertThrows(IllegalArgumentException.class, () -> CudaRuntime.open(CudaRuntime.deviceCount()));
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> CudaRuntime.open(0));
            assertTrue(e.getMessage().contains(CudaRuntime.unavailableReason()), e.getMessage());
        }
    }
}
