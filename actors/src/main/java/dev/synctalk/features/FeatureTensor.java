package dev.synctalk.features;

import dev.synctalk.engine.stage.Indexed;

/** A per-frame float tensor that can be stacked into an {@code [N, ...shape]} feature array. */
public interface FeatureTensor extends Indexed {
    /** Dimensions of one frame's tensor, outermost first. */
    int[] shape();

    /** Row-major elements; {@code data().length} equals the product of {@link #shape()}. */
    float[] data();
}
