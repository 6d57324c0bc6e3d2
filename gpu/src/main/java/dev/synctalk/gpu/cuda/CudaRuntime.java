package dev.synctalk.gpu.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import jcuda.driver.JCudaDriver;

/**
 * Entry point to the CUDA driver API through JCuda. {@link #available()} probes once (loads JCuda's
 * driver native, which needs libcuda.so.1, then cuInit and a device count) and never throws: machines
 * without a GPU, CI among them, get {@code false} and a reason, and GPU tests skip on it.
 */
public final class CudaRuntime {

    private record Probe(boolean available, String reason, int deviceCount, int driverVersion) {
    }

    private static Probe probe;

    private CudaRuntime() {
    }

    /** Whether a CUDA driver and at least one device are usable from this JVM. Never throws. */
    public static boolean available() {
        return probe().available();
    }

    /** Why {@link #available()} is false; empty when it is true. */
    public static String unavailableReason() {
        return probe().reason();
    }

    public static int deviceCount() {
        return probe().deviceCount();
    }

    /** The driver's CUDA version, e.g. 13000 for 13.0; 0 when unavailable. */
    public static int driverVersion() {
        return probe().driverVersion();
    }

    /**
     * Creates a context on device {@code ordinal}, current on the calling thread, which should be the one
     * thread that drives the device from then on.
     */
    public static CudaDevice open(int ordinal) {
        Probe p = probe();
        if (!p.available()) {
            throw new IllegalStateException("CUDA is not available: " + p.reason());
        }
        if (ordinal < 0 || ordinal >= p.deviceCount()) {
            throw new IllegalArgumentException("CUDA device " + ordinal + " does not exist; this machine has "
                    + p.deviceCount());
        }
        return new CudaDevice(ordinal);
    }

    private static synchronized Probe probe() {
        if (probe == null) {
            probe = runProbe();
        }
        return probe;
    }

    private static Probe runProbe() {
        String os = System.getProperty("os.name", "").toLowerCase();
        if (!os.contains("linux")) {
            return unavailable("the CUDA backend is built for Linux x86-64, this is " + os);
        }
        try {
            JCudaDriver.setExceptionsEnabled(true);
        } catch (Throwable loadFailure) {
            return unavailable("JCuda's driver native did not load (it needs libcuda.so.1 from the NVIDIA driver): "
                    + describe(loadFailure));
        }
        try {
            cuInit(0);
            int[] count = new int[1];
            cuDeviceGetCount(count);
            int[] version = new int[1];
            cuDriverGetVersion(version);
            if (count[0] == 0) {
                return unavailable("the CUDA driver reports no device");
            }
            return new Probe(true, "", count[0], version[0]);
        } catch (Throwable initFailure) {
            return unavailable("cuInit failed: " + describe(initFailure));
        }
    }

    private static Probe unavailable(String reason) {
        return new Probe(false, reason, 0, 0);
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        String firstLine = message == null ? "" : message.lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + (firstLine.isEmpty() ? "" : ": " + firstLine);
    }
}
