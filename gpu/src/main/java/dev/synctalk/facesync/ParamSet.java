package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named tensors of one network on one device, in creation order, under torch-style state-dict names.
 * A frozen set (a network used but not trained) gives none of its tensors a gradient; in a trained set
 * every tensor but the batch norms' running statistics is trained.
 */
public final class ParamSet implements AutoCloseable {
    private final ConvOps ops;
    private final boolean trained;
    private final Map<String, Param> params = new LinkedHashMap<>();

    public ParamSet(ConvOps ops, boolean trained) {
        this.ops = ops;
        this.trained = trained;
    }

    public ConvOps ops() {
        return ops;
    }

    public boolean trained() {
        return trained;
    }

    /** Adds a tensor; {@code statistic} marks one that is never trained (running mean and variance). */
    Param add(String name, Tensor initial, boolean statistic) {
        if (params.containsKey(name)) {
            throw new IllegalArgumentException("tensor name '" + name + "' is used twice");
        }
        Param p = new Param(ops, name, initial, trained && !statistic);
        params.put(name, p);
        return p;
    }

    public Map<String, Param> params() {
        return Collections.unmodifiableMap(params);
    }

    /** The trained tensors in creation order. */
    public List<Param> trainable() {
        List<Param> out = new ArrayList<>();
        for (Param p : params.values()) {
            if (p.trainable()) {
                out.add(p);
            }
        }
        return out;
    }

    /** Every tensor's value, copied to the host, by name. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Param p : params.values()) {
            out.put(p.name(), p.read(ops));
        }
        return out;
    }

    /**
     * Overwrites every tensor from {@code tensors} (extra entries are ignored). Every name and shape is
     * checked before anything is written; a missing or misshapen tensor is named with {@code source}.
     */
    public void load(Map<String, Tensor> tensors, String source) {
        for (Param p : params.values()) {
            Tensor t = tensors.get(p.name());
            if (t == null) {
                throw new IllegalArgumentException(source + ": missing tensor '" + p.name() + "' ("
                        + tensors.size() + " tensors in the file)");
            }
            if (!java.util.Arrays.equals(t.shape(), p.shape())) {
                throw new IllegalArgumentException(source + ": tensor '" + p.name() + "' has shape "
                        + java.util.Arrays.toString(t.shape()) + ", the network's is "
                        + java.util.Arrays.toString(p.shape()));
            }
        }
        for (Param p : params.values()) {
            p.write(ops, tensors.get(p.name()), source);
        }
    }

    public void zeroGrad() {
        for (Param p : params.values()) {
            if (p.trainable()) {
                ops.zero(p.grad());
            }
        }
    }

    public long parameterCount() {
        long n = 0;
        for (Param p : params.values()) {
            n += p.size();
        }
        return n;
    }

    @Override
    public void close() {
        for (Param p : params.values()) {
            p.close();
        }
    }
}
