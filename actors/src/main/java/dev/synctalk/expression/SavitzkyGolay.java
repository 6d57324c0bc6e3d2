package dev.synctalk.expression;

import java.util.function.IntToDoubleFunction;

/**
 * Savitzky-Golay smoothing along time as scipy.signal.savgol_filter does it with its default mode
 * 'interp': every sample at least half a window from both ends is the value at the window centre of
 * the least-squares polynomial fitted to its window; the first and last half-windows take the values
 * of one polynomial fitted to the first (last) full window. SyncTalk smooths every blendshape track
 * with window 5, order 3.
 */
public final class SavitzkyGolay {
    private final int window;
    private final int half;
    /** weights[p][j]: value at window position p of the polynomial fitted to window samples j. */
    private final double[][] weights;

    public SavitzkyGolay(int window, int order) {
        if (window < 1 || window % 2 == 0) {
            throw new IllegalArgumentException("Savitzky-Golay window must be a positive odd number, got " + window);
        }
        if (order < 0 || order >= window) {
            throw new IllegalArgumentException("Savitzky-Golay order must be in [0, window), got " + order
                    + " for window " + window);
        }
        this.window = window;
        this.half = window / 2;
        this.weights = fitWeights(window, order);
    }

    public int window() {
        return window;
    }

    /** How many samples after {@code t} must be known before {@link #smoothedAt} is final for {@code t}. */
    public int delay() {
        return half;
    }

    /** The smoothed series; it must hold at least {@link #window()} samples, as scipy requires in 'interp' mode. */
    public double[] smooth(double[] samples) {
        double[] out = new double[samples.length];
        for (int t = 0; t < samples.length; t++) {
            out[t] = smoothedAt(i -> samples[i], t, samples.length);
        }
        return out;
    }

    /**
     * The smoothed value at {@code t} of a series of {@code length} samples read through {@code sample}.
     * For {@code t < length - delay()} only samples up to {@code max(window - 1, t + delay())} are read,
     * so a stream can emit frame {@code t} once frame {@code t + delay()} (and a full window) has arrived.
     */
    public double smoothedAt(IntToDoubleFunction sample, int t, int length) {
        if (length < window) {
            throw new IllegalArgumentException("Savitzky-Golay window " + window + " needs at least " + window
                    + " samples, the series has " + length);
        }
        if (t < 0 || t >= length) {
            throw new IndexOutOfBoundsException("sample " + t + " of " + length);
        }
        int start;
        int position;
        if (t < half) {
            start = 0;
            position = t;
        } else if (t >= length - half) {
            start = length - window;
            position = t - start;
        } else {
            start = t - half;
            position = half;
        }
        double[] w = weights[position];
        double sum = 0;
        for (int j = 0; j < window; j++) {
            sum += w[j] * sample.applyAsDouble(start + j);
        }
        return sum;
    }

    /**
     * Least-squares polynomial fit over positions u = j - half (centred for conditioning): the fitted
     * values at all positions are H y with H = V (V^T V)^-1 V^T, the hat matrix.
     */
    private static double[][] fitWeights(int window, int order) {
        int half = window / 2;
        int terms = order + 1;
        double[][] v = new double[window][terms];
        for (int j = 0; j < window; j++) {
            double u = j - half;
            double power = 1;
            for (int k = 0; k < terms; k++) {
                v[j][k] = power;
                power *= u;
            }
        }
        double[][] normal = new double[terms][terms];
        for (int a = 0; a < terms; a++) {
            for (int b = 0; b < terms; b++) {
                for (int j = 0; j < window; j++) {
                    normal[a][b] += v[j][a] * v[j][b];
                }
            }
        }
        double[][] inverse = invert(normal);
        double[][] hat = new double[window][window];
        for (int p = 0; p < window; p++) {
            for (int j = 0; j < window; j++) {
                double sum = 0;
                for (int a = 0; a < terms; a++) {
                    for (int b = 0; b < terms; b++) {
                        sum += v[p][a] * inverse[a][b] * v[j][b];
                    }
                }
                hat[p][j] = sum;
            }
        }
        return hat;
    }

    /** Gauss-Jordan inversion with partial pivoting of a small symmetric positive-definite matrix. */
    private static double[][] invert(double[][] m) {
        int n = m.length;
        double[][] a = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, a[i], 0, n);
            a[i][n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            double d = a[col][col];
            for (int k = 0; k < 2 * n; k++) {
                a[col][k] /= d;
            }
            for (int r = 0; r < n; r++) {
                if (r != col && a[r][col] != 0) {
                    double f = a[r][col];
                    for (int k = 0; k < 2 * n; k++) {
                        a[r][k] -= f * a[col][k];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], n, inv[i], 0, n);
        }
        return inv;
    }
}
