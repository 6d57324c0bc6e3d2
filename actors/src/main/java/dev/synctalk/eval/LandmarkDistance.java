package dev.synctalk.eval;

/**
 * LMD, the landmark distance of talking-head papers: the mean Euclidean distance (px, at the frames'
 * size) between corresponding 68-point landmarks of a render and its ground truth, over the mouth
 * (48-67, {@link #mouth}) or over all 68 points ({@link #all}). No alignment or normalisation: a render
 * shifted by (dx, dy) pixels has an LMD of sqrt(dx^2 + dy^2).
 */
public final class LandmarkDistance {
    public static final int MOUTH_FIRST = 48;
    public static final int COUNT = 68;

    private LandmarkDistance() {
    }

    /** Mean distance over landmarks 48-67; both arguments are 68 (x, y) pairs. */
    public static double mouth(float[] render, float[] truth) {
        return mean(render, truth, MOUTH_FIRST, COUNT);
    }

    /** Mean distance over all 68 landmarks. */
    public static double all(float[] render, float[] truth) {
        return mean(render, truth, 0, COUNT);
    }

    private static double mean(float[] a, float[] b, int from, int to) {
        if (a.length != 2 * COUNT || b.length != 2 * COUNT) {
            throw new IllegalArgumentException("LMD compares 68 (x, y) landmarks, got " + a.length / 2 + " and "
                    + b.length / 2 + " points");
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += Math.hypot(a[2 * i] - b[2 * i], a[2 * i + 1] - b[2 * i + 1]);
        }
        return sum / (to - from);
    }
}
