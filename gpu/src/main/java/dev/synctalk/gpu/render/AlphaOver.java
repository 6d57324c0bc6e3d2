package dev.synctalk.gpu.render;

/**
 * Straight-alpha "over" compositing of a foreground onto a background, per pixel: SyncTalk's torso
 * over the background image, {@code torso_color * torso_alpha + bg * (1 - torso_alpha)}.
 * <pre>
 *   out[n, c]        = a[n] * fg[n, c] + (1 - a[n]) * bg[n, c]
 *   gradAlpha[n]     = sum_c gradOut[n, c] * (fg[n, c] - bg[n, c])
 *   gradFg[n, c]     = gradOut[n, c] * a[n]
 *   gradBg[n, c]     = gradOut[n, c] * (1 - a[n])
 * </pre>
 * Layouts: alpha [N], foreground, background, out and their gradients [N, 3]. Backward outputs are
 * overwritten (not accumulated); each is optional.
 */
public final class AlphaOver {
    public static final int CHANNELS = 3;

    private AlphaOver() {
    }

    /** Forward over pixels [start, end). */
    public static void forward(float[] alpha, float[] foreground, float[] background, float[] out, int start, int end) {
        for (int n = start; n < end; n++) {
            float a = alpha[n];
            for (int c = 0; c < CHANNELS; c++) {
                int i = CHANNELS * n + c;
                out[i] = a * foreground[i] + (1f - a) * background[i];
            }
        }
    }

    /** Backward over pixels [start, end); null gradient arrays are skipped. */
    public static void backward(float[] alpha, float[] foreground, float[] background, float[] gradOut,
                                float[] gradAlpha, float[] gradForeground, float[] gradBackground, int start, int end) {
        for (int n = start; n < end; n++) {
            float a = alpha[n];
            float ga = 0f;
            for (int c = 0; c < CHANNELS; c++) {
                int i = CHANNELS * n + c;
                float g = gradOut[i];
                ga += g * (foreground[i] - background[i]);
                if (gradForeground != null) {
                    gradForeground[i] = g * a;
                }
                if (gradBackground != null) {
                    gradBackground[i] = g * (1f - a);
                }
            }
            if (gradAlpha != null) {
                gradAlpha[n] = ga;
            }
        }
    }
}
