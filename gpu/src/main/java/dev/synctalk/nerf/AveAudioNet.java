package dev.synctalk.nerf;

import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.mlp.Mlp;
import dev.synctalk.gpu.mlp.MlpTrace;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;

/**
 * SyncTalk's AudioNet_ave: per frame, MLP featureDim -> 256 -> 128 -> audioDim with bias and
 * LeakyReLU(0.02) between layers (synctalk-facts.md, "Audio"). The reference is 512 -> 256 -> 128 -> 32.
 */
public final class AveAudioNet implements AudioFeatureNet {
    private final Mlp mlp;
    private final List<Tensor> params;
    private final List<Tensor> grads;

    public AveAudioNet(int featureDim, int hidden1, int hidden2, int audioDim, long seed) {
        this.mlp = new Mlp(List.of(featureDim, hidden1, hidden2, audioDim), true, new Activation.LeakyRelu(0.02f),
                new Activation.Identity());
        this.params = mlp.newParameters(new SplittableRandom(seed));
        this.grads = mlp.newGradients();
    }

    /** The reference sizes: 512 -> 256 -> 128 -> 32. */
    public static AveAudioNet syncTalk(long seed) {
        return new AveAudioNet(512, 256, 128, 32, seed);
    }

    /** The layers, for a device implementation of the same net. */
    public Mlp mlp() {
        return mlp;
    }

    @Override
    public int[] frameFeatureShape() {
        return new int[] {mlp.inputDim()};
    }

    @Override
    public int audioDim() {
        return mlp.outputDim();
    }

    @Override
    public Pass forward(Backend backend, Tensor features) {
        MlpTrace trace = backend.mlpForward(mlp, params, features);
        return new Pass() {
            @Override
            public Tensor codes() {
                return trace.output();
            }

            @Override
            public void backward(Backend b, Tensor gradCodes) {
                b.mlpBackward(mlp, params, trace, gradCodes, grads, null);
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
