package dev.synctalk.gpu.conv;

import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.optim.AdamWUpdate;
import dev.synctalk.gpu.tensor.DeterministicPool;

import java.util.Arrays;

/**
 * {@link ConvOps} in pure Java: the numerical reference, and what CI trains on. Work is split across a
 * {@link DeterministicPool} so that every output element (or parameter gradient) is computed by one task
 * in a fixed order: results are bit-identical for any thread count.
 *
 * <p>The convolutions go through im2col, one batch item per task, so the inner loops are long
 * multiply-adds over a whole output plane (or, for the filter gradient, over all taps): each output
 * element sums its bias, then its taps in the order (ci, kh, kw), as {@link Conv2d#forward} does; the
 * filter gradient sums per chunk of {@value #FILTER_CHUNK} items and then the chunks in order.
 */
public final class CpuConvOps implements ConvOps {
    /** Floats per task of the element-wise ops. */
    private static final int ELEMENT_CHUNK = 1 << 16;

    private final DeterministicPool pool;

    public CpuConvOps(int threads) {
        this.pool = new DeterministicPool(threads);
    }

    @Override
    public String name() {
        return "cpu(" + pool.threads() + " threads)";
    }

    /** A host buffer: just a float array. */
    static final class HostBuffer implements ConvBuffer {
        final float[] data;

        HostBuffer(float[] data) {
            this.data = data;
        }

        @Override
        public long floats() {
            return data.length;
        }

        @Override
        public void close() {
        }
    }

    private static float[] a(ConvBuffer b) {
        if (b == null) {
            return null;
        }
        if (!(b instanceof HostBuffer h)) {
            throw new IllegalArgumentException("buffer " + b + " does not belong to the CPU ops");
        }
        return h.data;
    }

