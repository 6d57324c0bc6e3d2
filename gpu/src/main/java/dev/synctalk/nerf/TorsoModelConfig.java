package dev.synctalk.nerf;

import dev.synctalk.gpu.encoding.FrequencyEncoding;
import dev.synctalk.gpu.encoding.HashGrid2D;

/**
 * Sizes and learning rates of the torso model (synctalk-facts.md, "Torso"; the reference's
 * network.py torso branch). Defaults in brackets are {@link #syncTalk(int)}.
 *
 * @param pixelFrequencies     frequencies of the pixel-coordinate encoding (8; 2 + 2*2*8 = 34 features)
 * @param anchorFrequencies    frequencies of the projected-anchor encoding (3; 6 + 2*6*3 = 42 features)
 * @param individualCodeDim    per-frame torso code width (8; 0 disables the codes)
 * @param individualCodeCount  number of torso codes, one per training frame
 * @param deformHidden         hidden width of the deformation MLP (32, 3 layers: ... -> 32 -> 32 -> 2)
 * @param gridLevels           levels of the colour grid (16)
 * @param gridFeatures         features per level (2)
 * @param gridBaseResolution   coarsest level (16)
 * @param gridLog2HashmapSize  log2 rows per level (16)
 * @param gridFinestResolution finest level (2048)
 * @param colorHidden          hidden width of the colour MLP (32, 3 layers: ... -> 32 -> 32 -> 4)
 * @param shrink               pixel coordinates are scaled by this before deformation (torso_shrink 0.8)
 * @param gridLearningRate     AdamW lr of the grid (1e-2)
 * @param networkLearningRate  AdamW lr of the networks, anchors and codes (1e-3)
 */
public record TorsoModelConfig(int pixelFrequencies, int anchorFrequencies, int individualCodeDim,
                               int individualCodeCount, int deformHidden, int gridLevels, int gridFeatures,
                               int gridBaseResolution, int gridLog2HashmapSize, double gridFinestResolution,
                               int colorHidden, float shrink, double gridLearningRate, double networkLearningRate) {

    /** The reference's three anchors (x, y, z, w), near the head centre. */
    public static final int ANCHOR_COUNT = 3;

    public TorsoModelConfig {
        if (pixelFrequencies < 0 || anchorFrequencies < 0 || individualCodeDim < 0 || individualCodeCount < 1
                || deformHidden < 1 || colorHidden < 1 || !(shrink > 0)) {
            throw new IllegalArgumentException("invalid torso model sizes: " + this);
        }
    }

    /** The reference sizes for a person with {@code frameCount} training frames. */
    public static TorsoModelConfig syncTalk(int frameCount) {
        return new TorsoModelConfig(8, 3, 8, frameCount, 32, 16, 2, 16, 16, 2048.0, 32, 0.8f, 1e-2, 1e-3);
    }

    /** A small model for tests: 8 grid levels of 8..64 with 2^10 rows, 16-wide networks, 4-d codes. */
    public static TorsoModelConfig tiny(int frameCount) {
        return new TorsoModelConfig(8, 3, 4, frameCount, 16, 8, 2, 8, 10, 64.0, 16, 0.8f, 1e-2, 1e-3);
    }

    public TorsoModelConfig withLearningRates(double grid, double network) {
        return new TorsoModelConfig(pixelFrequencies, anchorFrequencies, individualCodeDim, individualCodeCount,
                deformHidden, gridLevels, gridFeatures, gridBaseResolution, gridLog2HashmapSize, gridFinestResolution,
                colorHidden, shrink, grid, network);
    }

    public FrequencyEncoding pixelEncoding() {
        return FrequencyEncoding.torchNgp(2, pixelFrequencies);
    }

    public FrequencyEncoding anchorEncoding() {
        return FrequencyEncoding.torchNgp(2 * ANCHOR_COUNT, anchorFrequencies);
    }

    /** The colour grid over [-1, 1]^2 (see {@link TorsoModel} for why it is hashed, not tiled). */
    public HashGrid2D grid() {
        return new HashGrid2D(gridLevels, gridFeatures, gridBaseResolution, gridLog2HashmapSize, gridFinestResolution, 1f);
    }

    /** Width of the deformation inputs [pixel encoding, anchor encoding, code], also fed to the colour net. */
    public int deformInputDim() {
        return pixelEncoding().outputDim() + anchorEncoding().outputDim() + individualCodeDim;
    }
}
