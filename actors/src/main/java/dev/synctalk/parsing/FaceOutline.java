package dev.synctalk.parsing;

import dev.synctalk.face.FaceLandmarks;

/**
 * The face silhouette of one frame: MediaPipe's 36 face-oval landmarks in image pixels, in the mesh's
 * contour order (forehead top, down the image-right side, chin, up the image-left side). Parsing needs only
 * this contour, so the stage keeps this compact form per frame instead of all 478 points.
 *
 * @param xy 36 x 2 floats: x, y of each oval point
 */
public record FaceOutline(float[] xy) {
    /** MediaPipe FACEMESH_FACE_OVAL as a closed contour starting at the forehead top (landmark 10). */
    public static final int[] OVAL = {10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
        400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109};
    /** Positions in {@link #OVAL}: the cheek ends of the jaw line (454 and 234), the chin (152), the jaw angles. */
    public static final int RIGHT_CHEEK = 8;
    public static final int CHIN = 18;
    public static final int LEFT_CHEEK = 28;
    public static final int RIGHT_JAW_ANGLE = 12;
    public static final int LEFT_JAW_ANGLE = 24;
    public static final int FOREHEAD = 0;

    public FaceOutline {
        if (xy.length != OVAL.length * 2) {
            throw new IllegalArgumentException("face outline needs " + OVAL.length * 2 + " floats, got " + xy.length);
        }
    }

    /** The oval of {@code landmarks}, rescaled when the landmarks were found on an image of another size. */
    public static FaceOutline of(FaceLandmarks landmarks, int imageWidth, int imageHeight) {
        double sx = (double) imageWidth / landmarks.imageWidth();
        double sy = (double) imageHeight / landmarks.imageHeight();
        float[] xy = new float[OVAL.length * 2];
        for (int k = 0; k < OVAL.length; k++) {
            xy[2 * k] = (float) (landmarks.x(OVAL[k]) * sx);
            xy[2 * k + 1] = (float) (landmarks.y(OVAL[k]) * sy);
        }
        return new FaceOutline(xy);
    }

    public int size() {
        return OVAL.length;
    }

    public double x(int k) {
        return xy[2 * k];
    }

    public double y(int k) {
        return xy[2 * k + 1];
    }

    public FaceOutline scaled(double sx, double sy) {
        float[] out = new float[xy.length];
        for (int k = 0; k < OVAL.length; k++) {
            out[2 * k] = (float) (xy[2 * k] * sx);
            out[2 * k + 1] = (float) (xy[2 * k + 1] * sy);
        }
        return new FaceOutline(out);
    }

    public double minX() {
        double m = Double.POSITIVE_INFINITY;
        for (int k = 0; k < size(); k++) {
            m = Math.min(m, x(k));
        }
        return m;
    }

    public double maxX() {
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < size(); k++) {
            m = Math.max(m, x(k));
        }
        return m;
    }

    public double minY() {
        double m = Double.POSITIVE_INFINITY;
        for (int k = 0; k < size(); k++) {
            m = Math.min(m, y(k));
        }
        return m;
    }

    public double maxY() {
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < size(); k++) {
            m = Math.max(m, y(k));
        }
        return m;
    }

    public double width() {
        return maxX() - minX();
    }

    /** Forehead top to chin. */
    public double height() {
        return maxY() - minY();
    }

    public double centreX() {
        return (minX() + maxX()) / 2;
    }

    public double chinX() {
        return x(CHIN);
    }

    public double chinY() {
        return y(CHIN);
    }

    /** Distance between the two jaw angles (landmarks 172 and 397): the scale of the neck's width. */
    public double jawAngleWidth() {
        return Math.hypot(x(RIGHT_JAW_ANGLE) - x(LEFT_JAW_ANGLE), y(RIGHT_JAW_ANGLE) - y(LEFT_JAW_ANGLE));
    }

    /**
     * Where head meets neck at column {@code x}: the lowest crossing of the jaw contour between the jaw angles
     * (397 -> chin -> 172) with the column; beyond a jaw angle the line falls from that angle's height to the
     * chin's over {@code rampWidth} pixels and stays there, so that the ears, the skin behind the jaw and hair
     * beside the face count as head as BiSeNet's classes do, and the neck does not climb to the ears. The line
     * is continuous (no step at the jaw angles).
     */
    public double jawLineY(double x, double rampWidth) {
        double lowest = Double.NEGATIVE_INFINITY;
        for (int k = RIGHT_JAW_ANGLE; k < LEFT_JAW_ANGLE; k++) {
            double x0 = x(k);
            double y0 = y(k);
            double x1 = x(k + 1);
            double y1 = y(k + 1);
            double lo = Math.min(x0, x1);
            double hi = Math.max(x0, x1);
            if (x < lo || x > hi) {
                continue;
            }
            double y = hi - lo < 1e-9 ? Math.max(y0, y1) : y0 + (y1 - y0) * (x - x0) / (x1 - x0);
            lowest = Math.max(lowest, y);
        }
        if (lowest != Double.NEGATIVE_INFINITY) {
            return lowest;
        }
        // Beyond the contour's columns: ramp from the nearer jaw angle down to the chin's height.
        int end = Math.abs(x - x(RIGHT_JAW_ANGLE)) < Math.abs(x - x(LEFT_JAW_ANGLE)) ? RIGHT_JAW_ANGLE : LEFT_JAW_ANGLE;
        double t = rampWidth <= 0 ? 1 : Math.min(1, Math.abs(x - x(end)) / rampWidth);
        return y(end) + t * Math.max(0, chinY() - y(end));
    }

    /** Even-odd test of the pixel centre against the oval polygon. */
    public boolean contains(double px, double py) {
        boolean inside = false;
        int n = size();
        for (int i = 0, j = n - 1; i < n; j = i++) {
            double yi = y(i);
            double yj = y(j);
            if ((yi > py) != (yj > py)) {
                double crossX = x(j) + (x(i) - x(j)) * (py - yj) / (yi - yj);
                if (px < crossX) {
                    inside = !inside;
                }
            }
        }
        return inside;
    }

    /** The face region rasterised: 1 for pixels whose centre lies inside the oval. */
    public byte[] rasterise(int width, int height) {
        byte[] mask = new byte[width * height];
        int x0 = Math.max(0, (int) Math.floor(minX()));
        int x1 = Math.min(width - 1, (int) Math.ceil(maxX()));
        int y0 = Math.max(0, (int) Math.floor(minY()));
        int y1 = Math.min(height - 1, (int) Math.ceil(maxY()));
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                if (contains(x + 0.5, y + 0.5)) {
                    mask[y * width + x] = 1;
                }
            }
        }
        return mask;
    }
}
