package dev.synctalk.gpu.mlp;

import dev.synctalk.gpu.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * 1D convolution, stride 1, zero padding {@code padding} on both ends, with bias (torch.nn.Conv1d);
 * SyncTalk's AudioAttNet stacks 32->16->8->4->2->1 with kernel 3, padding 1.
 *
 * <h2>Layouts</h2>
 * <ul>
 *   <li>x: [B, Cin, L]; y: [B, Cout, Lout] with Lout = L + 2 * padding - kernel + 1.</li>
 *   <li>weight: [Cout, Cin, K]; bias: [Cout].</li>
 *   <li>y[b, co, t] = bias[co] + sum_ci sum_k weight[co, ci, k] * x[b, ci, t + k - padding].</li>
 * </ul>
 */
public record Conv1d(int inChannels, int outChannels, int kernelSize, int padding) {

    public Conv1d {
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || padding < 0) {
            throw new IllegalArgumentException("invalid conv1d: in=" + inChannels + " out=" + outChannels
                    + " kernel=" + kernelSize + " padding=" + padding);
        }
    }

    public int outputLength(int inputLength) {
        int out = inputLength + 2 * padding - kernelSize + 1;
        if (out < 1) {
            throw new IllegalArgumentException("conv1d kernel " + kernelSize + " with padding " + padding
                    + " does not fit an input of length " + inputLength);
        }
        return out;
    }

    /** torch.nn.Conv1d default init: U(-1/sqrt(Cin*K), 1/sqrt(Cin*K)) for weight. */
    public Tensor newWeight(SplittableRandom rng) {
        float k = (float) (1.0 / Math.sqrt(inChannels * kernelSize));
        return Tensor.uniform(rng, -k, k, outChannels, inChannels, kernelSize);
    }

    /** torch.nn.Conv1d default init for bias, same bound as the weight. */
    public Tensor newBias(SplittableRandom rng) {
        float k = (float) (1.0 / Math.sqrt(inChannels * kernelSize));
        return Tensor.uniform(rng, -k, k, outChannels);
    }

    /** Forward over batch items [start, end). */
    public void forward(float[] x, float[] w, float[] b, float[] y, int length, int start, int end) {
        int lout = outputLength(length);
        for (int n = start; n < end; n++) {
            for (int co = 0; co < outChannels; co++) {
                for (int t = 0; t < lout; t++) {
                    float acc = b[co];
                    for (int ci = 0; ci < inChannels; ci++) {
                        int xBase = (n * inChannels + ci) * length;
                        int wBase = (co * inChannels + ci) * kernelSize;
                        for (int k = 0; k < kernelSize; k++) {
                            int s = t + k - padding;
                            if (s >= 0 && s < length) {
                                acc += w[wBase + k] * x[xBase + s];
                            }
                        }
                    }
                    y[(n * outChannels + co) * lout + t] = acc;
                }
            }
        }
    }

    /** Input gradient over batch items [start, end) (overwritten). */
    public void backwardInput(float[] gradY, float[] w, float[] gradX, int length, int start, int end) {
        int lout = outputLength(length);
        for (int n = start; n < end; n++) {
            for (int ci = 0; ci < inChannels; ci++) {
                for (int s = 0; s < length; s++) {
                    float acc = 0f;
                    for (int co = 0; co < outChannels; co++) {
                        int wBase = (co * inChannels + ci) * kernelSize;
                        int gBase = (n * outChannels + co) * lout;
                        for (int k = 0; k < kernelSize; k++) {
                            int t = s - k + padding;
                            if (t >= 0 && t < lout) {
                                acc += gradY[gBase + t] * w[wBase + k];
                            }
                        }
                    }
                    gradX[(n * inChannels + ci) * length + s] = acc;
                }
            }
        }
    }

    /**
     * Weight and bias gradient of output channel {@code co}, summed over the whole batch in order and
     * added into gradW[co, :, :] and gradB[co]: channels own disjoint slices, one task each.
     */
    public void backwardParamsOfChannel(int co, float[] x, float[] gradY, float[] gradW, float[] gradB,
                                        int batch, int length) {
        int lout = outputLength(length);
        float biasAcc = 0f;
        for (int n = 0; n < batch; n++) {
            int gBase = (n * outChannels + co) * lout;
            for (int t = 0; t < lout; t++) {
                biasAcc += gradY[gBase + t];
            }
        }
        gradB[co] += biasAcc;
        for (int ci = 0; ci < inChannels; ci++) {
            int wBase = (co * inChannels + ci) * kernelSize;
            for (int k = 0; k < kernelSize; k++) {
                float acc = 0f;
                for (int n = 0; n < batch; n++) {
                    int gBase = (n * outChannels + co) * lout;
                    int xBase = (n * inChannels + ci) * length;
                    for (int t = 0; t < lout; t++) {
                        int s = t + k - padding;
                        if (s >= 0 && s < length) {
                            acc += gradY[gBase + t] * x[xBase + s];
                        }
                    }
                }
                gradW[wBase + k] += acc;
            }
        }
    }
}
