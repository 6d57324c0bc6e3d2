package dev.synctalk.audio;

import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic complex FFT for any length, by recursive decimation in time over the prime factors of
 * the length (800 = 2^5 * 5^2 for the Wav2Lip STFT; radix-2 alone would not fit). Each combine step is a
 * direct DFT of size p over the sub-transforms, so the cost is O(n * sum of factors). Twiddles come from
 * one table of the full length, so results do not depend on anything but the input. Not thread-safe:
 * it keeps per-level scratch space.
 */
final class MixedRadixFft {
    private final int n;
    private final int[] factors;
    private final double[] cos;
    private final double[] sin;
    private final double[][] scratchRe;
    private final double[][] scratchIm;

    MixedRadixFft(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("FFT length must be positive, got " + n);
        }
        this.n = n;
        this.factors = primeFactors(n);
        this.cos = new double[n];
        this.sin = new double[n];
        for (int k = 0; k < n; k++) {
            double angle = 2 * Math.PI * k / n;
            cos[k] = Math.cos(angle);
            sin[k] = Math.sin(angle);
        }
        scratchRe = new double[factors.length][];
        scratchIm = new double[factors.length][];
        for (int f = 0; f < factors.length; f++) {
            scratchRe[f] = new double[factors[f]];
            scratchIm[f] = new double[factors[f]];
        }
    }

    int length() {
        return n;
    }

    /** X[k] = sum_t x[t] exp(-2 pi i k t / n); inputs are not modified. */
    void forward(double[] inRe, double[] inIm, double[] outRe, double[] outIm) {
        transform(inRe, inIm, 0, 1, n, outRe, outIm, 0, 0);
    }

    private void transform(double[] inRe, double[] inIm, int inOffset, int stride, int len,
            double[] outRe, double[] outIm, int outOffset, int level) {
        if (len == 1) {
            outRe[outOffset] = inRe[inOffset];
            outIm[outOffset] = inIm == null ? 0 : inIm[inOffset];
            return;
        }
        int p = factors[level];
        int m = len / p;
        // Sub-transform r holds the samples t = r (mod p); it lands at out[outOffset + r*m ...].
        for (int r = 0; r < p; r++) {
            transform(inRe, inIm, inOffset + r * stride, stride * p, m, outRe, outIm, outOffset + r * m, level + 1);
        }
        double[] yRe = scratchRe[level];
        double[] yIm = scratchIm[level];
        int twiddleStep = n / len;
        for (int k = 0; k < m; k++) {
            for (int r = 0; r < p; r++) {
                yRe[r] = outRe[outOffset + r * m + k];
                yIm[r] = outIm[outOffset + r * m + k];
            }
            for (int q = 0; q < p; q++) {
                int bin = k + q * m;
                double sumRe = 0;
                double sumIm = 0;
                for (int r = 0; r < p; r++) {
                    int e = (int) ((long) r * bin * twiddleStep % n);
                    double wr = cos[e];
                    double wi = -sin[e];
                    sumRe += yRe[r] * wr - yIm[r] * wi;
                    sumIm += yRe[r] * wi + yIm[r] * wr;
                }
                outRe[outOffset + bin] = sumRe;
                outIm[outOffset + bin] = sumIm;
            }
        }
    }

    private static int[] primeFactors(int n) {
        List<Integer> factors = new ArrayList<>();
        int rest = n;
        for (int p = 2; (long) p * p <= rest; p++) {
            while (rest % p == 0) {
                factors.add(p);
                rest /= p;
            }
        }
        if (rest > 1) {
            factors.add(rest);
        }
        return factors.stream().mapToInt(Integer::intValue).toArray();
    }
}
