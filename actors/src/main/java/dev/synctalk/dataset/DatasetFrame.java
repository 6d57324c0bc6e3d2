package dev.synctalk.dataset;

import dev.synctalk.engine.stage.Indexed;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One frame of a dataset as the training and inference graphs consume it: its place in the emitted
 * sequence ({@code frameIndex}), which transforms entry it is (split, img_id, aud_id), its 4x4
 * camera-to-world pose (row-major), its 7 expression coefficients, and the dataset root its files are in.
 */
public record DatasetFrame(long frameIndex, Split split, int imageId, int audioId, double[] transformMatrix,
        float[] expression, Path datasetRoot) implements Indexed {

    public DatasetFrame {
        if (transformMatrix.length != 16) {
            throw new IllegalArgumentException("frame " + frameIndex + ": transform matrix needs 16 values, got "
                    + transformMatrix.length);
        }
    }

    public DatasetLayout layout() {
        return new DatasetLayout(datasetRoot);
    }

    /** The training target image (gt_imgs/N.jpg). */
    public Path image() {
        return layout().groundTruth(imageId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetFrame f && frameIndex == f.frameIndex && split == f.split && imageId == f.imageId
                && audioId == f.audioId && Arrays.equals(transformMatrix, f.transformMatrix)
                && Arrays.equals(expression, f.expression) && datasetRoot.equals(f.datasetRoot);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(frameIndex) * 31 + imageId) * 31 + Arrays.hashCode(transformMatrix);
    }

    @Override
    public String toString() {
        return "DatasetFrame[" + frameIndex + ", " + split + " img_id=" + imageId + ", aud_id=" + audioId + "]";
    }
}
