package dev.synctalk.face;

/**
 * One BlazeFace detection in image pixels (continuous coordinates: the image spans [0, width] x [0, height]).
 *
 * @param keypoints 6 (x, y) pairs in MediaPipe's order: right eye, left eye, nose tip, mouth centre,
 *                  right ear tragion, left ear tragion ("right" is the subject's right, on the image's left)
 */
public record FaceDetection(float score, float xMin, float yMin, float width, float height, float[] keypoints) {
    public static final int KEYPOINTS = 6;
    public static final int RIGHT_EYE = 0;
    public static final int LEFT_EYE = 1;
    public static final int NOSE_TIP = 2;
    public static final int MOUTH_CENTER = 3;

    public FaceDetection {
        if (keypoints.length != 2 * KEYPOINTS) {
            throw new IllegalArgumentException("expected " + 2 * KEYPOINTS + " keypoint coordinates, got " + keypoints.length);
        }
    }

    public float keypointX(int i) {
        return keypoints[2 * i];
    }

    public float keypointY(int i) {
        return keypoints[2 * i + 1];
    }

    public float centerX() {
        return xMin + width / 2;
    }

    public float centerY() {
        return yMin + height / 2;
    }

    public float area() {
        return Math.max(0, width) * Math.max(0, height);
    }

    /** Intersection over union of the two axis-aligned boxes; 0 when either is empty. */
    public static float iou(float ax, float ay, float aw, float ah, float bx, float by, float bw, float bh) {
        float ix = Math.min(ax + aw, bx + bw) - Math.max(ax, bx);
        float iy = Math.min(ay + ah, by + bh) - Math.max(ay, by);
        if (ix <= 0 || iy <= 0) {
            return 0;
        }
        float intersection = ix * iy;
        float union = aw * ah + bw * bh - intersection;
        return union > 0 ? intersection / union : 0;
    }

    public float iou(FaceDetection o) {
        return iou(xMin, yMin, width, height, o.xMin, o.yMin, o.width, o.height);
    }
}
