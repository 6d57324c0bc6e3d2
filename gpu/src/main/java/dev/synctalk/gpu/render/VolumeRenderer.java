package dev.synctalk.gpu.render;

/**
 * Volume rendering along rays (paper Eq. 9), torch-ngp's {@code composite_rays_train} and its
 * backward, one ray per task.
 *
 * <h2>Forward, per ray, samples i = 0 .. count-1 front to back</h2>
 * <pre>
 *   alpha_i = 1 - exp(-sigma_i * dt_i)
 *   w_i     = alpha_i * T_i            (T_0 = 1)
 *   rgb    += w_i * c_i;  depth += w_i * t_i;  weightsSum += w_i
 *   T_{i+1} = T_i * (1 - alpha_i)
 *   stop when T_{i+1} &lt; transmittanceThreshold (1e-4 in training)
 * </pre>
 * Early termination is exactly torch-ngp's: the test comes after the update, so the sample that
 * drives T below the threshold still contributes, and every later sample gets weight 0 and zero
 * gradient. With a background [R, 3] the image is {@code rgb + background * (1 - weightsSum)}.
 *
 * <h2>Backward (torch-ngp's composite_rays_train_backward, extended to depth and background)</h2>
 * The backward re-runs the ray to get the finals (RGB, D, A) and then, with running sums
 * rgb_i, d_i, a_i including sample i and T = T_{i+1}:
 * <pre>
 *   gradRgb_i   = gradImage * w_i
 *   gradSigma_i = dt_i * ( gradImage . (T c_i - (RGB - rgb_i))
 *                        + gradDepth  * (T t_i - (D - d_i))
 *                        + gradA      * (1 - A) )
 *   gradA       = gradWeightsSum - gradImage . background     (background term only when present)
 * </pre>
 * (1 - A) is T_{i+1} - (A - a_i), the same formula for a quantity of 1 per sample.
 *
 * <h2>Layouts</h2>
 * Samples as {@link RaySamples}; image [R, 3], depth [R], weightsSum [R], background [R, 3] or null;
 * gradImage [R, 3], gradDepth [R] or null, gradWeightsSum [R] or null; gradSigma [M], gradRgb [M, 3]
 * are overwritten for every sample of the batch's rays (zero after termination).
 */
public record VolumeRenderer(float transmittanceThreshold) {

    /** torch-ngp's training threshold T_thresh = 1e-4. */
    public static final float TRAINING_THRESHOLD = 1e-4f;

    public static VolumeRenderer training() {
        return new VolumeRenderer(TRAINING_THRESHOLD);
    }

    /** Forward over rays [start, end). */
    public void forward(int[] rays, float[] sigma, float[] rgb, float[] dt, float[] t, float[] background,
                        float[] image, float[] depth, float[] weightsSum, int start, int end) {
        for (int r = start; r < end; r++) {
            int offset = rays[2 * r];
            int count = rays[2 * r + 1];
            float transmittance = 1f;
            float cr = 0f;
            float cg = 0f;
            float cb = 0f;
            float d = 0f;
            float ws = 0f;
            for (int i = offset; i < offset + count; i++) {
                float alpha = 1f - (float) Math.exp(-sigma[i] * dt[i]);
                float w = alpha * transmittance;
                cr += w * rgb[3 * i];
                cg += w * rgb[3 * i + 1];
                cb += w * rgb[3 * i + 2];
                d += w * t[i];
                ws += w;
                transmittance *= 1f - alpha;
                if (transmittance < transmittanceThreshold) {
                    break;
                }
            }
            if (background != null) {
                float rest = 1f - ws;
                cr += background[3 * r] * rest;
                cg += background[3 * r + 1] * rest;
                cb += background[3 * r + 2] * rest;
            }
            image[3 * r] = cr;
            image[3 * r + 1] = cg;
            image[3 * r + 2] = cb;
            depth[r] = d;
            weightsSum[r] = ws;
        }
    }

    /** Backward over rays [start, end); see the class comment for the formulas. */
    public void backward(int[] rays, float[] sigma, float[] rgb, float[] dt, float[] t, float[] background,
                         float[] gradImage, float[] gradDepth, float[] gradWeightsSum,
                         float[] gradSigma, float[] gradRgb, int start, int end) {
        for (int r = start; r < end; r++) {
            int offset = rays[2 * r];
            int count = rays[2 * r + 1];
            for (int i = offset; i < offset + count; i++) {
                gradSigma[i] = 0f;
                gradRgb[3 * i] = 0f;
                gradRgb[3 * i + 1] = 0f;
                gradRgb[3 * i + 2] = 0f;
            }
            // pass 1: the finals, by the forward's exact arithmetic
            float transmittance = 1f;
            float finalR = 0f;
            float finalG = 0f;
            float finalB = 0f;
            float finalD = 0f;
            float finalA = 0f;
            for (int i = offset; i < offset + count; i++) {
                float alpha = 1f - (float) Math.exp(-sigma[i] * dt[i]);
                float w = alpha * transmittance;
                finalR += w * rgb[3 * i];
                finalG += w * rgb[3 * i + 1];
                finalB += w * rgb[3 * i + 2];
                finalD += w * t[i];
                finalA += w;
                transmittance *= 1f - alpha;
                if (transmittance < transmittanceThreshold) {
                    break;
                }
            }
            float gr = gradImage[3 * r];
            float gg = gradImage[3 * r + 1];
            float gb = gradImage[3 * r + 2];
            float gd = gradDepth == null ? 0f : gradDepth[r];
            float ga = gradWeightsSum == null ? 0f : gradWeightsSum[r];
            if (background != null) {
                ga -= gr * background[3 * r] + gg * background[3 * r + 1] + gb * background[3 * r + 2];
            }
            // pass 2: reverse-mode formula with running sums
            transmittance = 1f;
            float accR = 0f;
            float accG = 0f;
            float accB = 0f;
            float accD = 0f;
            for (int i = offset; i < offset + count; i++) {
                float alpha = 1f - (float) Math.exp(-sigma[i] * dt[i]);
                float w = alpha * transmittance;
                float cr = rgb[3 * i];
                float cg = rgb[3 * i + 1];
                float cb = rgb[3 * i + 2];
                accR += w * cr;
                accG += w * cg;
                accB += w * cb;
                accD += w * t[i];
                transmittance *= 1f - alpha;
                gradRgb[3 * i] = gr * w;
                gradRgb[3 * i + 1] = gg * w;
                gradRgb[3 * i + 2] = gb * w;
                gradSigma[i] = dt[i] * (
                        gr * (transmittance * cr - (finalR - accR))
                                + gg * (transmittance * cg - (finalG - accG))
                                + gb * (transmittance * cb - (finalB - accB))
                                + gd * (transmittance * t[i] - (finalD - accD))
                                + ga * (1f - finalA));
                if (transmittance < transmittanceThreshold) {
                    break;
                }
            }
        }
    }
}
