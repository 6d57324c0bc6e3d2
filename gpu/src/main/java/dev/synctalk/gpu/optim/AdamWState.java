package dev.synctalk.gpu.optim;

import java.util.List;

/**
 * Checkpointable AdamW state of one parameter group: the step count and, per parameter tensor in
 * the group's order, the first (expAvg) and second (expAvgSq) moments as flat float arrays.
 */
public record AdamWState(String groupName, long step, List<float[]> expAvg, List<float[]> expAvgSq) {

    public AdamWState {
        expAvg = List.copyOf(expAvg);
        expAvgSq = List.copyOf(expAvgSq);
        if (step < 0) {
            throw new IllegalArgumentException("group '" + groupName + "' step must be >= 0, was " + step);
        }
        if (expAvg.size() != expAvgSq.size()) {
            throw new IllegalArgumentException("group '" + groupName + "' has " + expAvg.size()
                    + " first moments but " + expAvgSq.size() + " second moments");
        }
    }
}
