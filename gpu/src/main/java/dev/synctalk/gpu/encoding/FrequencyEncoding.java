package dev.synctalk.gpu.encoding;

/**
 * Positional (frequency) encoding: sin and cos of {@code 2^k * x} (optionally {@code 2^k * pi * x})
 * for k = 0 .. frequencies-1, optionally preceded by the input itself.
 *
 * <p>SyncTalk's torso uses torch-ngp's {@code freqencoder} ({@code get_encoder('frequency', multires)}),
 * which does <em>not</em> multiply by pi; {@link #torchNgp(int, int)} builds that variant and is what
 * the model should use. The pi-scaled variant is the original NeRF form.
 *
 * <h2>Layouts</h2>
 * <ul>
 *   <li>input: [N, D].</li>
 *   <li>output: [N, C] with C = (includeInput ? D : 0) + 2 * D * frequencies, torch-ngp's order:
 *       {@code [x_0..x_{D-1} | sin(a_0 x) (D) | cos(a_0 x) (D) | sin(a_1 x) (D) | cos(a_1 x) (D) | ...]},
 *       a_k = 2^k (times pi when piScaled).</li>
 *   <li>backward: gradInput [N, D] overwritten.</li>
 * </ul>
 */
public record FrequencyEncoding(int inputDim, int frequencies, boolean includeInput, boolean piScaled) {

    public FrequencyEncoding {
        if (inputDim < 1 || frequencies < 0) {
            throw new IllegalArgumentException("frequency encoding needs inputDim >= 1 and frequencies >= 0, got "
                    + inputDim + ", " + frequencies);
        }
    }

    /** The reference's FreqEncoder(input_dim, degree): input included, no pi. */
    public static FrequencyEncoding torchNgp(int inputDim, int degree) {
        return new FrequencyEncoding(inputDim, degree, true, false);
    }

    public int outputDim() {
        return (includeInput ? inputDim : 0) + 2 * inputDim * frequencies;
    }

    private float frequency(int k) {
        double a = Math.scalb(1.0, k);
        return (float) (piScaled ? a * Math.PI : a);
    }

    /** Forward over samples [start, end). */
    public void forward(float[] x, float[] out, int start, int end) {
        int d = inputDim;
        int c = outputDim();
        int head = includeInput ? d : 0;
        for (int n = start; n < end; n++) {
            int o = n * c;
            if (includeInput) {
                System.arraycopy(x, n * d, out, o, d);
            }
            for (int k = 0; k < frequencies; k++) {
                float a = frequency(k);
                int s = o + head + 2 * d * k;
                for (int j = 0; j < d; j++) {
                    float arg = a * x[n * d + j];
                    out[s + j] = (float) Math.sin(arg);
                    out[s + d + j] = (float) Math.cos(arg);
                }
            }
        }
    }

    /** Backward over samples [start, end): gradX[n, j] = [g_x] + sum_k a_k (g_sin cos - g_cos sin). */
    public void backward(float[] x, float[] gradOut, float[] gradX, int start, int end) {
        int d = inputDim;
        int c = outputDim();
        int head = includeInput ? d : 0;
        for (int n = start; n < end; n++) {
            int o = n * c;
            for (int j = 0; j < d; j++) {
                float g = includeInput ? gradOut[o + j] : 0f;
                for (int k = 0; k < frequencies; k++) {
                    float a = frequency(k);
                    int s = o + head + 2 * d * k;
                    float arg = a * x[n * d + j];
                    g += a * (gradOut[s + j] * (float) Math.cos(arg) - gradOut[s + d + j] * (float) Math.sin(arg));
                }
                gradX[n * d + j] = g;
            }
        }
    }
}
