package dev.synctalk.gpu.conv;

import dev.synctalk.gpu.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * 2D convolution (torch.nn.Conv2d, cross-correlation, zero padding, groups 1, dilation 1), CPU op.
 *
 * <h2>Layouts (NCHW)</h2>
 * <ul>
 *   <li>x: [N, Cin, H, W]; y: [N, Cout, Ho, Wo] with Ho = (H + 2 padH - kernelH) / strideH + 1 (floor),
 *       likewise Wo.</li>
 *   <li>weight: [Cout, Cin, kernelH, kernelW]; bias: [Cout] or absent.</li>
 *   <li>y[n, co, i, j] = bias[co] + sum_ci sum_kh sum_kw weight[co, ci, kh, kw]
 *       * x[n, ci, i * strideH + kh - padH, j * strideW + kw - padW] (zero outside the input).</li>
 * </ul>
 * Every method works on the batch items [start, end) so callers can split batches across threads; each
 * output element is written by one item, so any split gives the same bits.
 */
public record Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
                     int padH, int padW) {

    public Conv2d {
        if (inChannels < 1 || outChannels < 1 || kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1
                || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("invalid conv2d: in=" + inChannels + " out=" + outChannels + " kernel="
                    + kernelH + "x" + kernelW + " stride=" + strideH + "x" + strideW + " padding=" + padH + "x" + padW);
        }
    }

    /** Square kernel, equal strides and padding. */
    public static Conv2d square(int inChannels, int outChannels, int kernel, int stride, int padding) {
        return new Conv2d(inChannels, outChannels, kernel, kernel, stride, stride, padding, padding);
    }

    public int outputHeight(int inputHeight) {
        return outputSize("height", inputHeight, kernelH, strideH, padH);
    }

    public int outputWidth(int inputWidth) {
        return outputSize("width", inputWidth, kernelW, strideW, padW);
    }

    private static int outputSize(String axis, int input, int kernel, int stride, int padding) {
        int span = input + 2 * padding - kernel;
        if (input < 1 || span < 0) {
            throw new IllegalArgumentException("conv2d kernel " + kernel + " with padding " + padding
                    + " does not fit an input " + axis + " of " + input);
        }
        return span / stride + 1;
    }

    public int weightCount() {
        return outChannels * inChannels * kernelH * kernelW;
    }

    /** torch's default init (kaiming uniform with a = sqrt(5)): U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
    public Tensor newWeight(SplittableRandom rng) {
        float k = (float) (1.0 / Math.sqrt(inChannels * kernelH * kernelW));
        return Tensor.uniform(rng, -k, k, outChannels, inChannels, kernelH, kernelW);
    }

    /** torch's default bias init, same bound as the weight. */
    public Tensor newBias(SplittableRandom rng) {
        float k = (float) (1.0 / Math.sqrt(inChannels * kernelH * kernelW));
        return Tensor.uniform(rng, -k, k, outChannels);
    }

    /** Forward over batch items [start, end); bias may be null. Output overwritten. */
    public void forward(float[] x, float[] w, float[] bias, float[] y, int height, int width, int start, int end) {
        int ho = outputHeight(height);
        int wo = outputWidth(width);
        int plane = height * width;
        int outPlane = ho * wo;
        for (int n = start; n < end; n++) {
            for (int co = 0; co < outChannels; co++) {
                int yBase = (n * outChannels + co) * outPlane;
                float b = bias == null ? 0f : bias[co];
                for (int p = 0; p < outPlane; p++) {
                    y[yBase + p] = b;
                }
                for (int ci = 0; ci < inChannels; ci++) {
                    int xBase = (n * inChannels + ci) * plane;
                    int wBase = (co * inChannels + ci) * kernelH * kernelW;
                    for (int kh = 0; kh < kernelH; kh++) {
                        for (int kw = 0; kw < kernelW; kw++) {
                            float wv = w[wBase + kh * kernelW + kw];
                            for (int i = 0; i < ho; i++) {
                                int si = i * strideH + kh - padH;
                                if (si < 0 || si >= height) {
                                    continue;
                                }
                                int xRow = xBase + si * width;
                                int yRow = yBase + i * wo;
                                for (int j = 0; j < wo; j++) {
                                    int sj = j * strideW + kw - padW;
                                    if (sj >= 0 && sj < width) {
                                        y[yRow + j] += wv * x[xRow + sj];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Input gradient over batch items [start, end), overwritten. */
    public void backwardInput(float[] gradY, float[] w, float[] gradX, int height, int width, int start, int end) {
        int ho = outputHeight(height);
        int wo = outputWidth(width);
        int plane = height * width;
        int outPlane = ho * wo;
        for (int n = start; n < end; n++) {
            for (int ci = 0; ci < inChannels; ci++) {
                int xBase = (n * inChannels + ci) * plane;
                for (int p = 0; p < plane; p++) {
                    gradX[xBase + p] = 0f;
                }
                for (int co = 0; co < outChannels; co++) {
                    int gBase = (n * outChannels + co) * outPlane;
                    int wBase = (co * inChannels + ci) * kernelH * kernelW;
                    for (int kh = 0; kh < kernelH; kh++) {
                        for (int kw = 0; kw < kernelW; kw++) {
                            float wv = w[wBase + kh * kernelW + kw];
                            for (int i = 0; i < ho; i++) {
                                int si = i * strideH + kh - padH;
                                if (si < 0 || si >= height) {
                                    continue;
                                }
                                for (int j = 0; j < wo; j++) {
                                    int sj = j * strideW + kw - padW;
                                    if (sj >= 0 && sj < width) {
                                        gradX[xBase + si * width + sj] += wv * gradY[gBase + i * wo + j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Parameter gradients accumulated (+=) over all {@code batch} items: gradWeight [Cout, Cin, kh, kw] and
     * gradBias [Cout] (nullable). Items are visited in order, so the sums are reproducible.
     */
    public void backwardParameters(float[] x, float[] gradY, float[] gradWeight, float[] gradBias, int batch,
                                   int height, int width) {
        int ho = outputHeight(height);
        int wo = outputWidth(width);
        int plane = height * width;
        int outPlane = ho * wo;
        for (int co = 0; co < outChannels; co++) {
            for (int n = 0; n < batch; n++) {
                int gBase = (n * outChannels + co) * outPlane;
                if (gradBias != null) {
                    float sum = 0f;
                    for (int p = 0; p < outPlane; p++) {
                        sum += gradY[gBase + p];
                    }
                    gradBias[co] += sum;
                }
                for (int ci = 0; ci < inChannels; ci++) {
                    int xBase = (n * inChannels + ci) * plane;
                    int wBase = (co * inChannels + ci) * kernelH * kernelW;
                    for (int kh = 0; kh < kernelH; kh++) {
                        for (int kw = 0; kw < kernelW; kw++) {
                            float acc = 0f;
                            for (int i = 0; i < ho; i++) {
                                int si = i * strideH + kh - padH;
                                if (si < 0 || si >= height) {
                                    continue;
                                }
                                for (int j = 0; j < wo; j++) {
                                    int sj = j * strideW + kw - padW;
                                    if (sj >= 0 && sj < width) {
                                        acc += gradY[gBase + i * wo + j] * x[xBase + si * width + sj];
                                    }
                                }
                            }
                            gradWeight[wBase + kh * kernelW + kw] += acc;
                        }
                    }
                }
            }
        }
    }

    /** Tensor form of {@link #forward}: x [N, Cin, H, W] -> new y [N, Cout, Ho, Wo]. */
    public Tensor forward(Tensor x, Tensor weight, Tensor bias) {
        requireInput(x);
        Tensor.requireShape("conv2d weight", weight, outChannels, inChannels, kernelH, kernelW);
        if (bias != null) {
            Tensor.requireShape("conv2d bias", bias, outChannels);
        }
        int n = x.dim(0);
        Tensor y = Tensor.zeros(n, outChannels, outputHeight(x.dim(2)), outputWidth(x.dim(3)));
        forward(x.data(), weight.data(), bias == null ? null : bias.data(), y.data(), x.dim(2), x.dim(3), 0, n);
        return y;
    }

    void requireInput(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException("conv2d input must be [N, " + inChannels + ", H, W], got " + x);
        }
    }
}
