package dev.synctalk.gpu.cuda.conv;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import dev.synctalk.gpu.cuda.CheckResult;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.ErrorStats;
import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * The cuDNN LPIPS against the CPU {@link LpipsAlex} on random weights (AlexNet's widths) and random image
 * pairs in [-1, 1], distance and gradient w.r.t. the first image, with random upstream gradients.
 * cuDNN sums the convolutions in its own order, so the bounds are norm-wise relative errors:
 * {@value #DISTANCE_NORM_REL_ERROR} for the distances (fp32 through 5 convolutions lands near 1e-6) and
 * {@value #GRADIENT_NORM_REL_ERROR} for the gradient, looser because a last-bit difference can flip a
 * ReLU at an activation near zero or a max-pool's choice between near-equal values and so move one
 * pixel's whole gradient contribution. Any non-finite value fails. The full batch runs, then a batch of
 * 1 through the same instance, so a smaller batch after the largest is covered too.
 */
public final class LpipsParityCheck {
    public static final double DISTANCE_NORM_REL_ERROR = 1e-4;
    public static final double GRADIENT_NORM_REL_ERROR = 1e-3;

    private LpipsParityCheck() {
    }

    public static CheckResult run(CudaDevice device, long seed, int batch, int side) {
        String name = String.format(Locale.ROOT, "cuDNN LPIPS (AlexNet) distance+gradient vs CPU, %dx3x%dx%d and 1x3x%dx%d,"
                + " normRel bounds %.0e / %.0e", batch, side, side, side, side, DISTANCE_NORM_REL_ERROR,
                GRADIENT_NORM_REL_ERROR);
        try {
            SplittableRandom rng = new SplittableRandom(seed);
            LpipsAlex cpu = LpipsAlex.random(LpipsAlex.ALEXNET_CHANNELS, rng.nextLong());
            Tensor x0 = Tensor.uniform(rng, -1, 1, batch, 3, side, side);
            Tensor x1 = Tensor.uniform(rng, -1, 1, batch, 3, side, side);
            float[] gradDistance = new float[batch];
            for (int i = 0; i < batch; i++) {
                gradDistance[i] = (float) (0.5 + rng.nextDouble());
            }
            Tensor expectedGrad = Tensor.zeros(x0.shape());
            double[] expected = cpu.distanceAndGradient(x0, x1, gradDistance, expectedGrad);
            try (CudnnLpipsAlex gpu = new CudnnLpipsAlex(device, cpu, batch, side, side)) {
                float[] grad = new float[x0.size()];
                double[] actual = gpu.distanceAndGradient(x0.data(), x1.data(), gradDistance, grad, batch);
                ErrorStats distanceStats = ErrorStats.compare(toFloats(expected), toFloats(actual));
                ErrorStats gradStats = ErrorStats.compare(expectedGrad.data(), grad);
                double[] distanceOnly = gpu.distance(x0.data(), x1.data(), batch);
                distanceStats = distanceStats.merge(ErrorStats.compare(toFloats(expected), toFloats(distanceOnly)));
                int single = 3 * side * side;
                float[] grad1 = new float[single];
                double[] actual1 = gpu.distanceAndGradient(Arrays.copyOf(x0.data(), single),
                        Arrays.copyOf(x1.data(), single), new float[] {gradDistance[0]}, grad1, 1);
                distanceStats = distanceStats.merge(ErrorStats.compare(new float[] {(float) expected[0]},
                        toFloats(actual1)));
                gradStats = gradStats.merge(ErrorStats.compare(Arrays.copyOf(expectedGrad.data(), single), grad1));
                boolean ok = distanceStats.nonFinite() == 0 && gradStats.nonFinite() == 0
                        && distanceStats.normRelError() <= DISTANCE_NORM_REL_ERROR
                        && gradStats.normRelError() <= GRADIENT_NORM_REL_ERROR;
                return new CheckResult(name, ok, String.format(Locale.ROOT, "distance %s; gradient %s; d[0] cpu %.6g gpu %.6g;"
                        + " algos=%s", distanceStats, gradStats, expected[0], actual[0], gpu.algorithms()));
            }
        } catch (RuntimeException | LinkageError e) {
            return new CheckResult(name, false, "threw " + e);
        }
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
