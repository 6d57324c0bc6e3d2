package dev.synctalk.pose;

/** Adam (Kingma and Ba) in double precision with PyTorch's defaults (betas 0.9, 0.999, eps 1e-8). */
final class Adam {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final double learningRate;
    private final double[] m;
    private final double[] v;
    private int steps;

    Adam(int size, double learningRate) {
        this.learningRate = learningRate;
        this.m = new double[size];
        this.v = new double[size];
    }

    /** Writes into {@code delta} the change Adam makes to the parameters for gradient {@code grad}. */
    void step(double[] grad, double[] delta) {
        steps++;
        double c1 = 1 - Math.pow(BETA1, steps);
        double c2 = 1 - Math.pow(BETA2, steps);
        for (int i = 0; i < grad.length; i++) {
            m[i] = BETA1 * m[i] + (1 - BETA1) * grad[i];
            v[i] = BETA2 * v[i] + (1 - BETA2) * grad[i] * grad[i];
            delta[i] = -learningRate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPS);
        }
    }
}
