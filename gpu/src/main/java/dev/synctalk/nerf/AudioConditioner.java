package dev.synctalk.nerf;

import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.List;

/**
 * One frame's audio code from the features of the {@code window} frames around it (frames
 * i-4 .. i+3 for the reference's window of 8): per-frame {@link AudioFeatureNet}, then
 * {@link AudioAttNet} smoothing (the reference's encode_audio).
 */
public final class AudioConditioner {
    private final AudioFeatureNet featureNet;
    private final AudioAttNet attention;

    public AudioConditioner(AudioFeatureNet featureNet, AudioAttNet attention) {
        if (featureNet.audioDim() != attention.audioDim()) {
            throw new IllegalArgumentException("audio feature net gives " + featureNet.audioDim()
                    + "-d codes but the attention net expects " + attention.audioDim());
        }
        this.featureNet = featureNet;
        this.attention = attention;
    }

    public AudioFeatureNet featureNet() {
        return featureNet;
    }

    public AudioAttNet attention() {
        return attention;
    }

    public int window() {
        return attention.window();
    }

    public int audioDim() {
        return attention.audioDim();
    }

    /** "audio.net" at the network lr and "audio.attention" at 5x with weight decay 1e-4, as the reference. */
    public List<ParamGroup> paramGroups(double networkLearningRate) {
        return List.of(featureNet.paramGroup(networkLearningRate), attention.paramGroup(networkLearningRate));
    }

    /** A forward pass: the code [audioDim] and its backward. */
    public final class Pass {
        private final AudioFeatureNet.Pass features;
        private final AudioAttNet.Trace smoothing;
        private final Tensor code;

        private Pass(AudioFeatureNet.Pass features, AudioAttNet.Trace smoothing) {
            this.features = features;
            this.smoothing = smoothing;
            this.code = Tensor.wrap(smoothing.output().data(), audioDim());
        }

        public Tensor code() {
            return code;
        }

        /** Attention weights over the window's frames [window]. */
        public Tensor attentionWeights() {
            return Tensor.wrap(smoothing.weights().data(), window());
        }

        /** Accumulates both nets' parameter gradients from gradCode [audioDim]. */
        public void backward(Backend backend, Tensor gradCode) {
            Tensor gradCodes = attention.backward(backend, smoothing, Tensor.wrap(gradCode.data(), 1, audioDim()));
            features.backward(backend, Tensor.wrap(gradCodes.data(), window(), audioDim()));
        }
    }

    /** Encodes a window of features [window, frameFeatureShape...]. */
    public Pass encode(Backend backend, Tensor window) {
        if (window.dim(0) != window()) {
            throw new IllegalArgumentException("audio window has " + window.dim(0) + " frames, the attention net takes "
                    + window());
        }
        AudioFeatureNet.Pass pass = featureNet.forward(backend, window);
        AudioAttNet.Trace smoothing = attention.forward(backend,
                Tensor.wrap(pass.codes().data(), 1, window(), audioDim()));
        return new Pass(pass, smoothing);
    }
}