    private static int count(long n) {
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("CPU ops handle up to 2^31 - 1 floats, got " + n);
        }
        return (int) n;
    }

    // ---- memory -------------------------------------------------------------------------------------

    @Override
    public ConvBuffer zeros(long floats) {
        return new HostBuffer(new float[count(floats)]);
    }

    @Override
    public ConvBuffer upload(float[] values) {
        return new HostBuffer(values.clone());
    }

    @Override
    public void upload(float[] values, ConvBuffer target) {
        System.arraycopy(values, 0, a(target), 0, values.length);
    }

    @Override
    public void download(ConvBuffer source, float[] target) {
        System.arraycopy(a(source), 0, target, 0, target.length);
    }

    @Override
    public void zero(ConvBuffer buffer) {
        Arrays.fill(a(buffer), 0f);
    }

    @Override
    public void accumulate(ConvBuffer x, ConvBuffer y, long n) {
        float[] xs = a(x);
        float[] ys = a(y);
        pool.forEachChunk(count(n), ELEMENT_CHUNK, (start, end) -> {
            for (int i = start; i < end; i++) {
                ys[i] += xs[i];
            }
        });
    }

    // ---- convolution --------------------------------------------------------------------------------

    /** First output index whose tap at kernel offset k lands inside [0, size): ceil((pad - k) / stride), at least 0. */
    static int firstValid(int k, int pad, int stride) {
        return Math.max(0, -Math.floorDiv(k - pad, stride));
    }

    /** One past the last output index whose tap lands inside [0, size), at most outSize. */
    static int endValid(int k, int pad, int stride, int size, int outSize) {
        return Math.min(outSize, Math.floorDiv(size - 1 + pad - k, stride) + 1);
    }

    /**
     * col[k][p] (or, transposed, col[p][k]) = x[ci, i sh + r - ph, j sw + s - pw] of item n, zero outside the
     * input; k = (ci kh + r) kw + s, p = i wo + j. Returns {@code col} filled.
     */
    static float[] im2col(Conv2d conv, float[] x, int n, int height, int width, float[] col, boolean transposed) {
        int cin = conv.inChannels();
        int kh = conv.kernelH();
        int kw = conv.kernelW();
        int ho = conv.outputHeight(height);
        int wo = conv.outputWidth(width);
        int outPlane = ho * wo;
        int taps = cin * kh * kw;
        Arrays.fill(col, 0, taps * outPlane, 0f);
        for (int ci = 0; ci < cin; ci++) {
            int xBase = (n * cin + ci) * height * width;
            for (int r = 0; r < kh; r++) {
                int i0 = firstValid(r, conv.padH(), conv.strideH());
                int i1 = endValid(r, conv.padH(), conv.strideH(), height, ho);
                for (int s = 0; s < kw; s++) {
                    int k = (ci * kh + r) * kw + s;
                    int j0 = firstValid(s, conv.padW(), conv.strideW());
                    int j1 = endValid(s, conv.padW(), conv.strideW(), width, wo);
                    for (int i = i0; i < i1; i++) {
                        int xRow = xBase + (i * conv.strideH() + r - conv.padH()) * width + s - conv.padW();
                        for (int j = j0; j < j1; j++) {
                            float v = x[xRow + j * conv.strideW()];
                            if (transposed) {
                                col[(i * wo + j) * taps + k] = v;
                            } else {
                                col[k * outPlane + i * wo + j] = v;
                            }
                        }
                    }
                }
            }
        }
        return col;
    }

    /** Whether the convolution reads its input unchanged as col (1x1, stride 1, no padding). */
    private static boolean pointwise(Conv2d conv) {
        return conv.kernelH() == 1 && conv.kernelW() == 1 && conv.strideH() == 1 && conv.strideW() == 1
                && conv.padH() == 0 && conv.padW() == 0;
    }

    @Override
    public void conv2dForward(Conv2d conv, ConvBuffer x, ConvBuffer weight, ConvBuffer bias, ConvBuffer y, int batch,
                              int height, int width) {
        float[] xs = a(x);
        float[] w = a(weight);
        float[] b = a(bias);
        float[] ys = a(y);
        int cout = conv.outChannels();
        int outPlane = conv.outputHeight(height) * conv.outputWidth(width);
        int taps = conv.inChannels() * conv.kernelH() * conv.kernelW();
        boolean pointwise = pointwise(conv);
        // each output element sums bias, then its taps in the order (ci, kh, kw): the same for any split
        pool.forEachTask(batch, n -> {
            float[] col = pointwise ? xs : im2col(conv, xs, n, height, width, new float[taps * outPlane], false);
            int colBase = pointwise ? n * taps * outPlane : 0;
            for (int co = 0; co < cout; co++) {
                int yBase = (n * cout + co) * outPlane;
                Arrays.fill(ys, yBase, yBase + outPlane, b == null ? 0f : b[co]);
                for (int k = 0; k < taps; k++) {
                    float wv = w[co * taps + k];
                    int c = colBase + k * outPlane;
                    for (int p = 0; p < outPlane; p++) {
                        ys[yBase + p] += wv * col[c + p];
                    }
                }
            }
        });
    }

    @Override
    public void conv2dBackwardData(Conv2d conv, ConvBuffer gradY, ConvBuffer weight, ConvBuffer gradX, int batch,
                                   int height, int width) {
        float[] gy = a(gradY);
        float[] w = a(weight);
        float[] gx = a(gradX);
        int cin = conv.inChannels();
        int cout = conv.outChannels();
        int kh = conv.kernelH();
        int kw = conv.kernelW();
        int ho = conv.outputHeight(height);
        int wo = conv.outputWidth(width);
        int outPlane = ho * wo;
        int taps = cin * kh * kw;
        pool.forEachTask(batch, n -> {
            // gradCol[k][p] = sum over co (in order) of w[co][k] gradY[co][p], then scattered back tap by tap
            float[] gradCol = new float[taps * outPlane];
            for (int co = 0; co < cout; co++) {
                int gBase = (n * cout + co) * outPlane;
                for (int k = 0; k < taps; k++) {
                    float wv = w[co * taps + k];
                    int c = k * outPlane;
                    for (int p = 0; p < outPlane; p++) {
                        gradCol[c + p] += wv * gy[gBase + p];
                    }
                }
            }
            for (int ci = 0; ci < cin; ci++) {
                int xBase = (n * cin + ci) * height * width;
                for (int r = 0; r < kh; r++) {
                    int i0 = firstValid(r, conv.padH(), conv.strideH());
                    int i1 = endValid(r, conv.padH(), conv.strideH(), height, ho);
                    for (int s = 0; s < kw; s++) {
                        int c = ((ci * kh + r) * kw + s) * outPlane;
                        int j0 = firstValid(s, conv.padW(), conv.strideW());
                        int j1 = endValid(s, conv.padW(), conv.strideW(), width, wo);
                        for (int i = i0; i < i1; i++) {
                            int xRow = xBase + (i * conv.strideH() + r - conv.padH()) * width + s - conv.padW();
                            for (int j = j0; j < j1; j++) {
                                gx[xRow + j * conv.strideW()] += gradCol[c + i * wo + j];
                            }
                        }
                    }
                }
            }
        });
    }

    /** Items per partial sum of the filter gradient: fixed, so the sums do not depend on the thread count. */
    private static final int FILTER_CHUNK = 4;

    @Override
    public void conv2dBackwardFilter(Conv2d conv, ConvBuffer x, ConvBuffer gradY, ConvBuffer gradWeight,
                                     ConvBuffer gradBias, int batch, int height, int width) {
        float[] xs = a(x);
        float[] gy = a(gradY);
        float[] gw = a(gradWeight);
        float[] gb = a(gradBias);
        int cout = conv.outChannels();
        int outPlane = conv.outputHeight(height) * conv.outputWidth(width);
        int taps = conv.inChannels() * conv.kernelH() * conv.kernelW();
        // per chunk of FILTER_CHUNK items a partial gradient (items, then output pixels, in order), the
        // partials summed in chunk order; a zero output gradient adds nothing and is skipped
        pool.sumChunkPartials(batch, FILTER_CHUNK, gw, 0, cout * taps, (start, end, partial) -> {
            float[] colT = new float[outPlane * taps];
            for (int n = start; n < end; n++) {
                im2col(conv, xs, n, height, width, colT, true);
                for (int co = 0; co < cout; co++) {
                    int gBase = (n * cout + co) * outPlane;
                    int wBase = co * taps;
                    for (int p = 0; p < outPlane; p++) {
                        float g = gy[gBase + p];
                        if (g == 0f) {
                            continue;
                        }
                        int c = p * taps;
                        for (int k = 0; k < taps; k++) {
                            partial[wBase + k] += g * colT[c + k];
                        }
                    }
                }
            }
        });
        if (gb != null) {
            pool.forEachTask(cout, co -> {
                double sum = 0;
                for (int n = 0; n < batch; n++) {
                    int gBase = (n * cout + co) * outPlane;
                    for (int p = 0; p < outPlane; p++) {
                        sum += gy[gBase + p];
                    }
                }
                gb[co] += (float) sum;
            });
        }
    }

    // ---- batch norm ---------------------------------------------------------------------------------

    /** 1 / sqrt(var + eps) rounded to float: the sum in float, the square root correctly rounded. */
    static float invStd(float var, float eps) {
        return 1f / (float) Math.sqrt(var + eps);
    }

    @Override
    public void batchNormForward(ConvBuffer x, ConvBuffer gamma, ConvBuffer beta, ConvBuffer mean, ConvBuffer var,
                                 float eps, ConvBuffer y, int batch, int channels, int plane) {
        float[] xs = a(x);
        float[] g = a(gamma);
        float[] b = a(beta);
        float[] m = a(mean);
        float[] v = a(var);
        float[] ys = a(y);
        pool.forEachTask(batch * channels, task -> {
            int c = task % channels;
            float inv = invStd(v[c], eps);
            int base = task * plane;
            for (int p = 0; p < plane; p++) {
                ys[base + p] = (xs[base + p] - m[c]) * inv * g[c] + b[c];
            }
        });
    }

    @Override
    public void batchNormBackward(ConvBuffer x, ConvBuffer gamma, ConvBuffer mean, ConvBuffer var, float eps,
                                  ConvBuffer gradY, ConvBuffer gradX, ConvBuffer gradGamma, ConvBuffer gradBeta,
                                  int batch, int channels, int plane) {
        float[] xs = a(x);
        float[] g = a(gamma);
        float[] m = a(mean);
        float[] v = a(var);
        float[] gy = a(gradY);
        float[] gx = a(gradX);
        float[] gg = a(gradGamma);
        float[] gbeta = a(gradBeta);
        pool.forEachTask(channels, c -> {
            float inv = invStd(v[c], eps);
            float scale = g[c] * inv;
            double sumGamma = 0;
            double sumBeta = 0;
            for (int n = 0; n < batch; n++) {
                int base = (n * channels + c) * plane;
                for (int p = 0; p < plane; p++) {
                    float d = gy[base + p];
                    if (gx != null) {
                        gx[base + p] += d * scale;
                    }
                    sumGamma += (double) d * ((xs[base + p] - m[c]) * inv);
                    sumBeta += d;
                }
            }
            if (gg != null) {
                gg[c] += (float) sumGamma;
            }
            if (gbeta != null) {
                gbeta[c] += (float) sumBeta;
            }
        });
    }

    // ---- element-wise -------------------------------------------------------------------------------

    @Override
    public void add(ConvBuffer a, ConvBuffer b, ConvBuffer y, long n) {
        float[] as = a(a);
        float[] bs = a(b);
        float[] ys = a(y);
        pool.forEachChunk(count(n), ELEMENT_CHUNK, (start, end) -> {
            for (int i = start; i < end; i++) {
                ys[i] = as[i] + bs[i];
            }
        });
    }

    @Override
    public void addPerChannelForward(ConvBuffer x, ConvBuffer v, ConvBuffer y, int batch, int channels, int plane) {
        float[] xs = a(x);
        float[] vs = a(v);
        float[] ys = a(y);
        pool.forEachTask(batch * channels, task -> {
            int base = task * plane;
            float add = vs[task];
            for (int p = 0; p < plane; p++) {
                ys[base + p] = xs[base + p] + add;
            }
        });
    }

    @Override
    public void addPerChannelBackward(ConvBuffer gradY, ConvBuffer gradV, int batch, int channels, int plane) {
        float[] gy = a(gradY);
        float[] gv = a(gradV);
        pool.forEachChunk(batch * channels, 64, (start, end) -> {
            for (int q = start; q < end; q++) {
                double sum = 0;
                for (int p = 0; p < plane; p++) {
                    sum += gy[q * plane + p];
                }
                gv[q] += (float) sum;
            }
        });
    }

    @Override
    public void reluForward(ConvBuffer x, ConvBuffer y, long n) {
        float[] xs = a(x);
        float[] ys = a(y);
        pool.forEachChunk(count(n), ELEMENT_CHUNK, (start, end) -> {
            for (int i = start; i < end; i++) {
                float v = xs[i];
                ys[i] = v > 0f || Float.isNaN(v) ? v : 0f;
            }
        });
    }

    @Override
    public void reluBackward(ConvBuffer y, ConvBuffer gradY, ConvBuffer gradX, long n) {
        float[] ys = a(y);
        float[] gy = a(gradY);
        float[] gx = a(gradX);
        pool.forEachChunk(count(n), ELEMENT_CHUNK, (start, end) -> {
            for (int i = start; i < end; i++) {
                if (ys[i] > 0f) {
                    gx[i] += gy[i];
                }
            }
        });
    }

    /** The logistic function in double, rounded once. */
    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-(double) x)));
    }

    @Override
    public void sigmoidForward(ConvBuffer x, ConvBuffer y, long n) {
        float[] xs = a(x);
        float[] ys = a(y);
        pool.forEachChunk(count(n), ELEMENT_CHUNK, (start, end) -> {
            for (int i = start; i < end; i++) {
                ys[i] = sigmoid(xs[i]);
            }
        });
    }

    @Override
    public void sigmoidBackward(ConvBuffer y, ConvBuffer gradY, ConvBuffer gradX, long n) {
        float[] ys = a(y);
        float[] gy = a(gradY);
        float[] gx = a(gradX);
        pool.forEachChunk(count(n), ELEMENT_CHUNK, (start, end) -> {
            for (int i = start; i < end; i++) {
                gx[i] += gy[i] * (ys[i] * (1f - ys[i]));
            }
        });
    }

    @Override
    public void upsample2xForward(ConvBuffer x, ConvBuffer y, int planes, int height, int width) {
        float[] xs = a(x);
        float[] ys = a(y);
        int outW = 2 * width;
        pool.forEachTask(planes, q -> {
            int xBase = q * height * width;
            int yBase = q * 4 * height * width;
            for (int i = 0; i < 2 * height; i++) {
                for (int j = 0; j < outW; j++) {
                    ys[yBase + i * outW + j] = xs[xBase + (i >> 1) * width + (j >> 1)];
                }
            }
        });
    }

    @Override
    public void upsample2xBackward(ConvBuffer gradY, ConvBuffer gradX, int planes, int height, int width) {
        float[] gy = a(gradY);
        float[] gx = a(gradX);
        int outW = 2 * width;
        pool.forEachTask(planes, q -> {
            int xBase = q * height * width;
            int yBase = q * 4 * height * width;
            for (int i = 0; i < height; i++) {
                for (int j = 0; j < width; j++) {
                    int top = yBase + 2 * i * outW + 2 * j;
                    int bottom = top + outW;
                    gx[xBase + i * width + j] += ((gy[top] + gy[top + 1]) + gy[bottom]) + gy[bottom + 1];
                }
            }
        });
    }

    // ---- optimisation --------------------------------------------------------------------------------

    @Override
    public void adamWStep(AdamWConfig config, double learningRate, long step, ConvBuffer params, ConvBuffer grads,
                          ConvBuffer expAvg, ConvBuffer expAvgSq, long n) {
        AdamWUpdate update = new AdamWUpdate(config, learningRate, step);
        float[] p = a(params);
        float[] g = a(grads);
        float[] m = a(expAvg);
        float[] v = a(expAvgSq);
        pool.forEachChunk(count(n), ELEMENT_CHUNK, (start, end) -> update.apply(p, g, m, v, start, end));
    }

    @Override
    public void close() {
        pool.close();
    }
}
