package dev.synctalk.gpu.tensor;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Central finite-difference gradient check for float kernels.
 *
 * <p>The objective is a scalar L computed in double from the current contents of the input array
 * (usually {@code sum(out * probe)} with a random probe, whose analytic gradient is the op's
 * backward with gradOut = probe). For each checked index i: {@code n_i = (L(x_i + eps) -
 * L(x_i - eps)) / (actual float step)}. The error reported is
 * {@code max_i |a_i - n_i| / max(1e-6, max_i (|a_i| + |n_i|))}, a relative error normalised by the
 * largest gradient so float noise on tiny entries cannot dominate. Any NaN or infinity fails.
 */
public final class GradientCheck {

    private GradientCheck() {
    }

    /** The result of comparing analytic and numeric gradients at the checked indices. */
    public record Result(double maxAbsDifference, double scale, boolean allFinite, int worstIndex) {
        public double relativeError() {
            return maxAbsDifference / Math.max(1e-6, scale);
        }
    }

    /** L = sum_i out[i] * probe[i], accumulated in double. */
    public static double weightedSum(float[] out, float[] probe) {
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            sum += (double) out[i] * probe[i];
        }
        return sum;
    }

    /** Random probe weights in [-1, 1). */
    public static float[] probe(SplittableRandom rng, int length) {
        float[] p = new float[length];
        for (int i = 0; i < length; i++) {
            p[i] = (float) (2 * rng.nextDouble() - 1);
        }
        return p;
    }

    /** All indices 0..length-1, or {@code count} distinct random ones when length is larger. */
    public static int[] indices(SplittableRandom rng, int length, int count) {
        if (length <= count) {
            int[] all = new int[length];
            for (int i = 0; i < length; i++) {
                all[i] = i;
            }
            return all;
        }
        return rng.ints(0, length).distinct().limit(count).sorted().toArray();
    }

    public static Result compare(float[] input, float[] analytic, DoubleSupplier objective, float eps, int[] indices) {
        double maxDiff = 0;
        double maxA = 0;
        double maxN = 0;
        boolean finite = true;
        int worst = -1;
        for (int i : indices) {
            float original = input[i];
            float plus = original + eps;
            float minus = original - eps;
            input[i] = plus;
            double lp = objective.getAsDouble();
            input[i] = minus;
            double lm = objective.getAsDouble();
            input[i] = original;
            double numeric = (lp - lm) / ((double) plus - (double) minus);
            double a = analytic[i];
            if (!Double.isFinite(numeric) || !Double.isFinite(a)) {
                finite = false;
                worst = i;
                continue;
            }
            double diff = Math.abs(a - numeric);
            if (diff > maxDiff) {
                maxDiff = diff;
                worst = i;
            }
            maxA = Math.max(maxA, Math.abs(a));
            maxN = Math.max(maxN, Math.abs(numeric));
        }
        return new Result(maxDiff, maxA + maxN, finite, worst);
    }

    /** Fails unless every value is finite and the relative error is below {@code tolerance}. */
    public static void assertMatches(String what, float[] input, float[] analytic, DoubleSupplier objective,
                                     float eps, int[] indices, double tolerance) {
        Result r = compare(input, analytic, objective, eps, indices);
        if (!r.allFinite()) {
            fail(what + ": non-finite gradient at index " + r.worstIndex());
        }
        assertTrue(r.scale() > 0, what + ": every checked gradient is zero, the check would prove nothing");
        assertTrue(r.relativeError() < tolerance, what + ": relative error " + r.relativeError() + " (max |a-n| "
                + r.maxAbsDifference() + " at index " + r.worstIndex() + ") exceeds " + tolerance);
    }
}
