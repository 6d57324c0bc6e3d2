package dev.synctalk.facesync;

import dev.synctalk.gpu.tensor.Tensor;

/**
 * Centres image inputs for the networks that take crops: pixels in [0, 1] become 2x - 1, as a batch norm
 * with frozen statistics (mean 0.5, variance 0.25, gamma 1, beta 0; none of it trained). Without batch
 * statistics ({@link ConvBlock}) nothing else would remove the inputs' large common brightness, which
 * slows learning; as a batch norm it needs no op of its own and sits in the model file under
 * {@code <prefix>.input_norm.*}.
 */
final class InputNorm {
    private final Param gamma;
    private final Param beta;
    private final Param mean;
    private final Param var;

    InputNorm(ParamSet set, String prefix, int channels) {
        // variance 0.25 - eps, so that 1 / sqrt(var + eps) is 2 up to float rounding
        float var = (float) (0.25 - dev.synctalk.gpu.conv.BatchNorm2d.DEFAULT_EPS);
        this.gamma = set.add(prefix + ".input_norm.weight", Tensor.filled(1f, channels), true);
        this.beta = set.add(prefix + ".input_norm.bias", Tensor.zeros(channels), true);
        this.mean = set.add(prefix + ".input_norm.running_mean", Tensor.filled(0.5f, channels), true);
        this.var = set.add(prefix + ".input_norm.running_var", Tensor.filled(var, channels), true);
    }

    Tape.Node forward(Tape tape, Tape.Node x) {
        return tape.batchNorm(x, gamma, beta, mean, var);
    }
}
