package dev.synctalk.dataset;

/**
 * Pinhole intrinsics of a dataset in pixels, and the image size. The transforms files store
 * {@code focal_len} (or {@code fl_x}/{@code fl_y}, or {@code camera_angle_x}/{@code camera_angle_y}),
 * {@code cx}, {@code cy} and optionally {@code w}/{@code h}.
 */
public record CameraIntrinsics(double focalX, double focalY, double cx, double cy, int width, int height) {
    public CameraIntrinsics {
        if (!(focalX > 0) || !(focalY > 0)) {
            throw new IllegalArgumentException("focal lengths must be positive, got " + focalX + ", " + focalY);
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
    }

    /** Square pixels, principal point at the image centre: what SyncTalk's preprocessing writes. */
    public static CameraIntrinsics centered(double focal, int width, int height) {
        return new CameraIntrinsics(focal, focal, width / 2.0, height / 2.0, width, height);
    }

    /** Horizontal field of view in radians ({@code camera_angle_x}). */
    public double angleX() {
        return 2 * Math.atan(width / (2 * focalX));
    }
}
