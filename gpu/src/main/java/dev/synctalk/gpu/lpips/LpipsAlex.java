package dev.synctalk.gpu.lpips;

import dev.synctalk.gpu.conv.Conv2d;
import dev.synctalk.gpu.conv.MaxPool2d;
import dev.synctalk.gpu.tensor.NamedTensorFile;
import dev.synctalk.gpu.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The LPIPS perceptual distance (Zhang et al. 2018, the {@code lpips} package v0.1) with the AlexNet
 * backbone, CPU op with a hand-written backward w.r.t. the first image.
 *
 * <h2>Definition (as lpips.LPIPS(net='alex') with its default arguments)</h2>
 * Inputs x0, x1: [N, 3, H, W] in [-1, 1]. Both go through
 * <ol>
 *   <li>the scaling layer: (x - shift) / scale per channel, shift = (-0.030, -0.088, -0.188),
 *       scale = (0.458, 0.448, 0.450);</li>
 *   <li>AlexNet's features, tapped after each ReLU: conv1 64 11x11 stride 4 pad 2, ReLU (tap 1), max-pool
 *       3 stride 2, conv2 192 5x5 pad 2, ReLU (tap 2), max-pool 3 stride 2, conv3 384 3x3 pad 1, ReLU
 *       (tap 3), conv4 256 3x3 pad 1, ReLU (tap 4), conv5 256 3x3 pad 1, ReLU (tap 5);</li>
 * </ol>
 * then per tap k: features unit-normalised over channels, f / (||f||_2 + 1e-10) at each pixel; the
 * squared difference of the two images' normalised features; a 1x1 "lin" layer (no bias, non-negative
 * weights, one output channel); the spatial mean. The distance of item n is the sum over the 5 taps.
 * The side of the images must be at least {@link #MIN_SIDE} so both pools have an input.
 *
 * <h2>Weights file</h2>
 * A {@link NamedTensorFile} with the lpips checkpoint's names: the backbone {@code net.slice1.0},
 * {@code net.slice2.3}, {@code net.slice3.6}, {@code net.slice4.8}, {@code net.slice5.10} (each
 * {@code .weight} [Cout, Cin, k, k] and {@code .bias} [Cout], torchvision alexnet's features 0, 3, 6, 8,
 * 10) and {@code lin0.model.1.weight} .. {@code lin4.model.1.weight} ([1, C, 1, 1]). Other tensors
 * (e.g. the scaling layer's buffers) are ignored. Converting, where torch and lpips are installed, with
 * {@code save_stnt} of NamedTensorFile's javadoc:
 * <pre>{@code
 * import lpips
 * m = lpips.LPIPS(net='alex', version='0.1')   # torchvision alexnet + lpips/weights/v0.1/alex.pth
 * save_stnt(m.state_dict(), 'lpips_alex.stnt')
 * }</pre>
 *
 * <p>A (ReLU) feature vector that is zero at a pixel has norm 0; there the normalisation's gradient is
 * taken as 1 / 1e-10 times the incoming gradient (its value at f = 0 from the f / (||f|| + eps) side),
 * where torch would produce NaN. Instances are immutable and may be shared between threads.
 */
public final class LpipsAlex {
    /** Smallest image side: conv1 must give at least 7 so that both max-pools see a 3x3 window. */
    public static final int MIN_SIDE = 31;
    /** AlexNet's widths of the five conv layers. */
    public static final int[] ALEXNET_CHANNELS = {64, 192, 384, 256, 256};
    /** Names (prefixes) of the five backbone convolutions in the lpips checkpoint. */
    public static final String[] CONV_NAMES = {"net.slice1.0", "net.slice2.3", "net.slice3.6", "net.slice4.8",
            "net.slice5.10"};
    static final float[] SHIFT = {-0.030f, -0.088f, -0.188f};
    static final float[] SCALE = {0.458f, 0.448f, 0.450f};
    private static final double EPS = 1e-10;
    private static final MaxPool2d POOL = new MaxPool2d(3, 2);

    private final Conv2d[] convs;
    private final Tensor[] weights;
    private final Tensor[] biases;
    private final Tensor[] lins;

    private LpipsAlex(Conv2d[] convs, Tensor[] weights, Tensor[] biases, Tensor[] lins, String source) {
        for (int k = 0; k < 5; k++) {
            Conv2d c = convs[k];
            Tensor.requireShape(source + " " + CONV_NAMES[k] + ".weight", weights[k], c.outChannels(), c.inChannels(),
                    c.kernelH(), c.kernelW());
            Tensor.requireShape(source + " " + CONV_NAMES[k] + ".bias", biases[k], c.outChannels());
            Tensor.requireShape(source + " " + linName(k), lins[k], 1, c.outChannels(), 1, 1);
            float[] w = lins[k].data();
            for (int i = 0; i < w.length; i++) {
                if (!(w[i] >= 0)) {
                    throw new IllegalArgumentException(source + ": " + linName(k) + "[" + i + "] = " + w[i]
                            + ", but LPIPS lin weights are non-negative");
                }
            }
        }
        this.convs = convs;
        this.weights = weights;
        this.biases = biases;
        this.lins = lins;
    }

    public static String linName(int tap) {
        return "lin" + tap + ".model.1.weight";
    }

    private static Conv2d[] architecture(int[] channels) {
        if (channels.length != 5) {
            throw new IllegalArgumentException("LPIPS AlexNet has 5 conv layers, got " + channels.length + " widths");
        }
        return new Conv2d[] {
                Conv2d.square(3, channels[0], 11, 4, 2),
                Conv2d.square(channels[0], channels[1], 5, 1, 2),
                Conv2d.square(channels[1], channels[2], 3, 1, 1),
                Conv2d.square(channels[2], channels[3], 3, 1, 1),
                Conv2d.square(channels[3], channels[4], 3, 1, 1)};
    }

    /** Loads the weights (see the class comment); errors name the file and the missing or misshapen tensor. */
    public static LpipsAlex load(Path file) throws IOException {
        NamedTensorFile f = NamedTensorFile.read(file);
        String source = "LPIPS weights " + file;
        Tensor[] w = new Tensor[5];
        Tensor[] b = new Tensor[5];
        Tensor[] l = new Tensor[5];
        int[] channels = new int[5];
        for (int k = 0; k < 5; k++) {
            w[k] = f.require(CONV_NAMES[k] + ".weight", source);
            b[k] = f.require(CONV_NAMES[k] + ".bias", source);
            l[k] = f.require(linName(k), source);
            if (w[k].rank() != 4) {
                throw new IllegalArgumentException(source + ": " + CONV_NAMES[k] + ".weight must be [Cout, Cin, k, k], got "
                        + w[k]);
            }
            channels[k] = w[k].dim(0);
        }
        return new LpipsAlex(architecture(channels), w, b, l, source);
    }

    /**
     * Random weights of the given conv widths (torch's default conv init, lin weights uniform in
     * [0, 1/C)), for tests and for exercising the loss without the pretrained file.
     */
    public static LpipsAlex random(int[] channels, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Conv2d[] convs = architecture(channels);
        Tensor[] w = new Tensor[5];
        Tensor[] b = new Tensor[5];
        Tensor[] l = new Tensor[5];
        for (int k = 0; k < 5; k++) {
            w[k] = convs[k].newWeight(rng);
            b[k] = convs[k].newBias(rng);
            l[k] = Tensor.uniform(rng, 0f, 1f / channels[k], 1, channels[k], 1, 1);
        }
        return new LpipsAlex(convs, w, b, l, "random LPIPS weights");
    }

    /** The scaling layer's shift of RGB channel {@code channel}: scaled = (x - shift) / scale. */
    public static float shift(int channel) {
        return SHIFT[channel];
    }

    /** The scaling layer's scale of RGB channel {@code channel}. */
    public static float scale(int channel) {
        return SCALE[channel];
    }

    /** The backbone convolution of layer {@code layer} (0..4), for backends that run the same network. */
    public Conv2d conv(int layer) {
        return convs[layer];
    }

    /** The weights under their checkpoint names, for {@link NamedTensorFile#write}. */
    public Map<String, Tensor> namedTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int k = 0; k < 5; k++) {
            out.put(CONV_NAMES[k] + ".weight", weights[k]);
            out.put(CONV_NAMES[k] + ".bias", biases[k]);
        }
        for (int k = 0; k < 5; k++) {
            out.put(linName(k), lins[k]);
        }
        return out;
    }

    public void write(Path file) throws IOException {
        NamedTensorFile.write(namedTensors(), file);
    }

    /** Per-item distances of x0 and x1, both [N, 3, H, W] in [-1, 1]. */
    public double[] distance(Tensor x0, Tensor x1) {
        return evaluate(x0, x1, null, null);
    }

    /**
     * Per-item distances, and into {@code gradX0} (same shape as x0, overwritten) the gradient of
     * sum_n gradDistance[n] * distance[n] w.r.t. x0.
     */
    public double[] distanceAndGradient(Tensor x0, Tensor x1, float[] gradDistance, Tensor gradX0) {
        if (gradDistance.length != x0.dim(0) || !java.util.Arrays.equals(gradX0.shape(), x0.shape())) {
            throw new IllegalArgumentException("LPIPS gradient: gradDistance needs " + x0.dim(0)
                    + " values and gradX0 the shape of x0 " + x0 + "; got " + gradDistance.length + " and " + gradX0);
        }
        return evaluate(x0, x1, gradDistance, gradX0);
    }

    /** Activations of one image through the backbone: the ReLU outputs (taps) and the pool indices. */
    private record Features(Tensor[] taps, Tensor[] pooled, int[][] argmax) {
    }

    private Features features(Tensor x) {
        int n = x.dim(0);
        int h = x.dim(2);
        int w = x.dim(3);
        Tensor scaled = Tensor.zeros(x.shape());
        float[] in = x.data();
        float[] s = scaled.data();
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                int base = (i * 3 + c) * plane;
                for (int p = 0; p < plane; p++) {
                    s[base + p] = (in[base + p] - SHIFT[c]) / SCALE[c];
                }
            }
        }
        Tensor[] taps = new Tensor[5];
        Tensor[] pooled = new Tensor[2];
        int[][] argmax = new int[2][];
        Tensor current = scaled;
        for (int k = 0; k < 5; k++) {
            Tensor y = convs[k].forward(current, weights[k], biases[k]);
            float[] d = y.data();
            for (int i = 0; i < d.length; i++) {
                d[i] = Math.max(0f, d[i]);
            }
            taps[k] = y;
            current = y;
            if (k < 2) {
                int c = y.dim(1);
                int ho = POOL.outputSize(y.dim(2));
                int wo = POOL.outputSize(y.dim(3));
                Tensor p = Tensor.zeros(n, c, ho, wo);
                argmax[k] = new int[p.size()];
                POOL.forward(d, p.data(), argmax[k], n * c, y.dim(2), y.dim(3));
                pooled[k] = p;
                current = p;
            }
        }
        return new Features(taps, pooled, argmax);
    }

    private double[] evaluate(Tensor x0, Tensor x1, float[] gradDistance, Tensor gradX0) {
        if (x0.rank() != 4 || x0.dim(1) != 3 || !java.util.Arrays.equals(x0.shape(), x1.shape())) {
            throw new IllegalArgumentException("LPIPS needs two images [N, 3, H, W] of one shape, got " + x0 + " and " + x1);
        }
        if (x0.dim(2) < MIN_SIDE || x0.dim(3) < MIN_SIDE) {
            throw new IllegalArgumentException("LPIPS (AlexNet) needs images of at least " + MIN_SIDE + "x" + MIN_SIDE
                    + " pixels, got " + x0.dim(3) + "x" + x0.dim(2));
        }
        int n = x0.dim(0);
        Features f0 = features(x0);
        Features f1 = features(x1);
        double[] distance = new double[n];
        Tensor[] gradTaps = new Tensor[5];
        for (int k = 0; k < 5; k++) {
            Tensor a = f0.taps()[k];
            Tensor b = f1.taps()[k];
            int c = a.dim(1);
            int plane = a.dim(2) * a.dim(3);
            float[] lin = lins[k].data();
            float[] ga = null;
            if (gradDistance != null) {
                gradTaps[k] = Tensor.zeros(a.shape());
                ga = gradTaps[k].data();
            }
            double[] na = new double[c];
            double[] nb = new double[c];
            for (int i = 0; i < n; i++) {
                double layer = 0;
                for (int p = 0; p < plane; p++) {
                    int base = i * c * plane + p;
                    double ra = norm(a.data(), base, c, plane);
                    double rb = norm(b.data(), base, c, plane);
                    double dot = 0;
                    for (int ch = 0; ch < c; ch++) {
                        na[ch] = a.data()[base + ch * plane] / (ra + EPS);
                        nb[ch] = b.data()[base + ch * plane] / (rb + EPS);
                        double diff = na[ch] - nb[ch];
                        layer += lin[ch] * diff * diff;
                        // na[] now holds d(term)/d(normalised feature of x0), the input of the backward
                        double g = 2 * lin[ch] * diff;
                        dot += g * a.data()[base + ch * plane];
                        na[ch] = g;
                    }
                    if (ga != null) {
                        // n = f / (r + eps): dn_c/df_j = delta_cj / (r + eps) - f_c f_j / (r (r + eps)^2)
                        double scale = gradDistance[i] / (double) plane;
                        double radial = ra > 0 ? dot / (ra * (ra + EPS) * (ra + EPS)) : 0;
                        for (int ch = 0; ch < c; ch++) {
                            double fa = a.data()[base + ch * plane];
                            ga[base + ch * plane] = (float) (scale * (na[ch] / (ra + EPS) - fa * radial));
                        }
                    }
                }
                distance[i] += layer / plane;
            }
        }
        if (gradDistance != null) {
            backward(x0, f0, gradTaps, gradX0);
        }
        return distance;
    }

    private static double norm(float[] f, int base, int channels, int plane) {
        double sum = 0;
        for (int ch = 0; ch < channels; ch++) {
            double v = f[base + ch * plane];
            sum += v * v;
        }
        return Math.sqrt(sum);
    }

    /** Back through the backbone of image 0, adding each tap's gradient where its ReLU output is. */
    private void backward(Tensor x0, Features f0, Tensor[] gradTaps, Tensor gradX0) {
        int n = x0.dim(0);
        Tensor grad = gradTaps[4];
        for (int k = 4; k >= 0; k--) {
            Tensor tap = f0.taps()[k];
            float[] g = grad.data();
            float[] t = tap.data();
            for (int i = 0; i < g.length; i++) {
                if (t[i] <= 0f) {
                    g[i] = 0f;
                }
            }
            Tensor input = k == 0 ? x0 : k <= 2 ? f0.pooled()[k - 1] : f0.taps()[k - 1];
            int h = input.dim(2);
            int w = input.dim(3);
            Tensor gradInput = Tensor.zeros(input.shape());
            convs[k].backwardInput(g, weights[k].data(), gradInput.data(), h, w, 0, n);
            if (k == 0) {
                float[] gi = gradInput.data();
                float[] out = gradX0.data();
                int plane = h * w;
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < 3; c++) {
                        int base = (i * 3 + c) * plane;
                        for (int p = 0; p < plane; p++) {
                            out[base + p] = gi[base + p] / SCALE[c];
                        }
                    }
                }
                return;
            }
            Tensor below = f0.taps()[k - 1];
            Tensor gradBelow = gradTaps[k - 1];
            if (k <= 2) {
                Tensor routed = Tensor.zeros(below.shape());
                POOL.backward(gradInput.data(), f0.argmax()[k - 1], routed.data(), n * below.dim(1), below.dim(2),
                        below.dim(3));
                gradInput = routed;
            }
            float[] gb = gradBelow.data();
            float[] gi = gradInput.data();
            for (int i = 0; i < gb.length; i++) {
                gb[i] += gi[i];
            }
            grad = gradBelow;
        }
    }
}
