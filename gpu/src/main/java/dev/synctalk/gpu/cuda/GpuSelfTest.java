package dev.synctalk.gpu.cuda;

import java.util.List;

/**
 * The GPU machine's test runner (it has no Maven or JUnit): every parity check of {@link ParityChecks}
 * on device 0, one PASS/FAIL line each with its error numbers and kernel time. Exit status 0 when all
 * pass, 1 when any fails, 2 when no GPU is usable.
 *
 * <p>Usage: {@code GpuSelfTest [--seed N]}; without a seed one is drawn from the clock and printed.
 */
public final class GpuSelfTest {

    private GpuSelfTest() {
    }

    public static void main(String[] args) {
        long seed = System.nanoTime();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seed") && i + 1 < args.length) {
                seed = Long.parseLong(args[++i]);
            } else {
                System.err.println("usage: GpuSelfTest [--seed N]");
                System.exit(64);
            }
        }
        if (!CudaRuntime.available()) {
            System.out.println("NO GPU: " + CudaRuntime.unavailableReason());
            System.exit(2);
        }
        System.out.println("driver CUDA " + CudaRuntime.driverVersion() + ", devices " + CudaRuntime.deviceCount()
                + ", seed " + seed);
        int failures;
        try (CudaDevice device = CudaRuntime.open(0)) {
            System.out.println(device + ", PTX arch "
                    + PtxResources.bestArchitecture("saxpy", device.computeCapability()).map(a -> "compute_" + a)
                    .orElse("none"));
            List<CheckResult> results = new ParityChecks(device, seed).runAll();
            results.forEach(System.out::println);
            failures = (int) results.stream().filter(r -> !r.passed()).count();
            System.out.println((failures == 0 ? "ALL PASS" : failures + " FAILED") + " (" + results.size() + " checks)");
        }
        System.exit(failures == 0 ? 0 : 1);
    }
}
