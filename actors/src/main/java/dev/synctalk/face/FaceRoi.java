package dev.synctalk.face;

/**
 * A rotated square region of the image that a network sees, in image pixels (continuous coordinates).
 * Crop pixel (u, v) of an S x S crop, normalised to a = u / S - 0.5 and b = v / S - 0.5, lies at
 * image point centre + R(rotation) (a * width, b * height), the convention of MediaPipe's
 * ImageToTensor and LandmarkProjection calculators.
 */
public record FaceRoi(double centerX, double centerY, double width, double height, double rotationRadians) {
    /** MediaPipe's face_detection_front_detection_to_roi and face_landmark_landmarks_to_roi: scale 1.5, square_long. */
    public static final double FACE_SCALE = 1.5;
    /** Mesh indices MediaPipe uses for the ROI rotation: the right and left eyes' outer corners. */
    public static final int RIGHT_EYE_OUTER = 33;
    public static final int LEFT_EYE_OUTER = 263;

    /** The landmark model's crop around a detection: rotated so that right eye to left eye points along +x. */
    public static FaceRoi fromDetection(FaceDetection d) {
        double rotation = rotation(d.keypointX(FaceDetection.RIGHT_EYE), d.keypointY(FaceDetection.RIGHT_EYE),
                d.keypointX(FaceDetection.LEFT_EYE), d.keypointY(FaceDetection.LEFT_EYE));
        double side = Math.max(d.width(), d.height()) * FACE_SCALE;
        return new FaceRoi(d.centerX(), d.centerY(), side, side, rotation);
    }

    /** The next frame's crop from this frame's mesh: bounding box of all points, rotation from the eye corners. */
    public static FaceRoi fromLandmarks(float[] points) {
        float[] box = boundingBox(points);
        double rotation = rotation(points[3 * RIGHT_EYE_OUTER], points[3 * RIGHT_EYE_OUTER + 1],
                points[3 * LEFT_EYE_OUTER], points[3 * LEFT_EYE_OUTER + 1]);
        double side = Math.max(box[2], box[3]) * FACE_SCALE;
        return new FaceRoi(box[0] + box[2] / 2.0, box[1] + box[3] / 2.0, side, side, rotation);
    }

    /** {xMin, yMin, width, height} of the x and y of points given as (x, y, z) triples. */
    public static float[] boundingBox(float[] points) {
        float minX = Float.POSITIVE_INFINITY;
        float minY = Float.POSITIVE_INFINITY;
        float maxX = Float.NEGATIVE_INFINITY;
        float maxY = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < points.length / 3; i++) {
            minX = Math.min(minX, points[3 * i]);
            maxX = Math.max(maxX, points[3 * i]);
            minY = Math.min(minY, points[3 * i + 1]);
            maxY = Math.max(maxY, points[3 * i + 1]);
        }
        return new float[] {minX, minY, maxX - minX, maxY - minY};
    }

    /** The whole image letterboxed into a centred square (MediaPipe's keep_aspect_ratio), no rotation. */
    public static FaceRoi letterbox(int imageWidth, int imageHeight) {
        double side = Math.max(imageWidth, imageHeight);
        return new FaceRoi(imageWidth / 2.0, imageHeight / 2.0, side, side, 0);
    }

    /** MediaPipe's DetectionsToRects rotation with target angle 0, normalised to [-pi, pi). */
    static double rotation(double x0, double y0, double x1, double y1) {
        double angle = -Math.atan2(-(y1 - y0), x1 - x0);
        return angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));
    }

    /**
     * The 2x3 affine matrix taking crop pixel coordinates of an {@code size} x {@code size} crop to image
     * coordinates (for warpAffine with WARP_INVERSE_MAP). Pixel centres sit at +0.5 in both systems.
     */
    public double[] cropToImage(int size) {
        double cos = Math.cos(rotationRadians);
        double sin = Math.sin(rotationRadians);
        double sx = width / size;
        double sy = height / size;
        double a = cos * sx;
        double b = -sin * sy;
        double c = sin * sx;
        double d = cos * sy;
        // Continuous image point of crop pixel centre (u + 0.5), minus 0.5 to get OpenCV's pixel-centre coordinate.
        double tx = centerX - 0.5 * cos * width + 0.5 * sin * height + 0.5 * (a + b) - 0.5;
        double ty = centerY - 0.5 * sin * width - 0.5 * cos * height + 0.5 * (c + d) - 0.5;
        return new double[] {a, b, tx, c, d, ty};
    }

    /** Maps a point given in continuous crop coordinates [0, size] to continuous image coordinates. */
    public double[] cropPointToImage(double u, double v, int size) {
        double a = u / size - 0.5;
        double b = v / size - 0.5;
        double cos = Math.cos(rotationRadians);
        double sin = Math.sin(rotationRadians);
        return new double[] {centerX + cos * a * width - sin * b * height, centerY + sin * a * width + cos * b * height};
    }
}
