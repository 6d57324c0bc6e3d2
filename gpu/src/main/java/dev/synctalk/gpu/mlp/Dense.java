package dev.synctalk.gpu.mlp;

import dev.synctalk.gpu.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Fully connected layer y = x W^T (+ b), torch.nn.Linear's convention.
 *
 * <h2>Layouts</h2>
 * <ul>
 *   <li>x: [N, in]; y: [N, out]; W: [out, in] row-major; b: [out] (absent when {@code bias} is false,
 *       as in SyncTalk's MLPs).</li>
 *   <li>Parameter-gradient partial buffer (one per row chunk): {@code [out * in]} weight gradient
 *       followed by {@code [out]} bias gradient when the layer has a bias.</li>
 * </ul>
 */
public record Dense(int inFeatures, int outFeatures, boolean bias) {

    public Dense {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("dense layer needs positive sizes, got " + inFeatures + " -> " + outFeatures);
        }
    }

    public int weightCount() {
        return inFeatures * outFeatures;
    }

    /** Length of one chunk's parameter-gradient partial buffer. */
    public int partialLength() {
        return weightCount() + (bias ? outFeatures : 0);
    }

    /** W [out, in] with torch.nn.Linear's default init, U(-1/sqrt(in), 1/sqrt(in)). */
    public Tensor newWeight(SplittableRandom rng) {
        float k = (float) (1.0 / Math.sqrt(inFeatures));
        return Tensor.uniform(rng, -k, k, outFeatures, inFeatures);
    }

    /** b [out] with torch.nn.Linear's default init, U(-1/sqrt(in), 1/sqrt(in)). */
    public Tensor newBias(SplittableRandom rng) {
        float k = (float) (1.0 / Math.sqrt(inFeatures));
        return Tensor.uniform(rng, -k, k, outFeatures);
    }

    /** Forward over rows [start, end); {@code b} may be null when the layer has no bias. */
    public void forward(float[] x, float[] w, float[] b, float[] y, int start, int end) {
        int in = inFeatures;
        int out = outFeatures;
        for (int n = start; n < end; n++) {
            int xo = n * in;
            int yo = n * out;
            for (int o = 0; o < out; o++) {
                int wo = o * in;
                float acc = 0f;
                for (int i = 0; i < in; i++) {
                    acc += x[xo + i] * w[wo + i];
                }
                y[yo + o] = b == null ? acc : acc + b[o];
            }
        }
    }

    /** Input gradient over rows [start, end): gradX = gradY W (overwritten), summed over outputs in order. */
    public void backwardInput(float[] gradY, float[] w, float[] gradX, int start, int end) {
        int in = inFeatures;
        int out = outFeatures;
        for (int n = start; n < end; n++) {
            int xo = n * in;
            for (int i = 0; i < in; i++) {
                gradX[xo + i] = 0f;
            }
            for (int o = 0; o < out; o++) {
                float g = gradY[n * out + o];
                int wo = o * in;
                for (int i = 0; i < in; i++) {
                    gradX[xo + i] += g * w[wo + i];
                }
            }
        }
    }

    /** Adds rows [start, end)'s weight (and bias) gradient into {@code partial}, rows in order. */
    public void backwardParams(float[] x, float[] gradY, float[] partial, int start, int end) {
        int in = inFeatures;
        int out = outFeatures;
        int biasBase = weightCount();
        for (int n = start; n < end; n++) {
            int xo = n * in;
            for (int o = 0; o < out; o++) {
                float g = gradY[n * out + o];
                int wo = o * in;
                for (int i = 0; i < in; i++) {
                    partial[wo + i] += g * x[xo + i];
                }
                if (bias) {
                    partial[biasBase + o] += g;
                }
            }
        }
    }
}
