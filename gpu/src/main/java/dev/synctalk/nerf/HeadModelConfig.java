package dev.synctalk.nerf;

import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.encoding.TriPlaneEncoder;

/**
 * Sizes and learning rates of the head NeRF (synctalk-facts.md, "Head NeRF" and "Optimiser").
 *
 * @param gridLevels             hash levels per plane (12)
 * @param gridBaseResolution     coarsest level resolution (64)
 * @param gridLog2HashmapSize    log2 of the table rows per level (14)
 * @param gridFinestResolution   finest level resolution (512 * bound)
 * @param bound                  scene half-extent; points live in [-bound, bound]^3 (1)
 * @param audioDim               audio code width (32)
 * @param expressionDim          expression coefficients (7, the "upper" blendshapes)
 * @param attentionHidden        hidden width of aud_ch_att_net and eye_att_net (64)
 * @param sigmaHidden            hidden width of sigma_net (64, 3 layers)
 * @param geoFeatureDim          geometry feature width passed to the colour net (64)
 * @param colorHidden            hidden width of color_net (64, 2 layers)
 * @param uncertaintyHidden      hidden width of unc_net (32, 2 layers)
 * @param individualCodeDim      per-frame individual code width (4; 0 disables the codes, the reference's ind_dim 0)
 * @param individualCodeCount    number of individual codes, one per training frame
 * @param gridLearningRate       AdamW lr of the hash grids (1e-2)
 * @param networkLearningRate    AdamW lr of the networks and codes (1e-3)
 */
public record HeadModelConfig(int gridLevels, int gridBaseResolution, int gridLog2HashmapSize,
                              double gridFinestResolution, float bound, int audioDim, int expressionDim,
                              int attentionHidden, int sigmaHidden, int geoFeatureDim, int colorHidden,
                              int uncertaintyHidden, int individualCodeDim, int individualCodeCount,
                              double gridLearningRate, double networkLearningRate) {

    public HeadModelConfig {
        if (audioDim < 1 || expressionDim < 1 || attentionHidden < 1 || sigmaHidden < 1 || geoFeatureDim < 1
                || colorHidden < 1 || uncertaintyHidden < 1 || individualCodeDim < 0 || individualCodeCount < 1) {
            throw new IllegalArgumentException("head model sizes must be positive: " + this);
        }
    }

    /** The reference sizes for a person with {@code frameCount} training frames. */
    public static HeadModelConfig syncTalk(int frameCount) {
        return new HeadModelConfig(12, 64, 14, 512.0, 1f, 32, 7, 64, 64, 64, 64, 32, 4, frameCount, 1e-2, 1e-3);
    }

    /** A small model for tests: 6 levels of 16..128 with 2^10 rows, 16-wide networks, 8-d audio code. */
    public static HeadModelConfig tiny(int frameCount) {
        return new HeadModelConfig(6, 16, 10, 128.0, 1f, 8, 7, 16, 32, 15, 16, 8, 4, frameCount, 1e-2, 1e-3);
    }

    public HeadModelConfig withLearningRates(double grid, double network) {
        return new HeadModelConfig(gridLevels, gridBaseResolution, gridLog2HashmapSize, gridFinestResolution, bound,
                audioDim, expressionDim, attentionHidden, sigmaHidden, geoFeatureDim, colorHidden, uncertaintyHidden,
                individualCodeDim, individualCodeCount, grid, network);
    }

    public HeadModelConfig withIndividualCodeDim(int dim) {
        return new HeadModelConfig(gridLevels, gridBaseResolution, gridLog2HashmapSize, gridFinestResolution, bound,
                audioDim, expressionDim, attentionHidden, sigmaHidden, geoFeatureDim, colorHidden, uncertaintyHidden,
                dim, individualCodeCount, gridLearningRate, networkLearningRate);
    }

    public TriPlaneEncoder encoder() {
        return new TriPlaneEncoder(new HashGrid2D(gridLevels, 1, gridBaseResolution, gridLog2HashmapSize,
                gridFinestResolution, bound));
    }
}
