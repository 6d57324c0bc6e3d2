package dev.synctalk.eval;

/**
 * How far the mouth is open in one frame, from its 68 landmarks: the mean gap between the inner lips
 * (61-67, 62-66, 63-65) divided by the distance between the outer eye corners (36-45), so the figure is
 * free of the face's size in the image (0 closed; about 0.3-0.5 wide open).
 */
public final class MouthOpening {
    static final int[][] INNER_LIP_PAIRS = {{61, 67}, {62, 66}, {63, 65}};
    static final int RIGHT_EYE_OUTER = 36;
    static final int LEFT_EYE_OUTER = 45;

    private MouthOpening() {
    }

    public static double of(float[] landmarks68) {
        if (landmarks68.length != 2 * LandmarkDistance.COUNT) {
            throw new IllegalArgumentException("mouth opening needs 68 (x, y) landmarks, got " + landmarks68.length / 2);
        }
        double gap = 0;
        for (int[] pair : INNER_LIP_PAIRS) {
            gap += distance(landmarks68, pair[0], pair[1]);
        }
        double eyes = distance(landmarks68, RIGHT_EYE_OUTER, LEFT_EYE_OUTER);
        if (!(eyes > 0)) {
            throw new IllegalArgumentException("mouth opening: the outer eye corners coincide; the landmarks are not a face");
        }
        return gap / INNER_LIP_PAIRS.length / eyes;
    }

    private static double distance(float[] p, int i, int j) {
        return Math.hypot(p[2 * i] - p[2 * j], p[2 * i + 1] - p[2 * j + 1]);
    }
}
