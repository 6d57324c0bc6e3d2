package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.BatchNorm2d;
import dev.synctalk.gpu.conv.Conv2d;
import dev.synctalk.gpu.conv.ConvBuffer;
import dev.synctalk.gpu.conv.ConvOps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation over {@link ConvOps}: each op records its output {@link Node} and how to
 * send the output's gradient to its inputs and parameters; {@link #backward} runs those in reverse order
 * of recording. A node needs a gradient when an input does or a trained parameter feeds it, so frozen
 * branches (the lip-sync expert under the AVE, the input images) cost no backward work beyond what reaches
 * a trained tensor.
 *
 * <p>Buffers: every node's value and gradient belong to the tape and are freed by {@link #close()}; once a
 * node's backward has run its buffers are freed early (no later step of the sweep reads them). Inputs wrap
 * buffers the caller keeps.
 */
public final class Tape implements AutoCloseable {

    /** A value [n, c, h, w] of the recorded computation. */
    public final class Node {
        final int n;
        final int c;
        final int h;
        final int w;
        final boolean requiresGrad;
        /** The node whose buffers a view shares, or null. */
        final Node source;
        ConvBuffer value;
        ConvBuffer grad;
        Runnable backward;
        boolean ownsValue;

        Node(int n, int c, int h, int w, boolean requiresGrad, Node source) {
            this.n = n;
            this.c = c;
            this.h = h;
            this.w = w;
            this.requiresGrad = requiresGrad;
            this.source = source;
        }

        public int batch() {
            return n;
        }

        public int channels() {
            return c;
        }

        public int height() {
            return h;
        }

        public int width() {
            return w;
        }

        public int plane() {
            return h * w;
        }

        public long size() {
            return (long) n * c * h * w;
        }

        public ConvBuffer value() {
            return source != null ? source.value() : value;
        }

        /** The gradient after {@link #backward}; null when nothing reached this node. */
        public ConvBuffer grad() {
            return source != null ? source.grad() : grad;
        }

        ConvBuffer ensureGrad() {
            if (source != null) {
                return source.ensureGrad();
            }
            if (grad == null) {
                grad = ops.zeros(size());
            }
            return grad;
        }

        @Override
        public String toString() {
            return "node[" + n + ", " + c + ", " + h + ", " + w + "]";
        }
    }

    private final ConvOps ops;
    private final List<Node> nodes = new ArrayList<>();
    private boolean backwardDone;

    public Tape(ConvOps ops) {
        this.ops = ops;
    }

    public ConvOps ops() {
        return ops;
    }

    private Node record(int n, int c, int h, int w, boolean requiresGrad) {
        Node node = new Node(n, c, h, w, requiresGrad, null);
        node.value = ops.zeros((long) n * c * h * w);
        node.ownsValue = true;
        nodes.add(node);
        return node;
    }

    /** A caller-owned buffer [n, c, h, w] as an input; with {@code requiresGrad} its gradient is collected. */
    public Node input(ConvBuffer value, int n, int c, int h, int w, boolean requiresGrad) {
        if (value.floats() < (long) n * c * h * w) {
            throw new IllegalArgumentException("input buffer holds " + value.floats() + " floats, [" + n + ", " + c
                    + ", " + h + ", " + w + "] needs " + (long) n * c * h * w);
        }
        Node node = new Node(n, c, h, w, requiresGrad, null);
        node.value = value;
        nodes.add(node);
        return node;
    }

    /** The same floats seen as [n, c, h, w] (equal size); it shares the source's value and gradient. */
    public Node view(Node x, int n, int c, int h, int w) {
        if ((long) n * c * h * w != x.size()) {
            throw new IllegalArgumentException("cannot view " + x + " as [" + n + ", " + c + ", " + h + ", " + w + "]");
        }
        Node node = new Node(n, c, h, w, x.requiresGrad, x);
        nodes.add(node);
        return node;
    }

    private static boolean needs(Node x, Param... params) {
        if (x.requiresGrad) {
            return true;
        }
        for (Param p : params) {
            if (p != null && p.trainable()) {
                return true;
            }
        }
        return false;
    }

    /** y = conv(x) + bias (bias nullable). */
    public Node conv(Node x, Conv2d conv, Param weight, Param bias) {
        if (x.c != conv.inChannels()) {
            throw new IllegalArgumentException(conv + " takes " + conv.inChannels() + " channels, got " + x);
        }
        Node y = record(x.n, conv.outChannels(), conv.outputHeight(x.h), conv.outputWidth(x.w), needs(x, weight, bias));
        ops.conv2dForward(conv, x.value(), weight.value(), bias == null ? null : bias.value(), y.value, x.n, x.h, x.w);
        y.backward = () -> {
            if (x.requiresGrad) {
                ops.conv2dBackwardData(conv, y.grad(), weight.value(), x.ensureGrad(), x.n, x.h, x.w);
            }
            if (weight.trainable()) {
                ops.conv2dBackwardFilter(conv, x.value(), y.grad(), weight.grad(),
                        bias != null && bias.trainable() ? bias.grad() : null, x.n, x.h, x.w);
            }
        };
        return y;
    }

