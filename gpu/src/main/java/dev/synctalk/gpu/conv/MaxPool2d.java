package dev.synctalk.gpu.conv;

/**
 * 2D max pooling (torch.nn.MaxPool2d without padding or dilation, floor mode), CPU op, NCHW.
 *
 * <p>Ho = (H - kernel) / stride + 1 (floor), likewise Wo. Each output keeps the index (into its input
 * plane) of its maximum; ties go to the first in row-major order, as torch's CPU kernel does, so the
 * backward routes the whole gradient to that one input.
 */
public record MaxPool2d(int kernel, int stride) {

    public MaxPool2d {
        if (kernel < 1 || stride < 1) {
            throw new IllegalArgumentException("invalid max pool: kernel " + kernel + ", stride " + stride);
        }
    }

    public int outputSize(int input) {
        if (input < kernel) {
            throw new IllegalArgumentException("max pool kernel " + kernel + " does not fit an input side of " + input);
        }
        return (input - kernel) / stride + 1;
    }

    /**
     * Forward over {@code planes} = N * C planes of height x width: y [planes, Ho, Wo] overwritten and
     * argmax [planes, Ho, Wo] = index within the input plane of each maximum.
     */
    public void forward(float[] x, float[] y, int[] argmax, int planes, int height, int width) {
        int ho = outputSize(height);
        int wo = outputSize(width);
        int plane = height * width;
        for (int p = 0; p < planes; p++) {
            int xBase = p * plane;
            int yBase = p * ho * wo;
            for (int i = 0; i < ho; i++) {
                for (int j = 0; j < wo; j++) {
                    int best = (i * stride) * width + j * stride;
                    float max = x[xBase + best];
                    for (int ki = 0; ki < kernel; ki++) {
                        int row = (i * stride + ki) * width;
                        for (int kj = 0; kj < kernel; kj++) {
                            int at = row + j * stride + kj;
                            float v = x[xBase + at];
                            if (v > max || Float.isNaN(v)) {
                                max = v;
                                best = at;
                            }
                        }
                    }
                    y[yBase + i * wo + j] = max;
                    argmax[yBase + i * wo + j] = best;
                }
            }
        }
    }

    /** Input gradient, overwritten: each output's gradient goes to the input its maximum came from. */
    public void backward(float[] gradY, int[] argmax, float[] gradX, int planes, int height, int width) {
        int ho = outputSize(height);
        int wo = outputSize(width);
        int plane = height * width;
        java.util.Arrays.fill(gradX, 0, planes * plane, 0f);
        for (int p = 0; p < planes; p++) {
            int yBase = p * ho * wo;
            for (int o = 0; o < ho * wo; o++) {
                gradX[p * plane + argmax[yBase + o]] += gradY[yBase + o];
            }
        }
    }
}
