package dev.synctalk.sync;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.facesync.FaceSyncSampling;

import java.util.List;

/**
 * What one training step of the lip-sync expert or the AVE looks at (frame index = step): clip and frame
 * indices only, drawn by {@link FaceSyncSampling}; the trainer, which holds the clips, turns them into
 * pixels and mel windows. Exactly one of the two lists is non-empty.
 */
public record SyncSamples(long frameIndex, List<FaceSyncSampling.ExpertSample> expert,
                          List<FaceSyncSampling.AveSample> ave) implements Indexed {
    public SyncSamples {
        expert = List.copyOf(expert);
        ave = List.copyOf(ave);
        if (expert.isEmpty() == ave.isEmpty()) {
            throw new IllegalArgumentException("sync samples of step " + frameIndex
                    + " must hold either expert or AVE samples");
        }
    }
}
