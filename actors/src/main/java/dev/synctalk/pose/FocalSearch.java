package dev.synctalk.pose;

import java.util.ArrayList;
import java.util.List;

/**
 * The focal length search of the paper's Eq. 5: for each candidate focal length, fit rigid poses to a
 * subset of frames and sum their reprojection errors; the focal length with the least total wins. A
 * log-spaced grid finds the basin, a golden-section search refines inside it (the reference stops at a
 * grid of 100 px steps).
 */
public final class FocalSearch {

    /**
     * @param minFactor smallest focal length tried, times the larger image side
     * @param maxFactor largest, times the larger image side
     * @param gridSteps grid points between them (log-spaced)
     * @param refineIterations golden-section iterations around the best grid point
     * @param maxFrames frames used, evenly spaced over the sequence
     */
    public record Settings(double minFactor, double maxFactor, int gridSteps, int refineIterations, int maxFrames) {
        public Settings {
            if (!(minFactor > 0) || !(maxFactor > minFactor) || gridSteps < 3 || refineIterations < 0 || maxFrames < 1) {
                throw new IllegalArgumentException("bad focal search settings: factors " + minFactor + ".." + maxFactor
                        + ", grid " + gridSteps + ", refine " + refineIterations + ", frames " + maxFrames);
            }
        }

        public static Settings defaults() {
            return new Settings(0.5, 3.0, 16, 20, 40);
        }
    }

    /** The chosen focal length, its total cost, and the grid that was evaluated (for the report). */
    public record Result(double focalPx, double cost, double[] gridFocalsPx, double[] gridCosts) {
    }

    private FocalSearch() {
    }

    public static Result search(RoughPoseFitter fitter, List<double[]> observedPx, int widthPx, int heightPx,
            Settings settings) {
        if (observedPx.isEmpty()) {
            throw new IllegalArgumentException("focal search needs at least one frame of landmarks");
        }
        List<double[]> subset = evenlySpaced(observedPx, settings.maxFrames());
        double side = Math.max(widthPx, heightPx);
        double logMin = Math.log(settings.minFactor() * side);
        double logMax = Math.log(settings.maxFactor() * side);
        int n = settings.gridSteps();
        double[] focals = new double[n];
        double[] costs = new double[n];
        int best = 0;
        for (int i = 0; i < n; i++) {
            focals[i] = Math.exp(logMin + (logMax - logMin) * i / (n - 1));
            costs[i] = totalCost(fitter, subset, focals[i], widthPx, heightPx);
            if (costs[i] < costs[best]) {
                best = i;
            }
        }
        double lo = Math.log(focals[Math.max(0, best - 1)]);
        double hi = Math.log(focals[Math.min(n - 1, best + 1)]);
        double bestFocal = focals[best];
        double bestCost = costs[best];
        double golden = (Math.sqrt(5) - 1) / 2;
        double x1 = hi - golden * (hi - lo);
        double x2 = lo + golden * (hi - lo);
        double c1 = totalCost(fitter, subset, Math.exp(x1), widthPx, heightPx);
        double c2 = totalCost(fitter, subset, Math.exp(x2), widthPx, heightPx);
        for (int it = 0; it < settings.refineIterations(); it++) {
            if (c1 < c2) {
                hi = x2;
                x2 = x1;
                c2 = c1;
                x1 = hi - golden * (hi - lo);
                c1 = totalCost(fitter, subset, Math.exp(x1), widthPx, heightPx);
            } else {
                lo = x1;
                x1 = x2;
                c1 = c2;
                x2 = lo + golden * (hi - lo);
                c2 = totalCost(fitter, subset, Math.exp(x2), widthPx, heightPx);
            }
        }
        double refined = c1 < c2 ? x1 : x2;
        double refinedCost = Math.min(c1, c2);
        if (refinedCost < bestCost) {
            bestFocal = Math.exp(refined);
            bestCost = refinedCost;
        }
        return new Result(bestFocal, bestCost, focals, costs);
    }

    private static double totalCost(RoughPoseFitter fitter, List<double[]> frames, double focal, int w, int h) {
        double sum = 0;
        for (RoughPoseFitter.Fit f : fitter.fitSequence(frames, PinholeCamera.centred(focal, w, h))) {
            sum += f.cost();
        }
        return sum;
    }

    static <T> List<T> evenlySpaced(List<T> all, int max) {
        if (all.size() <= max) {
            return all;
        }
        if (max == 1) {
            return List.of(all.get(all.size() / 2));
        }
        List<T> out = new ArrayList<>(max);
        for (int i = 0; i < max; i++) {
            out.add(all.get((int) ((long) i * (all.size() - 1) / (max - 1))));
        }
        return out;
    }
}
