package dev.synctalk.eval;

/** Pearson correlation of two series over the positions where both are finite (NaN marks a missing value). */
public final class Correlation {
    /** Fewest pairs a correlation is computed from. */
    public static final int MIN_PAIRS = 3;

    private Correlation() {
    }

    /**
     * @throws UndefinedMetricException with fewer than {@link #MIN_PAIRS} pairs or when either series is
     *                                  constant over them
     */
    public static double pearson(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("correlation of series of different lengths: " + a.length + " and "
                    + b.length);
        }
        return pearson(a, b, 0);
    }

    /** Correlation of a[t + lag] with b[t] over every t where both exist and are finite. */
    static double pearson(double[] a, double[] b, int lag) {
        double[] x = new double[b.length];
        double[] y = new double[b.length];
        int n = 0;
        for (int t = 0; t < b.length; t++) {
            int s = t + lag;
            if (s >= 0 && s < a.length && Double.isFinite(a[s]) && Double.isFinite(b[t])) {
                x[n] = a[s];
                y[n] = b[t];
                n++;
            }
        }
        if (n < MIN_PAIRS) {
            throw new UndefinedMetricException("correlation needs at least " + MIN_PAIRS + " frames with both values, has "
                    + n);
        }
        double mx = mean(x, n);
        double my = mean(y, n);
        double cov = 0;
        double vx = 0;
        double vy = 0;
        for (int i = 0; i < n; i++) {
            cov += (x[i] - mx) * (y[i] - my);
            vx += (x[i] - mx) * (x[i] - mx);
            vy += (y[i] - my) * (y[i] - my);
        }
        if (vx == 0 || vy == 0) {
            throw new UndefinedMetricException("correlation of a constant series is undefined (" + (vx == 0 ? "first"
                    : "second") + " series constant over " + n + " frames)");
        }
        return cov / Math.sqrt(vx * vy);
    }

    private static double mean(double[] v, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += v[i];
        }
        return sum / n;
    }
}
