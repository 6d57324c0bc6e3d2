package dev.synctalk.compute;

import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.gpu.cuda.CudaBackend;
import dev.synctalk.gpu.cuda.CudaRuntime;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.CpuBackend;

/**
 * The compute backend of a stage, from where the graph placed it: {@code device = "gpu:N"} gives the CUDA
 * backend on device N (shared with the other stages on that device, on its one thread), anything else the
 * CPU backend. Closing the backend gives the device back; the last user frees its memory.
 */
public final class StageBackends {
    private StageBackends() {
    }

    /** @param cpuThreads threads of the CPU backend; 0 or less = one per core */
    public static Backend open(StageContext context, int cpuThreads) {
        if (context.gpuDevice().isEmpty()) {
            return new CpuBackend(cpuThreads > 0 ? cpuThreads : Runtime.getRuntime().availableProcessors());
        }
        int ordinal = context.gpuDevice().get();
        if (!CudaRuntime.available()) {
            throw new IllegalStateException("stage '" + context.stageName() + "' is placed on gpu:" + ordinal
                    + " but CUDA is not available here (" + CudaRuntime.unavailableReason()
                    + "); place it on the CPU with device = \"cpu\"");
        }
        Backend backend = CudaBackend.shared(ordinal);
        context.log().info("stage '{}': {}", context.stageName(), backend.name());
        return backend;
    }
}
