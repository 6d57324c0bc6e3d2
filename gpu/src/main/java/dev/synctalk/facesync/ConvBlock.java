package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.Conv2d;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * One block of the Face-Sync networks, Wav2Lip's Conv2d module: convolution, optionally batch norm,
 * optionally an addend (the block's own input for a residual block, a skip connection in the decoder),
 * optionally ReLU: y = relu(bn(conv(x)) + addend). Tensors under the state-dict names of
 * {@code <prefix>.conv_block.0} (conv weight [Cout, Cin, kh, kw], bias [Cout]) and
 * {@code <prefix>.conv_block.1} (weight = gamma, bias = beta, running_mean, running_var), as the
 * reference's checkpoints and {@link dev.synctalk.nerf.audio.AudioVisualEncoder} name them.
 *
 * <h2>Batch norm: inference form while training</h2>
 * The batch norm always normalises with its stored statistics (mean 0 and variance 1 for a network we
 * start, or those of a loaded checkpoint), never with batch statistics, and trains only gamma and beta.
 * So training computes exactly what inference computes (no train/eval gap, no dependence on the batch's
 * composition, bit-identical resume) and the GPU folds it the same way. Without batch statistics the
 * scale of the signal comes from the initialisation instead: convolutions get He-uniform weights
 * (variance 2 / fan-in, preserving the variance through a ReLU) and zero biases, and a residual block
 * starts with gamma = 0 so that it begins as the identity (the zero-init residual of Goyal et al. / Fixup).
 *
 * @param conv     the convolution
 * @param norm     whether a batch norm follows the convolution
 * @param relu     whether a ReLU ends the block
 * @param residual whether the block adds its own input before the ReLU
 */
public record ConvBlock(Conv2d conv, boolean norm, boolean relu, boolean residual) {

    /** Conv + BN + ReLU. */
    public static ConvBlock plain(Conv2d conv) {
        return new ConvBlock(conv, true, true, false);
    }

    /** Conv + BN + input + ReLU (3x3, stride 1, padding 1, channels kept). */
    public static ConvBlock residual(int channels) {
        return new ConvBlock(Conv2d.square(channels, channels, 3, 1, 1), true, true, true);
    }

    /** A block's tensors on a device. */
    public record Weights(ConvBlock block, Param weight, Param bias, Param gamma, Param beta, Param mean, Param var) {

        /** y = relu(bn(conv(x)) + x) for a residual block, relu(bn(conv(x))) otherwise. */
        public Tape.Node forward(Tape tape, Tape.Node x) {
            return forward(tape, x, block.residual() ? x : null);
        }

        /** y = relu?(bn?(conv(x)) + addend?). */
        public Tape.Node forward(Tape tape, Tape.Node x, Tape.Node addend) {
            Tape.Node y = tape.conv(x, block.conv(), weight, bias);
            if (block.norm()) {
                y = tape.batchNorm(y, gamma, beta, mean, var);
            }
            if (addend != null) {
                y = tape.add(y, addend);
            }
            return block.relu() ? tape.relu(y) : y;
        }
    }

    /** Adds this block's tensors to {@code set} under {@code prefix}, initialised as the class doc says. */
    public Weights create(ParamSet set, String prefix, SplittableRandom rng) {
        int cout = conv.outChannels();
        int fanIn = conv.inChannels() * conv.kernelH() * conv.kernelW();
        float bound = (float) Math.sqrt(6.0 / fanIn);
        Param weight = set.add(prefix + ".conv_block.0.weight",
                Tensor.uniform(rng, -bound, bound, cout, conv.inChannels(), conv.kernelH(), conv.kernelW()), false);
        Param bias = set.add(prefix + ".conv_block.0.bias", Tensor.zeros(cout), false);
        if (!norm) {
            return new Weights(this, weight, bias, null, null, null, null);
        }
        Param gamma = set.add(prefix + ".conv_block.1.weight", Tensor.filled(residual ? 0f : 1f, cout), false);
        Param beta = set.add(prefix + ".conv_block.1.bias", Tensor.zeros(cout), false);
        Param mean = set.add(prefix + ".conv_block.1.running_mean", Tensor.zeros(cout), true);
        Param var = set.add(prefix + ".conv_block.1.running_var", Tensor.filled(1f, cout), true);
        return new Weights(this, weight, bias, gamma, beta, mean, var);
    }
}