    /** Batch norm in inference form with frozen statistics: (x - mean) / sqrt(var + eps) * gamma + beta. */
    public Node batchNorm(Node x, Param gamma, Param beta, Param mean, Param var) {
        Node y = record(x.n, x.c, x.h, x.w, needs(x, gamma, beta));
        float eps = (float) BatchNorm2d.DEFAULT_EPS;
        ops.batchNormForward(x.value(), gamma.value(), beta.value(), mean.value(), var.value(), eps, y.value, x.n, x.c,
                x.plane());
        y.backward = () -> ops.batchNormBackward(x.value(), gamma.value(), mean.value(), var.value(), eps, y.grad(),
                x.requiresGrad ? x.ensureGrad() : null, gamma.trainable() ? gamma.grad() : null,
                beta.trainable() ? beta.grad() : null, x.n, x.c, x.plane());
        return y;
    }

    /** y = a + b (equal shapes). */
    public Node add(Node a, Node b) {
        if (a.size() != b.size() || a.c != b.c) {
            throw new IllegalArgumentException("cannot add " + a + " and " + b);
        }
        Node y = record(a.n, a.c, a.h, a.w, a.requiresGrad || b.requiresGrad);
        ops.add(a.value(), b.value(), y.value, y.size());
        y.backward = () -> {
            if (a.requiresGrad) {
                ops.accumulate(y.grad(), a.ensureGrad(), y.size());
            }
            if (b.requiresGrad) {
                ops.accumulate(y.grad(), b.ensureGrad(), y.size());
            }
        };
        return y;
    }

    /** y[n, c, :, :] = x[n, c, :, :] + v[n, c] with v of shape [n, c, 1, 1]. */
    public Node addPerChannel(Node x, Node v) {
        if (v.n != x.n || v.c != x.c || v.plane() != 1) {
            throw new IllegalArgumentException("per-channel addend must be [" + x.n + ", " + x.c + ", 1, 1], got " + v);
        }
        Node y = record(x.n, x.c, x.h, x.w, x.requiresGrad || v.requiresGrad);
        ops.addPerChannelForward(x.value(), v.value(), y.value, x.n, x.c, x.plane());
        y.backward = () -> {
            if (x.requiresGrad) {
                ops.accumulate(y.grad(), x.ensureGrad(), y.size());
            }
            if (v.requiresGrad) {
                ops.addPerChannelBackward(y.grad(), v.ensureGrad(), x.n, x.c, x.plane());
            }
        };
        return y;
    }

    public Node relu(Node x) {
        Node y = record(x.n, x.c, x.h, x.w, x.requiresGrad);
        ops.reluForward(x.value(), y.value, y.size());
        y.backward = () -> ops.reluBackward(y.value, y.grad(), x.ensureGrad(), y.size());
        return y;
    }

    public Node sigmoid(Node x) {
        Node y = record(x.n, x.c, x.h, x.w, x.requiresGrad);
        ops.sigmoidForward(x.value(), y.value, y.size());
        y.backward = () -> ops.sigmoidBackward(y.value, y.grad(), x.ensureGrad(), y.size());
        return y;
    }

    /** Nearest-neighbour upsampling by 2 in both directions. */
    public Node upsample2x(Node x) {
        Node y = record(x.n, x.c, 2 * x.h, 2 * x.w, x.requiresGrad);
        ops.upsample2xForward(x.value(), y.value, x.n * x.c, x.h, x.w);
        y.backward = () -> ops.upsample2xBackward(y.grad(), x.ensureGrad(), x.n * x.c, x.h, x.w);
        return y;
    }

    /**
     * Back-propagates from the given seeds (node -> gradient of the loss w.r.t. it, caller-owned buffers
     * added into the node's gradient), once per tape. Trained parameters' gradients accumulate.
     */
    public void backward(Map<Node, ConvBuffer> seeds) {
        if (backwardDone) {
            throw new IllegalStateException("backward already ran on this tape");
        }
        backwardDone = true;
        for (Map.Entry<Node, ConvBuffer> seed : seeds.entrySet()) {
            Node node = seed.getKey();
            if (node.requiresGrad) {
                ops.accumulate(seed.getValue(), node.ensureGrad(), node.size());
            }
        }
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node node = nodes.get(i);
            if (node.backward != null && node.requiresGrad && node.grad != null) {
                node.backward.run();
            }
            if (node.source == null) {
                // nothing recorded before this node reads its output or gradient any more
                if (node.ownsValue && node.value != null && node.backward != null) {
                    node.value.close();
                    node.value = null;
                }
                if (node.grad != null && node.backward != null) {
                    node.grad.close();
                    node.grad = null;
                }
            }
        }
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            if (node.source != null) {
                continue;
            }
            if (node.ownsValue && node.value != null) {
                node.value.close();
                node.value = null;
            }
            if (node.grad != null) {
                node.grad.close();
                node.grad = null;
            }
        }
        nodes.clear();
    }
}
