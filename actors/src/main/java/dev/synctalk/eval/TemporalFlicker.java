package dev.synctalk.eval;

import dev.synctalk.image.FloatImage;

/**
 * Temporal flicker outside the face: the mean absolute change of a pixel from one frame to the next, in
 * 8-bit levels (0-255), over the pixels that are outside the face in both frames. A static background
 * gives 0; the ground truth's own figure (its torso and hair move) is the baseline a render is read against.
 */
public final class TemporalFlicker {
    private TemporalFlicker() {
    }

    /**
     * @param faceBefore face pixels of the earlier frame; {@code faceAfter} of the later one
     * @throws UndefinedMetricException when the face covers every pixel of the two frames
     */
    public static double between(FloatImage before, FloatImage after, boolean[] faceBefore, boolean[] faceAfter) {
        ImageChecks.requireComparable("temporal flicker", before, after);
        int pixels = before.pixelCount();
        if (faceBefore.length != pixels || faceAfter.length != pixels) {
            throw new IllegalArgumentException("temporal flicker: face masks of " + faceBefore.length + " and "
                    + faceAfter.length + " pixels for " + pixels + "-pixel frames");
        }
        int c = before.channels();
        float[] a = before.data();
        float[] b = after.data();
        double sum = 0;
        long count = 0;
        for (int p = 0; p < pixels; p++) {
            if (!faceBefore[p] && !faceAfter[p]) {
                for (int k = 0; k < c; k++) {
                    sum += Math.abs(b[p * c + k] - a[p * c + k]);
                }
                count += c;
            }
        }
        if (count == 0) {
            throw new UndefinedMetricException("temporal flicker: the face covers the whole frame");
        }
        return 255 * sum / count;
    }
}
