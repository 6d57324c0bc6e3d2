package dev.synctalk.gpu.render;

/**
 * Pixel rays of a pinhole camera, torch-ngp's get_rays: pixel (i, j) (column i, row j) looks through
 * its centre, camera-space direction ((i + 0.5 - cx) / fx, (j + 0.5 - cy) / fy, 1) normalised, then
 * rotated by the camera-to-world pose; the origin is the pose's translation.
 *
 * <p>Camera convention: x right, y down, z forward (OpenCV); poses map camera to world. Datasets in
 * the NeRF/Blender convention (y up, z backward) must flip the camera y and z axes when loading.
 *
 * <h2>Layouts</h2>
 * pose: [4, 4] row-major camera-to-world; pixel indices: int[R] with index = j * width + i;
 * origins, directions: [R, 3].
 */
public record CameraRays(int width, int height, float fx, float fy, float cx, float cy) {

    public CameraRays {
        if (width < 1 || height < 1 || !(fx > 0) || !(fy > 0)) {
            throw new IllegalArgumentException("invalid camera: " + width + "x" + height + " fx=" + fx + " fy=" + fy);
        }
    }

    /** Rays [start, end). */
    public void generate(float[] pose, int[] pixels, float[] origins, float[] directions, int start, int end) {
        for (int r = start; r < end; r++) {
            int pixel = pixels[r];
            if (pixel < 0 || pixel >= width * height) {
                throw new IllegalArgumentException("pixel index " + pixel + " of ray " + r + " is outside the "
                        + width + "x" + height + " image");
            }
            int i = pixel % width;
            int j = pixel / width;
            float x = (i + 0.5f - cx) / fx;
            float y = (j + 0.5f - cy) / fy;
            float z = 1f;
            float inv = (float) (1.0 / Math.sqrt(x * x + y * y + z * z));
            x *= inv;
            y *= inv;
            z *= inv;
            for (int a = 0; a < 3; a++) {
                directions[3 * r + a] = pose[4 * a] * x + pose[4 * a + 1] * y + pose[4 * a + 2] * z;
                origins[3 * r + a] = pose[4 * a + 3];
            }
        }
    }
}
