package dev.synctalk.nerf;

import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.mlp.Conv1d;
import dev.synctalk.gpu.mlp.Mlp;
import dev.synctalk.gpu.mlp.MlpTrace;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The trainable log-mel path (issue 3 item 5b), used while no pretrained audio-visual encoder exists:
 * per frame, the 80-band x 16-frame log-mel window as 80 channels over 16 steps,
 * <pre>
 *   conv1d(80 -> c1, k3, p1) LeakyReLU(0.02) -> conv1d(c1 -> c2, k3, p1) LeakyReLU(0.02)
 *   -> flatten [c2 * 16] -> Linear(c2 * 16 -> hidden) LeakyReLU(0.02) -> Linear(hidden -> audioDim)
 * </pre>
 * trained jointly with the NeRF. This is our own small design (the reference's 2D AVE encoder is far
 * too large to train on the CPU), sized like AD-NeRF's conv AudioNet.
 */
public final class MelAudioNet implements AudioFeatureNet {
    private final int melBands;
    private final int melFrames;
    private final Conv1d conv1;
    private final Conv1d conv2;
    private final Mlp head;
    private final List<Tensor> params;
    private final List<Tensor> grads;

    public MelAudioNet(int melBands, int melFrames, int channels1, int channels2, int hidden, int audioDim, long seed) {
        this.melBands = melBands;
        this.melFrames = melFrames;
        this.conv1 = new Conv1d(melBands, channels1, 3, 1);
        this.conv2 = new Conv1d(channels1, channels2, 3, 1);
        this.head = new Mlp(List.of(channels2 * melFrames, hidden, audioDim), true, new Activation.LeakyRelu(0.02f),
                new Activation.Identity());
        SplittableRandom rng = new SplittableRandom(seed);
        List<Tensor> p = new ArrayList<>(List.of(conv1.newWeight(rng), conv1.newBias(rng), conv2.newWeight(rng),
                conv2.newBias(rng)));
        p.addAll(head.newParameters(rng));
        this.params = List.copyOf(p);
        List<Tensor> g = new ArrayList<>();
        for (Tensor t : params) {
            g.add(Tensor.zeros(t.shape()));
        }
        this.grads = List.copyOf(g);
    }

    /** 80 mel bands x 16 frames -> 32 channels -> 32 channels -> 64 -> 32. */
    public static MelAudioNet standard(long seed) {
        return new MelAudioNet(80, 16, 32, 32, 64, 32, seed);
    }

    /** The layers, for a device implementation of the same net. */
    public Conv1d conv1() {
        return conv1;
    }

    public Conv1d conv2() {
        return conv2;
    }

    public Mlp head() {
        return head;
    }

    @Override
    public int[] frameFeatureShape() {
        return new int[] {melBands, melFrames};
    }

    @Override
    public int audioDim() {
        return head.outputDim();
    }

    @Override
    public Pass forward(Backend backend, Tensor features) {
        int f = features.dim(0);
        Tensor.requireShape("log-mel windows", features, f, melBands, melFrames);
        Activation leaky = new Activation.LeakyRelu(0.02f);
        Tensor z1 = Tensor.zeros(f, conv1.outChannels(), melFrames);
        backend.conv1dForward(conv1, features, params.get(0), params.get(1), z1);
        Tensor a1 = Tensor.zeros(z1.shape());
        backend.activationForward(leaky, z1, a1);
        Tensor z2 = Tensor.zeros(f, conv2.outChannels(), melFrames);
        backend.conv1dForward(conv2, a1, params.get(2), params.get(3), z2);
        Tensor a2 = Tensor.zeros(z2.shape());
        backend.activationForward(leaky, z2, a2);
        // [F, C, T] and [F, C * T] share one row-major layout: flattening is a reshape, not a copy
        MlpTrace trace = backend.mlpForward(head, params.subList(4, params.size()),
                Tensor.wrap(a2.data(), f, conv2.outChannels() * melFrames));
        return new Pass() {
            @Override
            public Tensor codes() {
                return trace.output();
            }

            @Override
            public void backward(Backend b, Tensor gradCodes) {
                Tensor gradFlat = Tensor.zeros(f, conv2.outChannels() * melFrames);
                b.mlpBackward(head, params.subList(4, params.size()), trace, gradCodes, grads.subList(4, grads.size()),
                        gradFlat);
                Tensor gradZ2 = Tensor.zeros(z2.shape());
                b.activationBackward(leaky, z2, a2, Tensor.wrap(gradFlat.data(), z2.shape()), gradZ2);
                Tensor gradA1 = Tensor.zeros(a1.shape());
                b.conv1dBackward(conv2, a1, params.get(2), gradZ2, gradA1, grads.get(2), grads.get(3));
                Tensor gradZ1 = Tensor.zeros(z1.shape());
                b.activationBackward(leaky, z1, a1, gradA1, gradZ1);
                b.conv1dBackward(conv1, features, params.get(0), gradZ1, null, grads.get(0), grads.get(1));
            }
        };
    }

    @Override
    public ParamGroup paramGroup(double learningRate) {
        return new ParamGroup("audio.net", params, grads, AdamWConfig.syncTalk(learningRate));
    }

    @Override
    public List<Tensor> parameters() {
        return params;
    }
}
