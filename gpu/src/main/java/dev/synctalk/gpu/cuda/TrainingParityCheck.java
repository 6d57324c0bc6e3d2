package dev.synctalk.gpu.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.Checkpoint;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.TrainStepResult;
import dev.synctalk.nerf.fixture.FixtureTrainingSetup;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;

/**
 * Issue 5 item 5, made sound (issue 8): the tiny head model on the synthetic fixture, {@value #STEPS} steps of
 * {@value #RAYS} rays, {@link HeadTrainer} on {@link CpuBackend} against the same class on {@link CudaBackend}.
 * Two free-running trajectories cannot be held to a tight bound (AdamW with betas (0, 0.99) turns every gradient
 * component whose sign flips under rounding into a +-lr difference, and the occupancy grid thresholds densities,
 * so the runs drift apart chaotically although every kernel agrees to ~1e-6; a 10-step mean loss 8.5% apart was
 * measured on the H200). What the backends can agree on is each step computed from the same state: before every
 * step the CPU trainer's state goes into the CUDA trainer through a checkpoint, both compute the step (same
 * pixels: the checkpoint carries the random state), and the loss and each group's gradient are compared; then
 * only the CPU applies its update. Bounds: loss relative {@value #LOSS_BOUND} and gradients norm-wise
 * {@value #GRADIENT_BOUND}, on steps without a grid update. Every kernel is within ~1e-6 per op, but a parameter
 * gradient is a sum over ~10^4 samples that the device adds in another order (row tiles, atomics); the sum's error
 * is ~eps sqrt(n) times the sum of the terms' magnitudes, and for the small gradients of layers whose terms mostly
 * cancel that sum is ~100x the result: ~1e-3 norm-wise (1.3e-3 measured on the H200), hence 5e-3. On update steps
 * (every 16) the new densities are compared
 * instead (norm-wise {@value #DENSITY_BOUND}), since a density a rounding away from the threshold flips a cell and
 * with it the step's samples.
 */
public final class TrainingParityCheck {
    public static final int STEPS = 100;
    public static final int RAYS = 1024;
    public static final double LOSS_BOUND = 1e-4;
    public static final double GRADIENT_BOUND = 5e-3;
    public static final double DENSITY_BOUND = 1e-5;

    private TrainingParityCheck() {
    }

    public static CheckResult run(CudaDevice device, long seed) {
        String name = "fixture training " + STEPS + " steps x " + RAYS + " rays, CPU vs CUDA backend from the same state"
                + " each step (loss rel <= " + LOSS_BOUND + ", gradients normRel <= " + GRADIENT_BOUND
                + ", grid densities normRel <= " + DENSITY_BOUND + ")";
        try {
            SyntheticHeadFixture fixture = FixtureTrainingSetup.fixture();
            Path file = Files.createTempFile("training-parity", ".ckpt");
            file.toFile().deleteOnExit();
            double worstLoss = 0;
            double worstGradient = 0;
            double worstDensity = 0;
            double firstPsnr = 0;
            double lastPsnr = 0;
            try (CpuBackend cpuBackend = CpuBackend.withAvailableProcessors();
                 CudaBackend cudaBackend = new CudaBackend(device, false)) {
                HeadTrainer cpu = FixtureTrainingSetup.newTrainer(cpuBackend, STEPS, RAYS, seed, 16, 32);
                HeadTrainer cuda = FixtureTrainingSetup.newTrainer(cudaBackend, STEPS, RAYS, seed, 16, 32);
                for (int k = 0; k < STEPS; k++) {
                    Checkpoint.write(cpu, file);
                    Checkpoint.restore(cuda, file);
                    int frame = FixtureTrainingSetup.frameOfStep(k);
                    var batchFrame = fixture.trainFrame(frame, FixtureTrainingSetup.WINDOW, frame);
                    // the legacy TrainFrame path draws pixels from the checkpointed random state: same pixels
                    HeadTrainer.ImageLoss none = null;
                    TrainStepResult c = cpu.computeGradients(pixelsBatch(cpu, batchFrame), none);
                    TrainStepResult g = cuda.computeGradients(pixelsBatch(cuda, batchFrame), none);
                    if (k % 16 == 0) {
                        ErrorStats d = ErrorStats.compare(cpu.grid().density().data(), cuda.grid().density().data());
                        worstDensity = Math.max(worstDensity, d.nonFinite() > 0 ? Double.NaN : d.normRelError());
                    } else {
                        double rel = Math.abs(g.loss() - c.loss()) / Math.abs(c.loss());
                        worstLoss = Double.isNaN(rel) ? Double.NaN : Math.max(worstLoss, rel);
                        List<ParamGroup> cg = cpu.optimizer().groups();
                        List<ParamGroup> gg = cuda.optimizer().groups();
                        for (int i = 0; i < cg.size(); i++) {
                            for (int t = 0; t < cg.get(i).grads().size(); t++) {
                                Tensor a = cg.get(i).grads().get(t);
                                Tensor b = gg.get(i).grads().get(t);
                                ErrorStats e = ErrorStats.compare(a.data(), b.data());
                                worstGradient = Math.max(worstGradient, e.nonFinite() > 0 ? Double.NaN : e.normRelError());
                            }
                        }
                    }
                    if (k == 0) {
                        firstPsnr = c.psnr();
                    }
                    lastPsnr = c.psnr();
                    cpu.applyUpdate(cpu.scheduledLearningRateFactor());
                    cuda.discardGradients();
                }
            }
            boolean pass = worstLoss <= LOSS_BOUND && worstGradient <= GRADIENT_BOUND && worstDensity <= DENSITY_BOUND;
            return new CheckResult(name, pass, String.format(Locale.ROOT, "worst loss rel %.3e, gradient normRel %.3e,"
                    + " density normRel %.3e; CPU batch PSNR %.2f -> %.2f dB", worstLoss, worstGradient, worstDensity,
                    firstPsnr, lastPsnr));
        } catch (IOException e) {
            return new CheckResult(name, false, "threw " + new UncheckedIOException(e));
        } catch (RuntimeException | LinkageError e) {
            return new CheckResult(name, false, "threw " + e);
        }
    }

    /** The trainer's own pixel draw for a frame (TrainFrame convenience path), as a ray batch. */
    private static dev.synctalk.nerf.RayBatch pixelsBatch(HeadTrainer trainer, dev.synctalk.nerf.TrainFrame frame) {
        return trainer.drawRays(frame);
    }
}
