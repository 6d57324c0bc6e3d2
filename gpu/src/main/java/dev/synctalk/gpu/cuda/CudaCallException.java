package dev.synctalk.gpu.cuda;

/**
 * A failed CUDA driver call. The message names what was being done (kernel, module, copy, allocation)
 * and the driver's result name, e.g. {@code launch of blur/blur_rows failed: CUDA_ERROR_INVALID_VALUE}.
 */
public class CudaCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String resultName;

    public CudaCallException(String operation, String resultName, Throwable cause) {
        super(operation + " failed: " + resultName, cause);
        this.resultName = resultName;
    }

    /** The driver's CUresult name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public String resultName() {
        return resultName;
    }
}
