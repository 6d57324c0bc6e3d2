package dev.synctalk.nerf.cuda;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.nn.CudaNn;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.mlp.Conv1d;
import dev.synctalk.gpu.mlp.Dense;
import dev.synctalk.gpu.mlp.Mlp;
import dev.synctalk.nerf.AudioConditioner;
import dev.synctalk.nerf.AudioFeatureNet;
import dev.synctalk.nerf.AveAudioNet;
import dev.synctalk.nerf.MelAudioNet;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link AudioConditioner} on the device (smallnn.cu): one frame's audio code from its window of features,
 * the feature net ({@link AveAudioNet} or {@link MelAudioNet}) per window frame, then {@link
 * dev.synctalk.nerf.AudioAttNet}'s temporal attention; and the backward of both into the "audio.net" and
 * "audio.attention" groups' gradients. Every kernel sums in the CPU twin's order, so codes and gradients
 * equal the CPU backend's bit for bit. A few hundred floats per layer: launch-bound, a handful of microseconds.
 */
final class DeviceAudioConditioner implements AutoCloseable {
    private static final Activation LEAKY = new Activation.LeakyRelu(0.02f);

    /** One layer of the feature net or of the attention's conv stack. */
    private static final class Layer {
        final Dense dense;
        final Conv1d conv;
        final int batch;
        final int length;
        final long weight;
        final long bias;
        final boolean activation;
        final long inputFloats;
        final long outputFloats;
        DeviceBuffer input;
        final DeviceBuffer pre;
        final DeviceBuffer post;
        final DeviceBuffer gradPre;
        final DeviceBuffer gradInput;

        Layer(CudaDevice device, Dense dense, Conv1d conv, int batch, int length, long weight, long bias,
              boolean activation) {
            this.dense = dense;
            this.conv = conv;
            this.batch = batch;
            this.length = length;
            this.weight = weight;
            this.bias = bias;
            this.activation = activation;
            this.inputFloats = dense != null ? (long) batch * dense.inFeatures() : (long) batch * conv.inChannels() * length;
            this.outputFloats = dense != null ? (long) batch * dense.outFeatures()
                    : (long) batch * conv.outChannels() * conv.outputLength(length);
            this.pre = device.allocateFloats(outputFloats);
            this.post = activation ? device.allocateFloats(outputFloats) : pre;
            this.gradPre = device.allocateFloats(outputFloats);
            this.gradInput = device.allocateFloats(inputFloats);
        }

        void close() {
            pre.close();
            if (post != pre) {
                post.close();
            }
            gradPre.close();
            gradInput.close();
        }
    }

    private final CudaDevice device;
    private final DeviceParamGroups.Group net;
    private final DeviceParamGroups.Group attention;
    private final int window;
    private final int audioDim;
    private final int featureSize;
    private final List<Layer> featureLayers = new ArrayList<>();
    private final List<Layer> attentionConvs = new ArrayList<>();
    private final Layer attentionDense;
    private final DeviceBuffer windowFeatures;
    private final DeviceBuffer transposed;
    private final DeviceBuffer weights;
    private final DeviceBuffer code;
    private final DeviceBuffer gradWeights;
    private final DeviceBuffer gradLogits;
    private final DeviceBuffer gradCodes;
    private final DeviceBuffer gradCodesFromAttention;

    DeviceAudioConditioner(CudaDevice device, AudioConditioner host, DeviceParamGroups groups) {
        this.device = device;
        this.net = groups.group("audio.net");
        this.attention = groups.group("audio.attention");
        this.window = host.window();
        this.audioDim = host.audioDim();
        AudioFeatureNet featureNet = host.featureNet();
        int size = 1;
        for (int d : featureNet.frameFeatureShape()) {
            size *= d;
        }
        this.featureSize = size;
        if (featureNet instanceof AveAudioNet ave) {
            addMlp(ave.mlp(), 0);
        } else if (featureNet instanceof MelAudioNet mel) {
            int frames = mel.frameFeatureShape()[1];
            featureLayers.add(new Layer(device, null, mel.conv1(), window, frames, net.offset(0), net.offset(1), true));
            featureLayers.add(new Layer(device, null, mel.conv2(), window, frames, net.offset(2), net.offset(3), true));
            addMlp(mel.head(), 4);
        } else {
            throw new IllegalArgumentException("no device implementation of audio feature net " + featureNet);
        }
        int k = 0;
        for (Conv1d conv : host.attention().convs()) {
            attentionConvs.add(new Layer(device, null, conv, 1, window, attention.offset(2 * k), attention.offset(2 * k + 1),
                    true));
            k++;
        }
        attentionDense = new Layer(device, host.attention().attentionLayer(), null, 1, 0, attention.offset(2 * k),
                attention.offset(2 * k + 1), false);
        windowFeatures = device.allocateFloats((long) window * featureSize);
        transposed = device.allocateFloats((long) window * audioDim);
        weights = device.allocateFloats(window);
        code = device.allocateFloats(audioDim);
        gradWeights = device.allocateFloats(window);
        gradLogits = device.allocateFloats(window);
        gradCodes = device.allocateFloats((long) window * audioDim);
        gradCodesFromAttention = device.allocateFloats((long) window * audioDim);
    }

