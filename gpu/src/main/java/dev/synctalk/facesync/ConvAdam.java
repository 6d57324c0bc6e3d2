package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.ConvBuffer;
import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * AdamW over the trained tensors of a {@link ParamSet}, with its moments on the same device
 * ({@link ConvOps#adamWStep}); its state goes into trainer checkpoints as {@code optim.exp_avg.<name>}
 * and {@code optim.exp_avg_sq.<name>}.
 */
final class ConvAdam implements AutoCloseable {
    private final ConvOps ops;
    private final List<Param> params;
    private final AdamWConfig config;
    private final List<ConvBuffer> expAvg = new ArrayList<>();
    private final List<ConvBuffer> expAvgSq = new ArrayList<>();
    private long steps;

    ConvAdam(ConvOps ops, List<Param> params, AdamWConfig config) {
        this.ops = ops;
        this.params = List.copyOf(params);
        this.config = config;
        for (Param p : this.params) {
            expAvg.add(ops.zeros(p.size()));
            expAvgSq.add(ops.zeros(p.size()));
        }
    }

    AdamWConfig config() {
        return config;
    }

    long steps() {
        return steps;
    }

    /** One update of every tensor from its gradient at lr x factor. */
    void step(double learningRateFactor) {
        steps++;
        double lr = config.learningRate() * learningRateFactor;
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            ops.adamWStep(config, lr, steps, p.value(), p.grad(), expAvg.get(i), expAvgSq.get(i), p.size());
        }
    }

    void export(Map<String, Tensor> out) {
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            out.put("optim.exp_avg." + p.name(), read(expAvg.get(i), p));
            out.put("optim.exp_avg_sq." + p.name(), read(expAvgSq.get(i), p));
        }
    }

    private Tensor read(ConvBuffer b, Param p) {
        float[] data = new float[p.size()];
        ops.download(b, data);
        return Tensor.wrap(data, p.shape());
    }

    /** Restores moments exported by {@link #export}; every tensor is checked before anything is written. */
    void restore(Map<String, Tensor> in, long steps, String source) {
        check(in, source);
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            ops.upload(in.get("optim.exp_avg." + p.name()).data(), expAvg.get(i));
            ops.upload(in.get("optim.exp_avg_sq." + p.name()).data(), expAvgSq.get(i));
        }
        this.steps = steps;
    }

    /** Throws, naming the tensor, unless {@code in} holds every moment this optimiser needs. */
    void check(Map<String, Tensor> in, String source) {
        for (Param p : params) {
            for (String kind : new String[] {"optim.exp_avg.", "optim.exp_avg_sq."}) {
                Tensor t = in.get(kind + p.name());
                if (t == null) {
                    throw new IllegalArgumentException(source + ": missing tensor '" + kind + p.name() + "'");
                }
                if (t.size() != p.size()) {
                    throw new IllegalArgumentException(source + ": tensor '" + kind + p.name() + "' has " + t.size()
                            + " values, the parameter " + p.size());
                }
            }
        }
    }

    @Override
    public void close() {
        expAvg.forEach(ConvBuffer::close);
        expAvgSq.forEach(ConvBuffer::close);
    }
}
