package dev.synctalk.nerf;

import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.List;

/**
 * Maps each frame's audio features to an audio code of {@link #audioDim()} values, trained jointly
 * with the NeRF: {@link AveAudioNet} for 512-d audio-visual-encoder features, {@link MelAudioNet} for
 * raw 80x16 log-mel windows.
 */
public interface AudioFeatureNet {

    /** Shape of one frame's features (e.g. [512] or [80, 16]). */
    int[] frameFeatureShape();

    int audioDim();

    /** Codes [F, audioDim] of features [F, frameFeatureShape...], with the pass's backward. */
    Pass forward(Backend backend, Tensor features);

    /** "audio.net" at the network learning rate, no weight decay (the reference's audio_net group). */
    ParamGroup paramGroup(double learningRate);

    /** Parameters in checkpoint order (the param group's order). */
    List<Tensor> parameters();

    /** One forward pass: its output and how to push a gradient of that output back into the parameters. */
    interface Pass {
        Tensor codes();

        /** Accumulates parameter gradients from gradCodes [F, audioDim]. */
        void backward(Backend backend, Tensor gradCodes);
    }
}
