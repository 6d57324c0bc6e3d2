package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.ConvBuffer;
import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.Arrays;

/**
 * One named tensor of a network living on a {@link ConvOps} device: its value and, when it is trained,
 * its gradient buffer (accumulated by the ops, zeroed by the trainer each step). Frozen tensors (the
 * batch norm's running statistics, every tensor of a frozen network) have no gradient.
 */
public final class Param implements AutoCloseable {
    private final String name;
    private final int[] shape;
    private final int size;
    private final ConvBuffer value;
    private final ConvBuffer grad;

    Param(ConvOps ops, String name, Tensor initial, boolean trainable) {
        this.name = name;
        this.shape = initial.shape();
        this.size = initial.size();
        this.value = ops.upload(initial.data());
        this.grad = trainable ? ops.zeros(size) : null;
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return size;
    }

    public ConvBuffer value() {
        return value;
    }

    /** The gradient buffer; null for a frozen tensor. */
    public ConvBuffer grad() {
        return grad;
    }

    public boolean trainable() {
        return grad != null;
    }

    /** The value copied to the host. */
    public Tensor read(ConvOps ops) {
        float[] data = new float[size];
        ops.download(value, data);
        return Tensor.wrap(data, shape);
    }

    /** Overwrites the value with {@code tensor}, which must have this tensor's shape. */
    public void write(ConvOps ops, Tensor tensor, String source) {
        if (!Arrays.equals(tensor.shape(), shape)) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' has shape "
                    + Arrays.toString(tensor.shape()) + ", the network's is " + Arrays.toString(shape));
        }
        ops.upload(tensor.data(), value);
    }

    @Override
    public void close() {
        value.close();
        if (grad != null) {
            grad.close();
        }
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + (trainable() ? "" : " (frozen)");
    }
}
