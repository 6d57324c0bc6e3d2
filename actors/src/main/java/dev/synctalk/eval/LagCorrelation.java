package dev.synctalk.eval;

/**
 * The lag, in frames, that maximises the correlation of a visual series with a reference series,
 * {@code argmax_L corr(visual[t + L], reference[t])} over {@code -maxLag <= L <= maxLag}. A positive lag
 * means the visual series follows the reference by L frames.
 *
 * <p>The audio-visual offset is this lag between the mouth opening and the audio energy envelope (0 is
 * in sync as far as this measure can tell; speakers' mouths lead their sound slightly, so the recorded
 * video's own offset is the baseline). Between a render's mouth opening and the ground truth's it is the
 * render's delay behind the recorded video.
 *
 * @param lagFrames   the best lag
 * @param correlation the correlation at that lag
 */
public record LagCorrelation(int lagFrames, double correlation) {
    /** Frames with a value the series must have beyond the lag range for any lag to count. */
    public static final int MIN_PAIRS = 8;

    /**
     * @param visual    per frame, NaN where missing (no face found)
     * @param reference the same frames
     * @throws UndefinedMetricException when there are too few frames for the lag range or a series is
     *                                  constant at every lag
     */
    public static LagCorrelation find(double[] visual, double[] reference, int maxLagFrames) {
        if (visual.length != reference.length) {
            throw new IllegalArgumentException("lag correlation of series of different lengths: " + visual.length
                    + " and " + reference.length);
        }
        if (maxLagFrames < 0) {
            throw new IllegalArgumentException("lag correlation: max lag must be >= 0, got " + maxLagFrames);
        }
        int finite = 0;
        for (double v : visual) {
            if (Double.isFinite(v)) {
                finite++;
            }
        }
        if (finite < maxLagFrames + MIN_PAIRS) {
            throw new UndefinedMetricException("the lag search needs at least " + (maxLagFrames + MIN_PAIRS)
                    + " frames with a mouth opening for lags up to +-" + maxLagFrames + ", has " + finite);
        }
        int best = 0;
        double bestCorrelation = Double.NEGATIVE_INFINITY;
        for (int lag = -maxLagFrames; lag <= maxLagFrames; lag++) {
            double c;
            try {
                c = Correlation.pearson(visual, reference, lag);
            } catch (UndefinedMetricException e) {
                continue; // this lag leaves too few frames or a constant stretch
            }
            // ties go to the smaller |lag|, so a flat correlation does not invent an offset
            if (c > bestCorrelation || (c == bestCorrelation && Math.abs(lag) < Math.abs(best))) {
                bestCorrelation = c;
                best = lag;
            }
        }
        if (bestCorrelation == Double.NEGATIVE_INFINITY) {
            throw new UndefinedMetricException("lag search: a series is constant at every lag");
        }
        return new LagCorrelation(best, bestCorrelation);
    }
}
