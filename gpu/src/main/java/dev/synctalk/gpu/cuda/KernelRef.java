package dev.synctalk.gpu.cuda;

/**
 * Names one kernel: {@code module} is the .cu file's base name under gpu/src/main/cuda (its PTX lies at
 * /cuda/MODULE.ARCH.ptx on the classpath), {@code function} the extern "C" __global__ name in it.
 */
public record KernelRef(String module, String function) {

    public KernelRef {
        if (module == null || module.isBlank() || function == null || function.isBlank()) {
            throw new IllegalArgumentException("kernel module and function names must not be blank");
        }
    }

    @Override
    public String toString() {
        return module + "/" + function;
    }
}
