package dev.synctalk.gpu.mlp;

import dev.synctalk.gpu.tensor.Tensor;

import java.util.List;

/**
 * What an MLP forward keeps for its backward: the input [N, in], and per layer the pre-activation
 * z_l [N, out_l] and activation a_l [N, out_l]. The last activation is the MLP output.
 */
public record MlpTrace(Tensor input, List<Tensor> preActivations, List<Tensor> activations) {

    public MlpTrace {
        preActivations = List.copyOf(preActivations);
        activations = List.copyOf(activations);
    }

    public Tensor output() {
        return activations.get(activations.size() - 1);
    }

    /** Input of layer {@code layer}: the MLP input or the previous layer's activation. */
    public Tensor layerInput(int layer) {
        return layer == 0 ? input : activations.get(layer - 1);
    }
}
