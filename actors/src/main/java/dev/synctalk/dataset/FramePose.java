package dev.synctalk.dataset;

import java.util.Arrays;

/**
 * One entry of a transforms file: the image id (file name stem in ori_imgs/, gt_imgs/, ...), the row
 * of the audio features it speaks, and its 4x4 camera-to-world matrix in row-major order, in the
 * dataset's (NeRF/OpenGL) convention as SyncTalk's preprocessing writes it.
 */
public record FramePose(int imageId, int audioId, double[] transformMatrix) {
    public FramePose {
        if (imageId < 0 || audioId < 0) {
            throw new IllegalArgumentException("ids must be non-negative, got img_id " + imageId + ", aud_id " + audioId);
        }
        if (transformMatrix.length != 16) {
            throw new IllegalArgumentException("transform matrix must have 16 values (4x4), got " + transformMatrix.length);
        }
        transformMatrix = transformMatrix.clone();
    }

    @Override
    public double[] transformMatrix() {
        return transformMatrix.clone();
    }

    public double matrix(int row, int column) {
        return transformMatrix[row * 4 + column];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FramePose p && imageId == p.imageId && audioId == p.audioId
                && Arrays.equals(transformMatrix, p.transformMatrix);
    }

    @Override
    public int hashCode() {
        return (imageId * 31 + audioId) * 31 + Arrays.hashCode(transformMatrix);
    }

    @Override
    public String toString() {
        return "FramePose[img_id=" + imageId + ", aud_id=" + audioId + ", " + Arrays.toString(transformMatrix) + "]";
    }
}
