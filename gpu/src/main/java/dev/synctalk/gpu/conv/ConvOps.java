package dev.synctalk.gpu.conv;

import dev.synctalk.gpu.optim.AdamWConfig;

/**
 * The ops of the Face-Sync Controller's convolutional networks (the lip-sync expert, the audio-visual
 * encoder and its face encoder/decoder), forward and backward, on one device. {@link CpuConvOps} is the
 * numerical reference; {@code dev.synctalk.gpu.cuda.conv.CudnnConvOps} runs the convolutions on cuDNN
 * and the rest in convnet.cu, checked against it by {@code ConvOpsParityCheck}.
 *
 * <p>Conventions (as {@link dev.synctalk.gpu.tensor.Backend}'s):
 * <ul>
 *   <li>Layouts are NCHW float32; {@code plane} = H * W.</li>
 *   <li>Forward outputs are overwritten.</li>
 *   <li>Every gradient, of inputs as of parameters, is <em>accumulated</em> (+=), so a value used by
 *       several ops collects all its gradients; zero gradient buffers before a backward pass.</li>
 *   <li>A null gradient argument means "not needed" and is skipped.</li>
 *   <li>Calls are enqueued in order; {@link #download} waits for everything before it.</li>
 * </ul>
 */
public interface ConvOps extends AutoCloseable {

    /** What runs the ops, for logs. */
    String name();

    // ---- memory -------------------------------------------------------------------------------------

    /** A buffer of {@code floats} zeros. */
    ConvBuffer zeros(long floats);

    /** A new buffer holding a copy of {@code values}. */
    ConvBuffer upload(float[] values);

    /** Overwrites the first {@code values.length} floats of {@code target}. */
    void upload(float[] values, ConvBuffer target);

    /** Copies the first {@code target.length} floats of {@code source} into {@code target}, waiting for them. */
    void download(ConvBuffer source, float[] target);

    /** Sets every float of {@code buffer} to zero. */
    void zero(ConvBuffer buffer);

    /** y[i] += x[i] for i &lt; n. */
    void accumulate(ConvBuffer x, ConvBuffer y, long n);

    // ---- convolution --------------------------------------------------------------------------------

    /** x [batch, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout] or null -> y [batch, Cout, Ho, Wo]. */
    void conv2dForward(Conv2d conv, ConvBuffer x, ConvBuffer weight, ConvBuffer bias, ConvBuffer y, int batch,
                       int height, int width);

    /** gradX [batch, Cin, H, W] += the input gradient of gradY [batch, Cout, Ho, Wo]. */
    void conv2dBackwardData(Conv2d conv, ConvBuffer gradY, ConvBuffer weight, ConvBuffer gradX, int batch, int height,
                            int width);

    /** gradWeight += sum over the batch of gradY (x) x; gradBias (nullable) += sum of gradY per output channel. */
    void conv2dBackwardFilter(Conv2d conv, ConvBuffer x, ConvBuffer gradY, ConvBuffer gradWeight, ConvBuffer gradBias,
                              int batch, int height, int width);

    // ---- batch norm in inference form (frozen statistics, trainable affine) --------------------------

    /**
     * y = (x - mean[c]) * invStd[c] * gamma[c] + beta[c] with invStd = 1 / sqrt(var[c] + eps), in that order
     * of float operations.
     */
    void batchNormForward(ConvBuffer x, ConvBuffer gamma, ConvBuffer beta, ConvBuffer mean, ConvBuffer var, float eps,
                          ConvBuffer y, int batch, int channels, int plane);

    /**
     * gradX (nullable) += gradY * (gamma[c] * invStd[c]); gradGamma (nullable) += sum over batch and plane of
     * gradY * (x - mean) * invStd; gradBeta (nullable) += sum of gradY. Sums run in double.
     */
    void batchNormBackward(ConvBuffer x, ConvBuffer gamma, ConvBuffer mean, ConvBuffer var, float eps, ConvBuffer gradY,
                           ConvBuffer gradX, ConvBuffer gradGamma, ConvBuffer gradBeta, int batch, int channels,
                           int plane);

    // ---- element-wise and layout --------------------------------------------------------------------

    /** y = a + b over n floats. */
    void add(ConvBuffer a, ConvBuffer b, ConvBuffer y, long n);

    /** y[n, c, p] = x[n, c, p] + v[n, c]: a per-item channel vector broadcast over the plane. */
    void addPerChannelForward(ConvBuffer x, ConvBuffer v, ConvBuffer y, int batch, int channels, int plane);

    /** gradV[n, c] += sum over p of gradY[n, c, p] (in double); gradX is gradY itself ({@link #accumulate}). */
    void addPerChannelBackward(ConvBuffer gradY, ConvBuffer gradV, int batch, int channels, int plane);

    /** y = max(x, 0); NaN propagates. */
    void reluForward(ConvBuffer x, ConvBuffer y, long n);

    /** gradX += gradY where y &gt; 0. */
    void reluBackward(ConvBuffer y, ConvBuffer gradY, ConvBuffer gradX, long n);

    /** y = 1 / (1 + exp(-x)). */
    void sigmoidForward(ConvBuffer x, ConvBuffer y, long n);

    /** gradX += gradY * y * (1 - y). */
    void sigmoidBackward(ConvBuffer y, ConvBuffer gradY, ConvBuffer gradX, long n);

    /** Nearest-neighbour upsampling by 2: y[q, 2i + a, 2j + b] = x[q, i, j] over {@code planes} = N * C planes. */
    void upsample2xForward(ConvBuffer x, ConvBuffer y, int planes, int height, int width);

    /** gradX[q, i, j] += the sum of its four gradY cells (in the order a, b = 00, 01, 10, 11). */
    void upsample2xBackward(ConvBuffer gradY, ConvBuffer gradX, int planes, int height, int width);

    // ---- optimisation --------------------------------------------------------------------------------

    /** One AdamW update of n parameters in place ({@link dev.synctalk.gpu.optim.AdamWUpdate}); step is 1-based. */
    void adamWStep(AdamWConfig config, double learningRate, long step, ConvBuffer params, ConvBuffer grads,
                   ConvBuffer expAvg, ConvBuffer expAvgSq, long n);

    @Override
    void close();
}
