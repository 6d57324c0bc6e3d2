package dev.synctalk.gpu.mlp;

import dev.synctalk.gpu.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A stack of {@link Dense} layers, {@code hidden} activation between layers and {@code output}
 * activation after the last (SyncTalk's MLP: no bias, ReLU between, nothing at the end).
 *
 * <p>Parameters are a list of tensors, per layer its weight [out, in] then, with bias, its bias
 * [out]: the order {@link #newParameters} returns and the optimiser and checkpoints keep.
 */
public final class Mlp {
    private final List<Integer> widths;
    private final boolean bias;
    private final Activation hidden;
    private final Activation output;
    private final List<Dense> layers;

    /** {@code widths} = input, hidden..., output sizes, e.g. [36, 64, 64, 65]. */
    public Mlp(List<Integer> widths, boolean bias, Activation hidden, Activation output) {
        if (widths.size() < 2) {
            throw new IllegalArgumentException("an MLP needs at least input and output widths, got " + widths);
        }
        this.widths = List.copyOf(widths);
        this.bias = bias;
        this.hidden = hidden;
        this.output = output;
        List<Dense> built = new ArrayList<>();
        for (int l = 0; l + 1 < widths.size(); l++) {
            built.add(new Dense(widths.get(l), widths.get(l + 1), bias));
        }
        this.layers = List.copyOf(built);
    }

    /** SyncTalk's MLP(dim_in, dim_out, dim_hidden, num_layers): no bias, ReLU between layers. */
    public static Mlp syncTalk(int inDim, int outDim, int hiddenDim, int layerCount) {
        List<Integer> w = new ArrayList<>();
        w.add(inDim);
        for (int l = 0; l + 1 < layerCount; l++) {
            w.add(hiddenDim);
        }
        w.add(outDim);
        return new Mlp(w, false, new Activation.Relu(), new Activation.Identity());
    }

    public List<Integer> widths() { return widths; }
    public boolean hasBias() { return bias; }
    public List<Dense> layers() { return layers; }
    public int layerCount() { return layers.size(); }
    public int inputDim() { return widths.get(0); }
    public int outputDim() { return widths.get(widths.size() - 1); }

    public Activation activation(int layer) {
        return layer == layers.size() - 1 ? output : hidden;
    }

    /** Index into the parameter list of layer {@code layer}'s weight. */
    public int weightIndex(int layer) {
        return bias ? 2 * layer : layer;
    }

    /** Index into the parameter list of layer {@code layer}'s bias (layers with bias only). */
    public int biasIndex(int layer) {
        if (!bias) {
            throw new IllegalStateException("this MLP has no bias parameters");
        }
        return 2 * layer + 1;
    }

    public int parameterTensorCount() {
        return bias ? 2 * layers.size() : layers.size();
    }

    /** Fresh parameters, torch.nn.Linear default init, drawn layer by layer (weight then bias). */
    public List<Tensor> newParameters(SplittableRandom rng) {
        List<Tensor> params = new ArrayList<>();
        for (Dense layer : layers) {
            params.add(layer.newWeight(rng));
            if (bias) {
                params.add(layer.newBias(rng));
            }
        }
        return List.copyOf(params);
    }

    /** Zero tensors shaped like the parameters, for gradients. */
    public List<Tensor> newGradients() {
        List<Tensor> grads = new ArrayList<>();
        for (Dense layer : layers) {
            grads.add(Tensor.zeros(layer.outFeatures(), layer.inFeatures()));
            if (bias) {
                grads.add(Tensor.zeros(layer.outFeatures()));
            }
        }
        return List.copyOf(grads);
    }
}
