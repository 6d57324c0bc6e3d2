package dev.synctalk.training;

/**
 * Converts camera-to-world matrices between the dataset's convention (NeRF/OpenGL axes, as SyncTalk's
 * transforms files store them) and the trainer's (OpenCV axes, scaled into the NeRF box), exactly as
 * the reference's {@code nerf_matrix_to_ngp(pose, scale=4, offset=0)} does: rows permuted (y, z, x),
 * the camera's y and z axes negated, the translation scaled.
 */
public final class NerfPoses {
    /** The reference's default {@code --scale}. */
    public static final double SCALE = 4.0;

    private NerfPoses() {
    }

    /** Dataset matrix [16] (row-major) to the trainer's [16] (row-major float). */
    public static float[] toTrainer(double[] dataset) {
        float[] out = new float[16];
        int[] sourceRow = {1, 2, 0};
        for (int r = 0; r < 3; r++) {
            int s = sourceRow[r];
            out[r * 4] = (float) dataset[s * 4];
            out[r * 4 + 1] = (float) -dataset[s * 4 + 1];
            out[r * 4 + 2] = (float) -dataset[s * 4 + 2];
            out[r * 4 + 3] = (float) (dataset[s * 4 + 3] * SCALE);
        }
        out[15] = 1f;
        return out;
    }

    /** The inverse of {@link #toTrainer}: a trainer matrix [16] as the dataset stores it. */
    public static double[] toDataset(float[] trainer) {
        double[] out = new double[16];
        int[] targetRow = {1, 2, 0};
        for (int r = 0; r < 3; r++) {
            int t = targetRow[r];
            out[t * 4] = trainer[r * 4];
            out[t * 4 + 1] = -trainer[r * 4 + 1];
            out[t * 4 + 2] = -trainer[r * 4 + 2];
            out[t * 4 + 3] = trainer[r * 4 + 3] / SCALE;
        }
        out[15] = 1.0;
        return out;
    }
}
