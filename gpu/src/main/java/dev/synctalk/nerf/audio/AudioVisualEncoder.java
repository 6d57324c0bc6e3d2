package dev.synctalk.nerf.audio;

import dev.synctalk.gpu.conv.BatchNorm2d;
import dev.synctalk.gpu.conv.Conv2d;
import dev.synctalk.gpu.tensor.NamedTensorFile;
import dev.synctalk.gpu.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * SyncTalk's audio-visual encoder (AVE), frozen, on the CPU: a 1x80x16 log-mel window per video frame
 * -> 512 features (synctalk-facts.md, "Audio"). Thirteen blocks, each Conv2d + BatchNorm (inference form)
 * + ReLU, where a residual block adds its input before the ReLU:
 * <pre>
 *   1->32 3x3 s1 p1, 32->32 res, 32->32 res            80x16
 *   32->64 3x3 s(3,1) p1, 64->64 res x2                 27x16
 *   64->128 3x3 s3 p1, 128->128 res x2                  9x6
 *   128->256 3x3 s(3,2) p1, 256->256 res                3x3
 *   256->512 3x3 s1 p0                                  1x1
 *   512->512 1x1                                        1x1 -> 512 per window
 * </pre>
 *
 * <h2>Weights</h2>
 * Read from a {@link NamedTensorFile} with torch's state-dict names for block i (0..12) of the
 * reference's {@code AudioEncoder.audio_encoder} Sequential: {@code audio_encoder.i.conv_block.0.weight}
 * [Cout, Cin, 3, 3] and {@code .0.bias} [Cout] (the convolution), {@code audio_encoder.i.conv_block.1.weight}
 * (gamma), {@code .1.bias} (beta), {@code .1.running_mean}, {@code .1.running_var} [Cout] (the batch norm,
 * eps 1e-5). To convert {@code audio_visual_encoder.pth} where torch is installed (the checkpoint stores
 * the Sequential's keys with or without the {@code audio_encoder.} prefix; both are accepted):
 * <pre>{@code
 * import struct, torch
 * sd = torch.load('audio_visual_encoder.pth', map_location='cpu')
 * sd = sd.get('state_dict', sd)
 * sd = {(k if k.startswith('audio_encoder.') else 'audio_encoder.' + k): v for k, v in sd.items()
 *       if v.is_floating_point()}          # drops num_batches_tracked (int64)
 * with open('audio_visual_encoder.stnt', 'wb') as f:
 *     f.write(b'STNT'); f.write(struct.pack('<ii', 1, len(sd)))
 *     for name, t in sd.items():
 *         b = name.encode('utf-8'); f.write(struct.pack('<i', len(b))); f.write(b)
 *         f.write(struct.pack('<i', t.dim())); f.write(struct.pack('<%di' % t.dim(), *t.shape))
 *         f.write(t.detach().float().contiguous().numpy().astype('<f4').tobytes())
 * }</pre>
 * Narrower stacks of the same layout ({@link #architecture(int)}, as the engine's own {@code ave-train} writes
 * them at CPU sizes) load the same way; the base width comes from the first weight's shape.
 * Without a checkpoint, {@link #randomInit(long)} gives a deterministic network (torch's default conv init,
 * batch-norm statistics drawn near identity) for tests and benchmarks.
 */
public final class AudioVisualEncoder {
    public static final int MEL_BANDS = 80;
    public static final int WINDOW_FRAMES = 16;
    /** Features per window of the reference's encoder (base 32 channels); {@link #featureDim()} of this one. */
    public static final int FEATURE_DIM = 512;
    static final String PREFIX = "audio_encoder.";

    /** One block of the stack: its convolution and whether it adds its input before the ReLU. */
    public record Block(Conv2d conv, boolean residual) {
    }

    /** One block with its weights: conv weight and bias, raw batch-norm parameters and their folded form. */
    public record Layer(Block block, Tensor weight, Tensor bias, Tensor gamma, Tensor beta, Tensor runningMean,
                        Tensor runningVar, BatchNorm2d norm) {
    }

    /** The reference's base channel count: 32, so 512 features. */
    public static final int REFERENCE_CHANNELS = 32;
    private static final List<Block> ARCHITECTURE = architecture(REFERENCE_CHANNELS);

    private final List<Layer> layers;

    private AudioVisualEncoder(List<Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    /** The thirteen blocks of the reference (base 32 channels, 512 features) in order. */
    public static List<Block> architecture() {
        return ARCHITECTURE;
    }

    /**
     * The thirteen blocks with base width c: channels c, 2c, 4c, 8c, 16c and 16c features (the reference is
     * c = 32). Narrower stacks keep every kernel, stride and padding, so they train on a CPU where the
     * reference's would not; their checkpoints use the same tensor names.
     */
    public static List<Block> architecture(int c) {
        if (c < 1) {
            throw new IllegalArgumentException("AVE base channel count must be positive, got " + c);
        }
        return List.of(
                new Block(Conv2d.square(1, c, 3, 1, 1), false),
                new Block(Conv2d.square(c, c, 3, 1, 1), true),
                new Block(Conv2d.square(c, c, 3, 1, 1), true),
                new Block(new Conv2d(c, 2 * c, 3, 3, 3, 1, 1, 1), false),
                new Block(Conv2d.square(2 * c, 2 * c, 3, 1, 1), true),
                new Block(Conv2d.square(2 * c, 2 * c, 3, 1, 1), true),
                new Block(Conv2d.square(2 * c, 4 * c, 3, 3, 1), false),
                new Block(Conv2d.square(4 * c, 4 * c, 3, 1, 1), true),
                new Block(Conv2d.square(4 * c, 4 * c, 3, 1, 1), true),
                new Block(new Conv2d(4 * c, 8 * c, 3, 3, 3, 2, 1, 1), false),
                new Block(Conv2d.square(8 * c, 8 * c, 3, 1, 1), true),
                new Block(Conv2d.square(8 * c, 16 * c, 3, 1, 0), false),
                new Block(Conv2d.square(16 * c, 16 * c, 1, 1, 0), false));
    }

    /** Features per window: 16 x the base channel count (512 for the reference). */
    public int featureDim() {
        return layers.get(layers.size() - 1).block().conv().outChannels();
    }

    /** The base channel count c (32 for the reference). */
    public int baseChannels() {
        return layers.get(0).block().conv().outChannels();
    }

    public List<Layer> layers() {
        return layers;
    }

    /** Deterministic weights from {@code seed}: torch's default conv init; gamma, var in [0.5, 1.5), beta, mean in [-0.1, 0.1). */
    public static AudioVisualEncoder randomInit(long seed) {
        return randomInit(seed, REFERENCE_CHANNELS);
    }

    /** As {@link #randomInit(long)} with base width {@code baseChannels} ({@link #architecture(int)}). */
    public static AudioVisualEncoder randomInit(long seed, int baseChannels) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Layer> layers = new ArrayList<>();
        for (Block block : architecture(baseChannels)) {
            int c = block.conv().outChannels();
            Tensor weight = block.conv().newWeight(rng);
            Tensor bias = block.conv().newBias(rng);
            Tensor gamma = Tensor.uniform(rng, 0.5f, 1.5f, c);
            Tensor beta = Tensor.uniform(rng, -0.1f, 0.1f, c);
            Tensor mean = Tensor.uniform(rng, -0.1f, 0.1f, c);
            Tensor var = Tensor.uniform(rng, 0.5f, 1.5f, c);
            layers.add(layer(block, weight, bias, gamma, beta, mean, var));
        }
        return new AudioVisualEncoder(layers);
    }

    private static Layer layer(Block block, Tensor weight, Tensor bias, Tensor gamma, Tensor beta, Tensor mean,
                               Tensor var) {
        return new Layer(block, weight, bias, gamma, beta, mean, var, BatchNorm2d.fromRunningStats(gamma.data(),
                beta.data(), mean.data(), var.data(), BatchNorm2d.DEFAULT_EPS));
    }

    /** Loads weights from a named tensor file (format and conversion: class doc). */
    public static AudioVisualEncoder load(Path file) throws IOException {
        return fromTensors(NamedTensorFile.read(file), file.toString());
    }

    /**
     * Builds the encoder from named tensors; a missing or misshapen tensor is named in the error. The base
     * width is read from the first convolution's weight ([c, 1, 3, 3]); every other tensor must fit
     * {@link #architecture(int)} for that c. Other tensors in the file are ignored.
     */
    public static AudioVisualEncoder fromTensors(NamedTensorFile file, String source) {
        return fromTensors(file.tensors(), source);
    }

    /** As {@link #fromTensors(NamedTensorFile, String)} over a map of named tensors. */
    public static AudioVisualEncoder fromTensors(Map<String, Tensor> tensors, String source) {
        String first = name(0, "0.weight");
        Tensor firstWeight = lookup(tensors, first);
        if (firstWeight == null) {
            throw new IllegalArgumentException(source + ": missing tensor '" + first + "' (not an audio-visual "
                    + "encoder checkpoint? it holds " + tensors.size() + " tensors"
                    + (tensors.isEmpty() ? "" : ", e.g. '" + tensors.keySet().iterator().next() + "'") + ")");
        }
        if (firstWeight.rank() != 4 || firstWeight.dim(0) < 1) {
            throw new IllegalArgumentException(source + ": tensor '" + first + "' must be [c, 1, 3, 3], has shape "
                    + java.util.Arrays.toString(firstWeight.shape()));
        }
        List<Block> architecture = architecture(firstWeight.dim(0));
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < architecture.size(); i++) {
            Block block = architecture.get(i);
            Conv2d conv = block.conv();
            int c = conv.outChannels();
            Tensor weight = shaped(tensors, source, name(i, "0.weight"), c, conv.inChannels(), conv.kernelH(), conv.kernelW());
            Tensor bias = shaped(tensors, source, name(i, "0.bias"), c);
            Tensor gamma = shaped(tensors, source, name(i, "1.weight"), c);
            Tensor beta = shaped(tensors, source, name(i, "1.bias"), c);
            Tensor mean = shaped(tensors, source, name(i, "1.running_mean"), c);
            Tensor var = shaped(tensors, source, name(i, "1.running_var"), c);
            layers.add(layer(block, weight, bias, gamma, beta, mean, var));
        }
        return new AudioVisualEncoder(layers);
    }

    private static String name(int block, String suffix) {
        return PREFIX + block + ".conv_block." + suffix;
    }

    private static Tensor lookup(Map<String, Tensor> tensors, String name) {
        Tensor t = tensors.get(name);
        // the reference checkpoint may store the Sequential's keys without the module prefix
        return t != null ? t : tensors.get(name.substring(PREFIX.length()));
    }

    private static Tensor shaped(Map<String, Tensor> tensors, String source, String name, int... shape) {
        Tensor t = lookup(tensors, name);
        if (t == null) {
            throw new IllegalArgumentException(source + ": missing tensor '" + name + "' (the file holds "
                    + tensors.size() + " tensors)");
        }
        Tensor.requireShape(source + ": tensor '" + name + "'", t, shape);
        return t;
    }

    /** The weights under their state-dict names, as {@link #load} reads them. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            out.put(name(i, "0.weight"), l.weight());
            out.put(name(i, "0.bias"), l.bias());
            out.put(name(i, "1.weight"), l.gamma());
            out.put(name(i, "1.bias"), l.beta());
            out.put(name(i, "1.running_mean"), l.runningMean());
            out.put(name(i, "1.running_var"), l.runningVar());
        }
        return out;
    }

    /** Writes {@link #stateDict()} as a named tensor file. */
    public void save(Path file) throws IOException {
        NamedTensorFile.write(stateDict(), file);
    }

    /** mel [N, 1, 80, 16] -> features [N, featureDim()] (512 for the reference); windows run in parallel (each independently, so the bits do not depend on it). */
    public Tensor encode(Tensor mel) {
        if (mel.rank() != 4 || mel.dim(1) != 1 || mel.dim(2) != MEL_BANDS || mel.dim(3) != WINDOW_FRAMES) {
            throw new IllegalArgumentException("AVE input must be [N, 1, " + MEL_BANDS + ", " + WINDOW_FRAMES
                    + "] mel windows, got " + mel);
        }
        int n = mel.dim(0);
        int featureDim = featureDim();
        Tensor out = Tensor.zeros(n, featureDim);
        int windowSize = MEL_BANDS * WINDOW_FRAMES;
        IntStream.range(0, n).parallel().forEach(w -> {
            float[] window = new float[windowSize];
            System.arraycopy(mel.data(), w * windowSize, window, 0, windowSize);
            float[] features = encodeWindow(window);
            System.arraycopy(features, 0, out.data(), w * featureDim, featureDim);
        });
        return out;
    }

    /** Every block's output for one window (index i = after block i), for tests and debugging. */
    public List<float[]> blockOutputs(float[] window) {
        List<float[]> outputs = new ArrayList<>();
        run(window, outputs);
        return outputs;
    }

    private float[] encodeWindow(float[] window) {
        return run(window, null);
    }

    private float[] run(float[] window, List<float[]> trace) {
        float[] x = window;
        int h = MEL_BANDS;
        int w = WINDOW_FRAMES;
        for (Layer layer : layers) {
            Conv2d conv = layer.block().conv();
            int ho = conv.outputHeight(h);
            int wo = conv.outputWidth(w);
            float[] y = new float[conv.outChannels() * ho * wo];
            conv.forward(x, layer.weight().data(), layer.bias().data(), y, h, w, 0, 1);
            layer.norm().applyInPlace(y, ho * wo, 0, 1);
            if (layer.block().residual()) {
                for (int k = 0; k < y.length; k++) {
                    y[k] += x[k];
                }
            }
            for (int k = 0; k < y.length; k++) {
                y[k] = Math.max(0f, y[k]);
            }
            if (trace != null) {
                trace.add(y);
            }
            x = y;
            h = ho;
            w = wo;
        }
        return x;
    }
}