    private void addMlp(Mlp mlp, int firstTensor) {
        for (int l = 0; l < mlp.layerCount(); l++) {
            Dense d = mlp.layers().get(l);
            long w = net.offset(firstTensor + mlp.weightIndex(l));
            long b = mlp.hasBias() ? net.offset(firstTensor + mlp.biasIndex(l)) : -1;
            boolean act = !(mlp.activation(l) instanceof Activation.Identity);
            if (act && !(mlp.activation(l) instanceof Activation.LeakyRelu leaky && leaky.slope() == 0.02f)) {
                throw new IllegalArgumentException("the device audio net supports LeakyReLU(0.02) layers, not "
                        + mlp.activation(l));
            }
            featureLayers.add(new Layer(device, d, null, window, 0, w, b, act));
        }
    }

    int window() {
        return window;
    }

    int featureSize() {
        return featureSize;
    }

    /** The window's input buffer [window][featureSize]: fill it (upload or gather) before {@link #forward()}. */
    DeviceBuffer windowFeatures() {
        return windowFeatures;
    }

    /** The code [audioDim] of the last {@link #forward()}. */
    DeviceBuffer code() {
        return code;
    }

    /** windowFeatures = the window around audio frame {@code centre} of features [frames][featureSize] (enqueued). */
    void gatherWindow(DeviceBuffer features, int frames, int centre) {
        device.kernel(KernelCatalog.AUDIO_WINDOW).launch(KernelCatalog.elementwise(device, (long) window * featureSize),
                KernelArgs.create().i32(centre).i32(frames).i32(featureSize).i32(window).buffer(features)
                        .buffer(windowFeatures));
    }

    private void layerForward(Layer l, DeviceBuffer in, DeviceBuffer params) {
        l.input = in;
        if (l.dense != null) {
            KernelArgs args = KernelArgs.create().i32(l.batch).i32(l.dense.inFeatures()).i32(l.dense.outFeatures())
                    .buffer(in).buffer(params, l.weight);
            args = l.bias < 0 ? args.optionalBuffer(null) : args.buffer(params, l.bias);
            device.kernel(KernelCatalog.SMALL_DENSE_FORWARD).launch(KernelCatalog.elementwise(device, l.outputFloats),
                    args.buffer(l.pre));
        } else {
            device.kernel(KernelCatalog.SMALL_CONV1D_FORWARD).launch(KernelCatalog.elementwise(device, l.outputFloats),
                    KernelArgs.create().i32(l.batch).i32(l.conv.inChannels()).i32(l.conv.outChannels())
                            .i32(l.conv.kernelSize()).i32(l.conv.padding()).i32(l.length).buffer(in)
                            .buffer(params, l.weight).buffer(params, l.bias).buffer(l.pre));
        }
        if (l.activation) {
            CudaNn.activationForward(device, LEAKY, l.outputFloats, DeviceView.of(l.pre), DeviceView.of(l.post));
        }
    }

    /** Accumulates the layer's parameter gradients from gradOut; writes its input gradient when {@code needInput}. */
    private void layerBackward(Layer l, DeviceBuffer gradOut, DeviceParamGroups.Group group, boolean needInput) {
        DeviceBuffer gz = gradOut;
        if (l.activation) {
            CudaNn.activationBackward(device, LEAKY, l.outputFloats, DeviceView.of(l.pre), DeviceView.of(l.post),
                    DeviceView.of(gradOut), DeviceView.of(l.gradPre));
            gz = l.gradPre;
        }
        if (l.dense != null) {
            int in = l.dense.inFeatures();
            int out = l.dense.outFeatures();
            if (needInput) {
                device.kernel(KernelCatalog.SMALL_DENSE_BACKWARD_INPUT).launch(
                        KernelCatalog.elementwise(device, l.inputFloats), KernelArgs.create().i32(l.batch).i32(in).i32(out)
                                .buffer(gz).buffer(group.params, l.weight).buffer(l.gradInput));
            }
            KernelArgs args = KernelArgs.create().i32(l.batch).i32(in).i32(out).buffer(l.input).buffer(gz)
                    .buffer(group.grads, l.weight);
            args = l.bias < 0 ? args.optionalBuffer(null) : args.buffer(group.grads, l.bias);
            device.kernel(KernelCatalog.SMALL_DENSE_BACKWARD_PARAMS).launch(
                    KernelCatalog.elementwise(device, (long) in * out + out), args);
        } else {
            Conv1d c = l.conv;
            if (needInput) {
                device.kernel(KernelCatalog.SMALL_CONV1D_BACKWARD_INPUT).launch(
                        KernelCatalog.elementwise(device, l.inputFloats), KernelArgs.create().i32(l.batch)
                                .i32(c.inChannels()).i32(c.outChannels()).i32(c.kernelSize()).i32(c.padding())
                                .i32(l.length).buffer(gz).buffer(group.params, l.weight).buffer(l.gradInput));
            }
            device.kernel(KernelCatalog.SMALL_CONV1D_BACKWARD_PARAMS).launch(
                    KernelCatalog.elementwise(device, (long) c.outChannels() * c.inChannels() * c.kernelSize()
                            + c.outChannels()),
                    KernelArgs.create().i32(l.batch).i32(c.inChannels()).i32(c.outChannels()).i32(c.kernelSize())
                            .i32(c.padding()).i32(l.length).buffer(l.input).buffer(gz).buffer(group.grads, l.weight)
                            .buffer(group.grads, l.bias));
        }
    }

