package dev.synctalk.nerf;

import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.mlp.Conv1d;
import dev.synctalk.gpu.mlp.Dense;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Temporal smoothing of the audio codes (the reference's AudioAttNet, att = 2): for a window of
 * {@code window} consecutive frames' codes x [B, T, A],
 * <pre>
 *   y = x transposed to [B, A, T]
 *   y = conv1d(A->16) LReLU, conv1d(16->8) LReLU, conv1d(8->4) LReLU, conv1d(4->2) LReLU, conv1d(2->1) LReLU
 *       (kernel 3, padding 1, bias, LeakyReLU 0.02)                     -> [B, 1, T] = [B, T]
 *   w = softmax(Linear(T, T)(y))  over the T frames
 *   out[b] = sum_t w[b, t] x[b, t, :]                                   -> [B, A]
 * </pre>
 */
public final class AudioAttNet {
    private static final int[] CHANNELS = {16, 8, 4, 2, 1};
    private final int audioDim;
    private final int window;
    private final List<Conv1d> convs = new ArrayList<>();
    private final Dense attention;
    private final List<Tensor> params = new ArrayList<>();
    private final List<Tensor> grads = new ArrayList<>();
    private final Activation leaky = new Activation.LeakyRelu(0.02f);

    public AudioAttNet(int audioDim, int window, long seed) {
        this.audioDim = audioDim;
        this.window = window;
        SplittableRandom rng = new SplittableRandom(seed);
        int in = audioDim;
        for (int out : CHANNELS) {
            Conv1d conv = new Conv1d(in, out, 3, 1);
            convs.add(conv);
            params.add(conv.newWeight(rng));
            params.add(conv.newBias(rng));
            in = out;
        }
        this.attention = new Dense(window, window, true);
        params.add(attention.newWeight(rng));
        params.add(attention.newBias(rng));
        for (Tensor p : params) {
            grads.add(Tensor.zeros(p.shape()));
        }
    }

    public int audioDim() {
        return audioDim;
    }

    /** The conv stack (audioDim -> 16 -> 8 -> 4 -> 2 -> 1, each followed by LeakyReLU 0.02), for a device twin. */
    public List<Conv1d> convs() {
        return List.copyOf(convs);
    }

    /** The Linear(window, window) before the softmax. */
    public Dense attentionLayer() {
        return attention;
    }

    public int window() {
        return window;
    }

    /** The reference's group: network lr x 5, weight decay 1e-4. */
    public ParamGroup paramGroup(double networkLearningRate) {
        return new ParamGroup("audio.attention", params, grads,
                new AdamWConfig(networkLearningRate * 5, 0.0, 0.99, 1e-8, 1e-4));
    }

    public List<Tensor> parameters() {
        return List.copyOf(params);
    }

    /** What the backward needs; {@link #output()} [B, A] and {@link #weights()} [B, T] are the results. */
    public record Trace(Tensor codes, List<Tensor> convInputs, List<Tensor> convPre, List<Tensor> convOut,
                        Tensor logits, Tensor weights, Tensor output) {
    }

    public Trace forward(Backend backend, Tensor codes) {
        int b = codes.dim(0);
        Tensor.requireShape("audio code window", codes, b, window, audioDim);
        Tensor y = Tensor.zeros(b, audioDim, window);
        backend.transposeLastTwo(codes, y);
        List<Tensor> inputs = new ArrayList<>();
        List<Tensor> pre = new ArrayList<>();
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < convs.size(); i++) {
            Conv1d conv = convs.get(i);
            inputs.add(y);
            Tensor z = Tensor.zeros(b, conv.outChannels(), window);
            backend.conv1dForward(conv, y, params.get(2 * i), params.get(2 * i + 1), z);
            Tensor a = Tensor.zeros(z.shape());
            backend.activationForward(leaky, z, a);
            pre.add(z);
            out.add(a);
            y = a;
        }
        Tensor logits = Tensor.zeros(b, window);
        int w = 2 * convs.size();
        backend.denseForward(attention, Tensor.wrap(y.data(), b, window), params.get(w), params.get(w + 1), logits);
        Tensor weights = Tensor.zeros(b, window);
        backend.softmaxRowsForward(logits, weights);
        Tensor result = Tensor.zeros(b, audioDim);
        backend.attentionPoolForward(weights, codes, result);
        return new Trace(codes, inputs, pre, out, logits, weights, result);
    }

    /** Accumulates parameter gradients; returns the gradient of the input codes [B, T, A]. */
    public Tensor backward(Backend backend, Trace trace, Tensor gradOutput) {
        int b = trace.codes().dim(0);
        Tensor gradWeights = Tensor.zeros(b, window);
        Tensor gradCodes = Tensor.zeros(b, window, audioDim);
        backend.attentionPoolBackward(trace.weights(), trace.codes(), gradOutput, gradWeights, gradCodes);
        Tensor gradLogits = Tensor.zeros(b, window);
        backend.softmaxRowsBackward(trace.weights(), gradWeights, gradLogits);
        int w = 2 * convs.size();
        Tensor lastOut = trace.convOut().get(convs.size() - 1);
        Tensor gradY = Tensor.zeros(b, window);
        backend.denseBackward(attention, Tensor.wrap(lastOut.data(), b, window), params.get(w), gradLogits, gradY,
                grads.get(w), grads.get(w + 1));
        Tensor grad = Tensor.wrap(gradY.data(), b, 1, window);
        for (int i = convs.size() - 1; i >= 0; i--) {
            Conv1d conv = convs.get(i);
            Tensor gradZ = Tensor.zeros(trace.convPre().get(i).shape());
            backend.activationBackward(leaky, trace.convPre().get(i), trace.convOut().get(i), grad, gradZ);
            Tensor gradIn = Tensor.zeros(trace.convInputs().get(i).shape());
            backend.conv1dBackward(conv, trace.convInputs().get(i), params.get(2 * i), gradZ, gradIn, grads.get(2 * i),
                    grads.get(2 * i + 1));
            grad = gradIn;
        }
        Tensor gradCodesFromAttention = Tensor.zeros(b, window, audioDim);
        backend.transposeLastTwo(grad, gradCodesFromAttention);
        backend.addScaled(gradCodesFromAttention, 1f, gradCodes);
        return gradCodes;
    }
}
