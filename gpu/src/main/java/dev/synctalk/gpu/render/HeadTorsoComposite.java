package dev.synctalk.gpu.render;

/**
 * The reference's full frame with a torso, per pixel: the torso over the background image, then the
 * volume-rendered head over that,
 * <pre>
 *   torso[c] = a * torso_rgb[c] + (1 - a) * bg[c]                      ({@link AlphaOver})
 *   out[c]   = head_acc[c] + torso[c] * (1 - head_opacity)             ({@link VolumeRenderer}'s background term)
 * </pre>
 * with head_acc the head's colour rendered without a background. Without a head, out = torso. In float,
 * in this order: bit-identical to rendering the head over the torso image, and to torso.cu's
 * head_torso_composite. Layouts: headAccum, torsoRgb, background, out [N, 3]; headOpacity, alpha [N].
 */
public final class HeadTorsoComposite {

    private HeadTorsoComposite() {
    }

    /** Pixels [start, end); headAccum and headOpacity null for the torso over the background alone. */
    public static void forward(float[] headAccum, float[] headOpacity, float[] alpha, float[] torsoRgb,
                               float[] background, float[] out, int start, int end) {
        for (int n = start; n < end; n++) {
            float a = alpha[n];
            float rest = headOpacity == null ? 0f : 1f - headOpacity[n];
            for (int c = 0; c < 3; c++) {
                int i = 3 * n + c;
                float torso = a * torsoRgb[i] + (1f - a) * background[i];
                out[i] = headAccum == null ? torso : headAccum[i] + torso * rest;
            }
        }
    }
}