    /** code = attention(feature net(windowFeatures)) (enqueued). */
    void forward() {
        DeviceBuffer x = windowFeatures;
        for (Layer l : featureLayers) {
            layerForward(l, x, net.params);
            x = l.post;
        }
        DeviceBuffer codes = x;
        // [1, T, A] -> [1, A, T]
        device.kernel(KernelCatalog.SMALL_TRANSPOSE).launch(KernelCatalog.elementwise(device, (long) window * audioDim),
                KernelArgs.create().i32(1).i32(window).i32(audioDim).buffer(codes).buffer(transposed));
        DeviceBuffer y = transposed;
        for (Layer l : attentionConvs) {
            layerForward(l, y, attention.params);
            y = l.post;
        }
        layerForward(attentionDense, y, attention.params);
        device.kernel(KernelCatalog.SMALL_SOFTMAX_FORWARD).launch(KernelCatalog.elementwise(device, 1),
                KernelArgs.create().i32(1).i32(window).buffer(attentionDense.pre).buffer(weights));
        device.kernel(KernelCatalog.SMALL_ATTENTION_POOL_FORWARD).launch(KernelCatalog.elementwise(device, audioDim),
                KernelArgs.create().i32(1).i32(window).i32(audioDim).buffer(weights).buffer(codes).buffer(code));
    }

    /** Accumulates both groups' gradients from gradCode [audioDim] at {@code offset} floats of {@code gradCode}. */
    void backward(DeviceBuffer gradCode, long offset) {
        DeviceBuffer codes = featureLayers.get(featureLayers.size() - 1).post;
        device.kernel(KernelCatalog.SMALL_ATTENTION_POOL_BACKWARD).launch(KernelCatalog.elementwise(device, window),
                KernelArgs.create().i32(1).i32(window).i32(audioDim).buffer(weights).buffer(codes)
                        .buffer(gradCode, offset).buffer(gradWeights).buffer(gradCodes));
        device.kernel(KernelCatalog.SMALL_SOFTMAX_BACKWARD).launch(KernelCatalog.elementwise(device, 1),
                KernelArgs.create().i32(1).i32(window).buffer(weights).buffer(gradWeights).buffer(gradLogits));
        layerBackward(attentionDense, gradLogits, attention, true);
        DeviceBuffer g = attentionDense.gradInput;
        for (int i = attentionConvs.size() - 1; i >= 0; i--) {
            Layer l = attentionConvs.get(i);
            layerBackward(l, g, attention, true);
            g = l.gradInput;
        }
        // [1, A, T] -> [1, T, A], added to the pooling's direct gradient
        device.kernel(KernelCatalog.SMALL_TRANSPOSE).launch(KernelCatalog.elementwise(device, (long) window * audioDim),
                KernelArgs.create().i32(1).i32(audioDim).i32(window).buffer(g).buffer(gradCodesFromAttention));
        device.kernel(KernelCatalog.SMALL_ADD).launch(KernelCatalog.elementwise(device, (long) window * audioDim),
                KernelArgs.create().i64((long) window * audioDim).buffer(gradCodesFromAttention).buffer(gradCodes));
        DeviceBuffer gf = gradCodes;
        for (int i = featureLayers.size() - 1; i >= 0; i--) {
            Layer l = featureLayers.get(i);
            layerBackward(l, gf, net, i > 0);
            gf = l.gradInput;
        }
    }

    @Override
    public void close() {
        featureLayers.forEach(Layer::close);
        attentionConvs.forEach(Layer::close);
        attentionDense.close();
        for (DeviceBuffer b : new DeviceBuffer[] {windowFeatures, transposed, weights, code, gradWeights, gradLogits,
                gradCodes, gradCodesFromAttention}) {
            b.close();
        }
    }
}
