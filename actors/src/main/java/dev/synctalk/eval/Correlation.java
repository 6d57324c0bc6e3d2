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
        int n = 0;
        double sa = 0;
        double sb = 0;
        for (int t = 0; t < b.length; t++) {
            int s = t + lag;
            if (s >= 0 && s < a.length && Double.isFinite(a[s]) && Double.isFinite(b[t])) {
                n++;
                sa += a[s];
                sb += b[t];
            }
        }
        if (n < MIN_PAIRS) {
            throw new UndefinedMetricException("correlation needs at least " + MIN_PAIRS + " frames with both values, has "
                    + n);
        }
        double ma = sa / n;
        double mb = sb / n;
        double cov = 0;
        double va = 0;
        double vb = 0;
        for (int t = 0; t < b.length; t++) {
            int s = t + lag;
            if (s >= 0 && s < a.length && Double.isFinite(a[s]) && Double.isFinite(b[t])) {
                double da = a[s] - ma;
                double db = b[t] - mb;
                cov += da * db;
                va += da * da;
                vb += db * db;
            }
        }
        if (va == 0 || vb == 0) {
            throw new UndefinedMetricException("correlation of a constant series is undefined (" + (va == 0 ? "first"
                    : "second") + " series constant over " + n + " frames)");
        }
        return cov / Math.sqrt(va * vb);
    }
}
