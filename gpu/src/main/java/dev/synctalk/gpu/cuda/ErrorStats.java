package dev.synctalk.gpu.cuda;

import java.util.Locale;

/**
 * How far a device result is from its CPU twin. {@code maxRelError} is max |actual - expected| / |expected|
 * over elements (|expected| floored at 1e-12), {@code normRelError} is ||actual - expected|| / ||expected||;
 * {@code nonFinite} counts NaN/infinite results where the reference is finite (a poisoned, unwritten
 * output shows up here) and results that differ from a non-finite reference (a NaN or infinity in the
 * reference is matched only by the same value, and is left out of the error norms); {@code bitMismatches}
 * the elements that are not bit-identical.
 */
public record ErrorStats(long elements, double maxAbsError, double maxRelError, double normRelError, long nonFinite,
                         long bitMismatches) {

    public static ErrorStats compare(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException("compared arrays differ in length: " + expected.length + " and "
                    + actual.length);
        }
        double maxAbs = 0;
        double maxRel = 0;
        double diffSq = 0;
        double refSq = 0;
        long nonFinite = 0;
        long mismatches = 0;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (Float.floatToIntBits(e) != Float.floatToIntBits(a)) {
                mismatches++;
            }
            if (!Float.isFinite(a) && Float.isFinite(e)) {
                nonFinite++;
                continue;
            }
            if (!Float.isFinite(e)) {
                // a non-finite reference (a NaN a check injects on purpose) is matched by the same value only
                if (Float.compare(e, a) != 0) {
                    nonFinite++;
                }
                continue;
            }
            double diff = Math.abs((double) a - e);
            maxAbs = Math.max(maxAbs, diff);
            maxRel = Math.max(maxRel, diff / Math.max(Math.abs((double) e), 1e-12));
            diffSq += diff * diff;
            refSq += (double) e * e;
        }
        double normRel = refSq == 0 ? Math.sqrt(diffSq) : Math.sqrt(diffSq / refSq);
        return new ErrorStats(expected.length, maxAbs, maxRel, normRel, nonFinite, mismatches);
    }

    /** Passes when every element is finite where expected and the max relative error is within the bound. */
    public boolean within(double maxRelBound) {
        return nonFinite == 0 && maxRelError <= maxRelBound;
    }

    public ErrorStats merge(ErrorStats other) {
        return new ErrorStats(elements + other.elements, Math.max(maxAbsError, other.maxAbsError),
                Math.max(maxRelError, other.maxRelError), Math.max(normRelError, other.normRelError),
                nonFinite + other.nonFinite, bitMismatches + other.bitMismatches);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "n=%d maxAbs=%.3e maxRel=%.3e normRel=%.3e nonFinite=%d bitMismatch=%d",
                elements, maxAbsError, maxRelError, normRelError, nonFinite, bitMismatches);
    }
}
