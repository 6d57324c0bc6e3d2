package dev.synctalk.facesync;

/**
 * How much of a per-frame quantity (the mouth opening) a feature vector carries linearly: ridge regression
 * fitted on one set of frames, Pearson correlation between its predictions and the truth on another. The
 * features are standardised with the fitting set's mean and deviation (constant columns dropped), so one
 * ridge strength suits features of any scale; computed in double (normal equations, Cholesky).
 */
public final class LinearProbe {
    private LinearProbe() {
    }

    /**
     * Fits y ~ w . x + b on (fitX, fitY) with ridge {@code lambda} x (fitting frames) on the standardised
     * features, and returns the Pearson correlation of the predictions with testY on testX (NaN when either
     * side is constant).
     */
    public static double heldOutCorrelation(float[][] fitX, double[] fitY, float[][] testX, double[] testY,
                                            double lambda) {
        int n = fitX.length;
        int d = fitX[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (float[] row : fitX) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (float[] row : fitX) {
            for (int j = 0; j < d; j++) {
                double c = row[j] - mean[j];
                scale[j] += c * c;
            }
        }
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(scale[j] / n);
            scale[j] = sd > 1e-12 ? 1 / sd : 0;
        }
        double yMean = 0;
        for (double y : fitY) {
            yMean += y;
        }
        yMean /= n;
        double[][] a = new double[d][d];
        double[] b = new double[d];
        double[] z = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[j] = (fitX[i][j] - mean[j]) * scale[j];
            }
            double y = fitY[i] - yMean;
            for (int j = 0; j < d; j++) {
                if (z[j] == 0) {
                    continue;
                }
                b[j] += z[j] * y;
                for (int k = 0; k <= j; k++) {
                    a[j][k] += z[j] * z[k];
                }
            }
        }
        for (int j = 0; j < d; j++) {
            a[j][j] += lambda * n;
        }
        double[] w = solveSymmetric(a, b);
        double[] prediction = new double[testX.length];
        for (int i = 0; i < testX.length; i++) {
            double p = yMean;
            for (int j = 0; j < d; j++) {
                p += w[j] * (testX[i][j] - mean[j]) * scale[j];
            }
            prediction[i] = p;
        }
        return pearson(prediction, testY);
    }

    /** Solves A w = b for symmetric positive definite A given by its lower triangle (Cholesky). */
    static double[] solveSymmetric(double[][] a, double[] b) {
        int d = b.length;
        double[][] l = new double[d][d];
        for (int j = 0; j < d; j++) {
            double s = a[j][j];
            for (int k = 0; k < j; k++) {
                s -= l[j][k] * l[j][k];
            }
            l[j][j] = Math.sqrt(s);
            for (int i = j + 1; i < d; i++) {
                double t = a[i][j];
                for (int k = 0; k < j; k++) {
                    t -= l[i][k] * l[j][k];
                }
                l[i][j] = t / l[j][j];
            }
        }
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        double[] w = new double[d];
        for (int i = d - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < d; k++) {
                s -= l[k][i] * w[k];
            }
            w[i] = s / l[i][i];
        }
        return w;
    }

    /** Pearson correlation; NaN when either series is constant. */
    public static double pearson(double[] a, double[] b) {
        int n = a.length;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }
}
