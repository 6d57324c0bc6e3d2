package dev.synctalk.gpu.optim;

import dev.synctalk.gpu.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * One optimiser parameter group: parameters, their gradients (same shapes, same order) and settings,
 * as a torch param group. SyncTalk: grids at lr 1e-2, networks at 1e-3.
 */
public record ParamGroup(String name, List<Tensor> params, List<Tensor> grads, AdamWConfig config) {

    public ParamGroup {
        params = List.copyOf(params);
        grads = List.copyOf(grads);
        if (params.size() != grads.size()) {
            throw new IllegalArgumentException("group '" + name + "' has " + params.size() + " parameters but "
                    + grads.size() + " gradients");
        }
        for (int i = 0; i < params.size(); i++) {
            if (!Arrays.equals(params.get(i).shape(), grads.get(i).shape())) {
                throw new IllegalArgumentException("group '" + name + "' parameter " + i + " has shape "
                        + Arrays.toString(params.get(i).shape()) + " but its gradient has "
                        + Arrays.toString(grads.get(i).shape()));
            }
        }
    }

    /** Zeroes every gradient of the group (torch's zero_grad with set_to_none=False). */
    public void zeroGrad() {
        for (Tensor g : grads) {
            g.fillZero();
        }
    }
}
