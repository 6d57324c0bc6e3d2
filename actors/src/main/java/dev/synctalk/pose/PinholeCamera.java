package dev.synctalk.pose;

/** Intrinsics of the video's camera in pixels: square pixels, no skew, no distortion (as the reference). */
public record PinholeCamera(double focalPx, double cx, double cy) {
    public PinholeCamera {
        if (!(focalPx > 0) || !Double.isFinite(cx) || !Double.isFinite(cy)) {
            throw new IllegalArgumentException("bad camera: focal " + focalPx + " px, centre (" + cx + ", " + cy + ")");
        }
    }

    /** Principal point at the image centre, as the reference's transforms files have it. */
    public static PinholeCamera centred(double focalPx, int widthPx, int heightPx) {
        return new PinholeCamera(focalPx, widthPx / 2.0, heightPx / 2.0);
    }
}
