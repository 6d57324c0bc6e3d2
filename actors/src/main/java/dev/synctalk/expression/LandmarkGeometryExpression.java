package dev.synctalk.expression;

import dev.synctalk.face.FaceLandmarks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fallback when the blendshape network is absent: the 7 core coefficients estimated from face-mesh
 * geometry. Per frame: eye openness (mean eyelid gap over eye width) and brow heights (brow to eye-corner
 * distance over the inter-ocular distance, which unlike the face height does not change when the jaw
 * opens). Per video, each measure is mapped to [0, 1] against its own distribution: a blink is openness
 * below the usual open eye (90th percentile) towards the 2nd percentile, but never less than a 70% lid
 * closure, so that a video without blinks scores near 0; brows score 0 at their median and 1 at their
 * 2nd (down) or 98th (up) percentile. "Left" is the subject's left, as in ARKit and MediaPipe.
 */
public final class LandmarkGeometryExpression {

    /** Face-mesh indices of one side of the face. */
    private record Side(int outerCorner, int innerCorner, int[][] lidPairs, int[] browUpper, int[] browLower,
                        int innerBrowUpper, int innerBrowLower, int outerBrowUpper, int outerBrowLower) {
    }

    private static final Side RIGHT = new Side(33, 133, new int[][] {{159, 145}, {158, 153}, {160, 144}},
            new int[] {70, 63, 105, 66, 107}, new int[] {46, 53, 52, 65, 55}, 107, 55, 70, 46);
    private static final Side LEFT = new Side(263, 362, new int[][] {{386, 374}, {385, 380}, {387, 373}},
            new int[] {300, 293, 334, 296, 336}, new int[] {276, 283, 282, 295, 285}, 336, 285, 300, 276);

    private static final double OPEN_PERCENTILE = 90;
    private static final double CLOSED_PERCENTILE = 2;
    private static final double MIN_CLOSURE = 0.7;
    private static final double BROW_LOW_PERCENTILE = 2;
    private static final double BROW_HIGH_PERCENTILE = 98;

    /** One frame's raw geometry; distances are ratios, so independent of image scale. */
    public record Measures(float eyeOpenLeft, float eyeOpenRight, float browInnerLeft, float browInnerRight,
                           float browOuterLeft, float browOuterRight, float browLeft, float browRight) {
    }

    private LandmarkGeometryExpression() {
    }

    public static Measures measure(FaceLandmarks f) {
        double interocular = distance(f, RIGHT.outerCorner, LEFT.outerCorner);
        if (!(interocular > 0)) {
            throw new IllegalArgumentException("frame " + f.frameIndex() + ": eye corners coincide, cannot measure expression");
        }
        return new Measures(eyeOpenness(f, LEFT), eyeOpenness(f, RIGHT),
                (float) (distance(f, midX(f, LEFT.innerBrowUpper, LEFT.innerBrowLower), midY(f, LEFT.innerBrowUpper,
                        LEFT.innerBrowLower), LEFT.innerCorner) / interocular),
                (float) (distance(f, midX(f, RIGHT.innerBrowUpper, RIGHT.innerBrowLower), midY(f, RIGHT.innerBrowUpper,
                        RIGHT.innerBrowLower), RIGHT.innerCorner) / interocular),
                (float) (distance(f, midX(f, LEFT.outerBrowUpper, LEFT.outerBrowLower), midY(f, LEFT.outerBrowUpper,
                        LEFT.outerBrowLower), LEFT.outerCorner) / interocular),
                (float) (distance(f, midX(f, RIGHT.outerBrowUpper, RIGHT.outerBrowLower), midY(f, RIGHT.outerBrowUpper,
                        RIGHT.outerBrowLower), RIGHT.outerCorner) / interocular),
                (float) (browHeight(f, LEFT) / interocular), (float) (browHeight(f, RIGHT) / interocular));
    }

    /** Mean eyelid gap over the corner-to-corner eye width: about 0.25-0.35 open, under 0.1 closed. */
    public static float eyeOpenness(FaceLandmarks f, boolean left) {
        return eyeOpenness(f, left ? LEFT : RIGHT);
    }

    private static float eyeOpenness(FaceLandmarks f, Side side) {
        double gap = 0;
        for (int[] pair : side.lidPairs) {
            gap += distance(f, pair[0], pair[1]);
        }
        double width = distance(f, side.outerCorner, side.innerCorner);
        return width > 0 ? (float) (gap / side.lidPairs.length / width) : 0f;
    }

