package dev.synctalk.gpu.cuda;

import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.nerf.fixture.FixtureTrainingSetup;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;
import dev.synctalk.nerf.fixture.TrainingParity;

/**
 * Issue 5 item 5: the tiny head model trained on the synthetic fixture for {@value #STEPS} steps of
 * {@value #RAYS} rays on {@link CpuBackend} and on {@link CudaBackend} from one seed; both loss curves are
 * printed. Bounds: the {@value TrainingParity#MOVING_AVERAGE_STEPS}-step moving average of the loss within
 * {@value #MAX_MOVING_AVERAGE_REL_DIFF} relative at every step, and the final PSNR (mean batch PSNR of the
 * last ten steps) within {@value #MAX_FINAL_PSNR_DIFF_DB} dB. The kernels agree to about 1e-6, but the
 * differences compound through AdamW and the occupancy grid's thresholds, so the curves are expected to
 * track, not to match bit for bit.
 */
public final class TrainingParityCheck {
    public static final int STEPS = 100;
    public static final int RAYS = 1024;
    public static final double MAX_MOVING_AVERAGE_REL_DIFF = 0.05;
    public static final double MAX_FINAL_PSNR_DIFF_DB = 0.5;

    private TrainingParityCheck() {
    }

    public static CheckResult run(CudaDevice device, long seed) {
        String name = "fixture training " + STEPS + " steps x " + RAYS + " rays, CPU vs CUDA backend (mean10 loss rel <= "
                + MAX_MOVING_AVERAGE_REL_DIFF + ", final PSNR within " + MAX_FINAL_PSNR_DIFF_DB + " dB)";
        try {
            SyntheticHeadFixture fixture = FixtureTrainingSetup.fixture();
            TrainingParity.Curve cpu;
            TrainingParity.Curve gpu;
            try (CpuBackend cpuBackend = CpuBackend.withAvailableProcessors()) {
                cpu = TrainingParity.train(cpuBackend, fixture, STEPS, RAYS, seed);
            }
            try (CudaBackend cudaBackend = new CudaBackend(device, false)) {
                gpu = TrainingParity.train(cudaBackend, fixture, STEPS, RAYS, seed);
            }
            TrainingParity.Comparison c = TrainingParity.compare(cpu, gpu);
            System.out.println("training parity curves (ref = " + cpu.backend() + ", cand = " + gpu.backend() + "):");
            System.out.print(c.table(10));
            return new CheckResult(name, c.within(MAX_MOVING_AVERAGE_REL_DIFF, MAX_FINAL_PSNR_DIFF_DB), c.summary());
        } catch (RuntimeException | LinkageError e) {
            return new CheckResult(name, false, "threw " + e);
        }
    }
}
