package dev.synctalk.gpu.optim;

import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * torch.optim.AdamW over parameter groups, each with its own settings, step count and moments.
 * The update itself is the backend's {@link Backend#adamWStep} kernel ({@link AdamWUpdate}).
 * The learning rate used is {@code config.learningRate * learningRateFactor}, the factor coming from
 * a {@link LearningRateSchedule} the training loop applies.
 */
public final class AdamW {
    private final Backend backend;
    private final List<ParamGroup> groups;
    private final List<List<Tensor>> expAvg = new ArrayList<>();
    private final List<List<Tensor>> expAvgSq = new ArrayList<>();
    private final long[] steps;
    private double learningRateFactor = 1.0;

    public AdamW(Backend backend, List<ParamGroup> groups) {
        this.backend = backend;
        this.groups = List.copyOf(groups);
        this.steps = new long[groups.size()];
        for (ParamGroup group : this.groups) {
            List<Tensor> m = new ArrayList<>();
            List<Tensor> v = new ArrayList<>();
            for (Tensor p : group.params()) {
                m.add(Tensor.zeros(p.shape()));
                v.add(Tensor.zeros(p.shape()));
            }
            expAvg.add(m);
            expAvgSq.add(v);
        }
    }

    public List<ParamGroup> groups() {
        return groups;
    }

    public void setLearningRateFactor(double factor) {
        if (!(factor >= 0)) {
            throw new IllegalArgumentException("learning-rate factor must be >= 0, was " + factor);
        }
        this.learningRateFactor = factor;
    }

    public double learningRate(int group) {
        return groups.get(group).config().learningRate() * learningRateFactor;
    }

    /** Applies one update to every group from its current gradients. */
    public void step() {
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = groups.get(g);
            steps[g]++;
            double lr = learningRate(g);
            for (int i = 0; i < group.params().size(); i++) {
                backend.adamWStep(group.config(), lr, steps[g], group.params().get(i), group.grads().get(i),
                        expAvg.get(g).get(i), expAvgSq.get(g).get(i));
            }
        }
    }

    public void zeroGrad() {
        for (ParamGroup group : groups) {
            group.zeroGrad();
        }
    }

    /** A deep copy of every group's step count and moments, for a checkpoint. */
    public List<AdamWState> exportState() {
        List<AdamWState> states = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            List<float[]> m = new ArrayList<>();
            List<float[]> v = new ArrayList<>();
            for (int i = 0; i < groups.get(g).params().size(); i++) {
                m.add(expAvg.get(g).get(i).data().clone());
                v.add(expAvgSq.get(g).get(i).data().clone());
            }
            states.add(new AdamWState(groups.get(g).name(), steps[g], m, v));
        }
        return List.copyOf(states);
    }

    /** Restores state exported by {@link #exportState()} from an optimiser over the same groups. */
    public void importState(List<AdamWState> states) {
        if (states.size() != groups.size()) {
            throw new IllegalArgumentException("optimizer state has " + states.size() + " groups, this optimizer has "
                    + groups.size());
        }
        for (int g = 0; g < groups.size(); g++) {
            AdamWState state = states.get(g);
            ParamGroup group = groups.get(g);
            if (!state.groupName().equals(group.name())) {
                throw new IllegalArgumentException("optimizer state group " + g + " is '" + state.groupName()
                        + "' but this optimizer's group " + g + " is '" + group.name() + "'");
            }
            if (state.expAvg().size() != group.params().size()) {
                throw new IllegalArgumentException("optimizer state of group '" + group.name() + "' has "
                        + state.expAvg().size() + " tensors, the group has " + group.params().size());
            }
            for (int i = 0; i < group.params().size(); i++) {
                int size = group.params().get(i).size();
                if (state.expAvg().get(i).length != size || state.expAvgSq().get(i).length != size) {
                    throw new IllegalArgumentException("optimizer state of group '" + group.name() + "' tensor " + i
                            + " has " + state.expAvg().get(i).length + "/" + state.expAvgSq().get(i).length
                            + " moments for a parameter of " + size + " elements");
                }
            }
        }
        for (int g = 0; g < groups.size(); g++) {
            AdamWState state = states.get(g);
            steps[g] = state.step();
            for (int i = 0; i < groups.get(g).params().size(); i++) {
                System.arraycopy(state.expAvg().get(i), 0, expAvg.get(g).get(i).data(), 0, state.expAvg().get(i).length);
                System.arraycopy(state.expAvgSq().get(i), 0, expAvgSq.get(g).get(i).data(), 0,
                        state.expAvgSq().get(i).length);
            }
        }
    }
}
