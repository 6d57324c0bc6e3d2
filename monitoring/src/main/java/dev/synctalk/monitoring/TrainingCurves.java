package dev.synctalk.monitoring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Named scalar series (loss, psnr, ...) keyed by training step, with bounded memory: when a series
 * reaches its point limit, neighbouring points are merged pairwise (means of step and value) and
 * later values are averaged in groups twice as large, so the curve keeps even coverage of all steps
 * and its shape, in at most {@code maxPointsPerSeries} points, however long training runs.
 */
public final class TrainingCurves {

    public static final int DEFAULT_MAX_POINTS_PER_SERIES = 4096;

    private final int maxPointsPerSeries;
    // Sorted by name so every view (JSON, dashboard, console) lists series in the same order.
    private final ConcurrentSkipListMap<String, Series> series = new ConcurrentSkipListMap<>();

    public TrainingCurves() {
        this(DEFAULT_MAX_POINTS_PER_SERIES);
    }

    /** @param maxPointsPerSeries even and at least 4, the most points {@link #series()} returns per series */
    public TrainingCurves(int maxPointsPerSeries) {
        if (maxPointsPerSeries < 4 || maxPointsPerSeries % 2 != 0) {
            throw new IllegalArgumentException(
                    "maxPointsPerSeries must be even and at least 4, was " + maxPointsPerSeries);
        }
        this.maxPointsPerSeries = maxPointsPerSeries;
    }

    public int maxPointsPerSeries() {
        return maxPointsPerSeries;
    }

    public void record(String seriesName, long step, double value) {
        Objects.requireNonNull(seriesName, "series name");
        if (seriesName.isBlank()) {
            throw new IllegalArgumentException("training curve series name is blank");
        }
        series.computeIfAbsent(seriesName, n -> new Series(maxPointsPerSeries)).record(step, value);
    }

    /** A copy of every series as {step, value} pairs in recording order, at most the point limit each. */
    public Map<String, List<double[]>> series() {
        Map<String, List<double[]>> copy = new LinkedHashMap<>();
        series.forEach((name, s) -> copy.put(name, s.points()));
        return copy;
    }

    List<Snapshot.Curve> snapshot(boolean withPoints) {
        List<Snapshot.Curve> curves = new ArrayList<>(series.size());
        series.forEach((name, s) -> curves.add(s.snapshot(name, withPoints)));
        return curves;
    }

    /** One series; synchronized because a record is several related fields and happens once per step at most. */
    private static final class Series {
        private final double[] steps;
        private final double[] values;
        private int size;
        private long pointsPerStoredPoint = 1;
        private double pendingStepSum;
        private double pendingValueSum;
        private long pendingCount;
        private long lastStep;
        private double lastValue;
        private long recorded;

        Series(int maxPoints) {
            // record() halves as soon as the arrays fill, so at most maxPoints - 1 are stored between
            // calls and the partial group that points() appends still fits the limit.
            steps = new double[maxPoints];
            values = new double[maxPoints];
        }

        synchronized void record(long step, double value) {
            lastStep = step;
            lastValue = value;
            recorded++;
            pendingStepSum += step;
            pendingValueSum += value;
            pendingCount++;
            if (pendingCount == pointsPerStoredPoint) {
                steps[size] = pendingStepSum / pendingCount;
                values[size] = pendingValueSum / pendingCount;
                size++;
                pendingStepSum = 0;
                pendingValueSum = 0;
                pendingCount = 0;
                if (size == steps.length) {
                    halve();
                }
            }
        }

        private void halve() {
            for (int i = 0; i < size / 2; i++) {
                steps[i] = (steps[2 * i] + steps[2 * i + 1]) / 2;
                values[i] = (values[2 * i] + values[2 * i + 1]) / 2;
            }
            size /= 2;
            pointsPerStoredPoint *= 2;
        }

        synchronized List<double[]> points() {
            List<double[]> points = new ArrayList<>(size + 1);
            for (int i = 0; i < size; i++) {
                points.add(new double[] {steps[i], values[i]});
            }
            if (pendingCount > 0) {
                points.add(new double[] {pendingStepSum / pendingCount, pendingValueSum / pendingCount});
            }
            return points;
        }

        synchronized Snapshot.Curve snapshot(String name, boolean withPoints) {
            List<Snapshot.Point> points = new ArrayList<>();
            if (withPoints) {
                for (double[] p : points()) {
                    points.add(new Snapshot.Point(p[0], p[1]));
                }
            }
            return new Snapshot.Curve(name, lastStep, lastValue, recorded, points);
        }
    }
}