    private static double browHeight(FaceLandmarks f, Side side) {
        double bx = 0;
        double by = 0;
        for (int i = 0; i < side.browUpper.length; i++) {
            bx += f.x(side.browUpper[i]) + f.x(side.browLower[i]);
            by += f.y(side.browUpper[i]) + f.y(side.browLower[i]);
        }
        int n = 2 * side.browUpper.length;
        double ex = (f.x(side.outerCorner) + f.x(side.innerCorner)) / 2;
        double ey = (f.y(side.outerCorner) + f.y(side.innerCorner)) / 2;
        return Math.hypot(bx / n - ex, by / n - ey);
    }

    /**
     * MediaPipe-order score vectors (52, index 0 {@code _neutral}) for a whole track: the 7 core
     * categories estimated, all others 0.
     */
    public static List<float[]> scores(List<Measures> track) {
        int n = track.size();
        double[] openL = new double[n];
        double[] openR = new double[n];
        double[] innerL = new double[n];
        double[] innerR = new double[n];
        double[] outerL = new double[n];
        double[] outerR = new double[n];
        double[] browL = new double[n];
        double[] browR = new double[n];
        for (int t = 0; t < n; t++) {
            Measures m = track.get(t);
            openL[t] = m.eyeOpenLeft();
            openR[t] = m.eyeOpenRight();
            innerL[t] = m.browInnerLeft();
            innerR[t] = m.browInnerRight();
            outerL[t] = m.browOuterLeft();
            outerR[t] = m.browOuterRight();
            browL[t] = m.browLeft();
            browR[t] = m.browRight();
        }
        double[] blinkL = blink(openL);
        double[] blinkR = blink(openR);
        double[] innerUpL = up(innerL);
        double[] innerUpR = up(innerR);
        double[] outerUpL = up(outerL);
        double[] outerUpR = up(outerR);
        double[] downL = down(browL);
        double[] downR = down(browR);
        List<float[]> out = new ArrayList<>(n);
        List<String> names = BlendshapeNetwork.NAMES;
        for (int t = 0; t < n; t++) {
            float[] s = new float[BlendshapeNetwork.SCORE_COUNT];
            s[names.indexOf("browDownLeft")] = (float) downL[t];
            s[names.indexOf("browDownRight")] = (float) downR[t];
            s[names.indexOf("browInnerUp")] = (float) ((innerUpL[t] + innerUpR[t]) / 2);
            s[names.indexOf("browOuterUpLeft")] = (float) outerUpL[t];
            s[names.indexOf("browOuterUpRight")] = (float) outerUpR[t];
            s[names.indexOf("eyeBlinkLeft")] = (float) blinkL[t];
            s[names.indexOf("eyeBlinkRight")] = (float) blinkR[t];
            out.add(s);
        }
        return out;
    }

    private static double[] blink(double[] openness) {
        double open = percentile(openness, OPEN_PERCENTILE);
        double closed = Math.min(percentile(openness, CLOSED_PERCENTILE), (1 - MIN_CLOSURE) * open);
        double[] out = new double[openness.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = open > closed ? clamp01((open - openness[t]) / (open - closed)) : 0;
        }
        return out;
    }

    private static double[] up(double[] height) {
        double median = percentile(height, 50);
        double high = percentile(height, BROW_HIGH_PERCENTILE);
        double[] out = new double[height.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = high > median ? clamp01((height[t] - median) / (high - median)) : 0;
        }
        return out;
    }

    private static double[] down(double[] height) {
        double median = percentile(height, 50);
        double low = percentile(height, BROW_LOW_PERCENTILE);
        double[] out = new double[height.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = median > low ? clamp01((median - height[t]) / (median - low)) : 0;
        }
        return out;
    }

    /** numpy.percentile's default: linear interpolation between the closest ranks. */
    static double percentile(double[] values, double percent) {
        if (values.length == 0) {
            throw new IllegalArgumentException("percentile of an empty series");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double rank = percent / 100 * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }

    private static double clamp01(double v) {
        return Math.max(0, Math.min(1, v));
    }

    private static double distance(FaceLandmarks f, int a, int b) {
        return Math.hypot(f.x(a) - f.x(b), f.y(a) - f.y(b));
    }

    private static double distance(FaceLandmarks f, double x, double y, int b) {
        return Math.hypot(x - f.x(b), y - f.y(b));
    }

    private static double midX(FaceLandmarks f, int a, int b) {
        return (f.x(a) + f.x(b)) / 2.0;
    }

    private static double midY(FaceLandmarks f, int a, int b) {
        return (f.y(a) + f.y(b)) / 2.0;
    }
}
