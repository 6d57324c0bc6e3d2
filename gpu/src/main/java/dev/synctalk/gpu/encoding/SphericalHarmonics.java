package dev.synctalk.gpu.encoding;

/**
 * Real spherical harmonics of degree 4 (16 coefficients) with the instant-ngp / tcnn / torch-ngp
 * {@code shencoder} basis constants and sign conventions, used for the view direction in SyncTalk's
 * colour network.
 *
 * <h2>Layouts</h2>
 * <ul>
 *   <li>directions: [N, 3] unit vectors (x, y, z); the basis is evaluated as the polynomial, so
 *       non-unit inputs are not renormalised (as in the reference).</li>
 *   <li>output: [N, 16], coefficient k of sample n at {@code out[n * 16 + k]}.</li>
 *   <li>backward: gradDirections [N, 3] = sum_k gradOut[n, k] * d SH_k / d(x, y, z) (overwritten).</li>
 * </ul>
 */
public final class SphericalHarmonics {
    public static final int DEGREE = 4;
    public static final int OUTPUT_DIM = DEGREE * DEGREE;

    static final float C0 = 0.28209479177387814f;
    static final float C1 = 0.48860251190291987f;
    static final float C2 = 1.0925484305920792f;
    static final float C3 = 0.94617469575755997f;
    static final float C4 = 0.31539156525251999f;
    static final float C5 = 0.54627421529603959f;
    static final float C6 = 0.59004358992664352f;
    static final float C7 = 2.8906114426405538f;
    static final float C8 = 0.45704579946446572f;
    static final float C9 = 0.3731763325901154f;
    static final float C10 = 1.4453057213202769f;

    private SphericalHarmonics() {
    }

    /** Forward over samples [start, end). */
    public static void forward(float[] directions, float[] out, int start, int end) {
        for (int n = start; n < end; n++) {
            float x = directions[n * 3];
            float y = directions[n * 3 + 1];
            float z = directions[n * 3 + 2];
            float xy = x * y;
            float xz = x * z;
            float yz = y * z;
            float x2 = x * x;
            float y2 = y * y;
            float z2 = z * z;
            int o = n * OUTPUT_DIM;
            out[o] = C0;
            out[o + 1] = -C1 * y;
            out[o + 2] = C1 * z;
            out[o + 3] = -C1 * x;
            out[o + 4] = C2 * xy;
            out[o + 5] = -C2 * yz;
            out[o + 6] = C3 * z2 - C4;
            out[o + 7] = -C2 * xz;
            out[o + 8] = C5 * x2 - C5 * y2;
            out[o + 9] = C6 * y * (-3.0f * x2 + y2);
            out[o + 10] = C7 * xy * z;
            out[o + 11] = C8 * y * (1.0f - 5.0f * z2);
            out[o + 12] = C9 * z * (5.0f * z2 - 3.0f);
            out[o + 13] = C8 * x * (1.0f - 5.0f * z2);
            out[o + 14] = C10 * z * (x2 - y2);
            out[o + 15] = C6 * x * (-x2 + 3.0f * y2);
        }
    }

    /** Backward over samples [start, end): overwrites gradDirections[n, 0..2]. */
    public static void backward(float[] directions, float[] gradOut, float[] gradDirections, int start, int end) {
        for (int n = start; n < end; n++) {
            float x = directions[n * 3];
            float y = directions[n * 3 + 1];
            float z = directions[n * 3 + 2];
            float x2 = x * x;
            float y2 = y * y;
            float z2 = z * z;
            int o = n * OUTPUT_DIM;
            float g1 = gradOut[o + 1];
            float g2 = gradOut[o + 2];
            float g3 = gradOut[o + 3];
            float g4 = gradOut[o + 4];
            float g5 = gradOut[o + 5];
            float g6 = gradOut[o + 6];
            float g7 = gradOut[o + 7];
            float g8 = gradOut[o + 8];
            float g9 = gradOut[o + 9];
            float g10 = gradOut[o + 10];
            float g11 = gradOut[o + 11];
            float g12 = gradOut[o + 12];
            float g13 = gradOut[o + 13];
            float g14 = gradOut[o + 14];
            float g15 = gradOut[o + 15];
            float dx = g3 * -C1
                    + g4 * (C2 * y)
                    + g7 * (-C2 * z)
                    + g8 * (2 * C5 * x)
                    + g9 * (-6 * C6 * x * y)
                    + g10 * (C7 * y * z)
                    + g13 * (C8 * (1 - 5 * z2))
                    + g14 * (2 * C10 * x * z)
                    + g15 * (3 * C6 * (y2 - x2));
            float dy = g1 * -C1
                    + g4 * (C2 * x)
                    + g5 * (-C2 * z)
                    + g8 * (-2 * C5 * y)
                    + g9 * (3 * C6 * (y2 - x2))
                    + g10 * (C7 * x * z)
                    + g11 * (C8 * (1 - 5 * z2))
                    + g14 * (-2 * C10 * y * z)
                    + g15 * (6 * C6 * x * y);
            float dz = g2 * C1
                    + g5 * (-C2 * y)
                    + g6 * (2 * C3 * z)
                    + g7 * (-C2 * x)
                    + g10 * (C7 * x * y)
                    + g11 * (-10 * C8 * y * z)
                    + g12 * (C9 * (15 * z2 - 3))
                    + g13 * (-10 * C8 * x * z)
                    + g14 * (C10 * (x2 - y2));
            gradDirections[n * 3] = dx;
            gradDirections[n * 3 + 1] = dy;
            gradDirections[n * 3 + 2] = dz;
        }
    }
}
