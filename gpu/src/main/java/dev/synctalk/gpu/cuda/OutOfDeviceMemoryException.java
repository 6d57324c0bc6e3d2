package dev.synctalk.gpu.cuda;

/** The device had no room for an allocation, even after the pool returned its cached blocks. */
public final class OutOfDeviceMemoryException extends CudaCallException {
    private static final long serialVersionUID = 1L;

    public OutOfDeviceMemoryException(String operation, Throwable cause) {
        super(operation, "CUDA_ERROR_OUT_OF_MEMORY", cause);
    }
}
