package dev.synctalk.nerf;

import dev.synctalk.gpu.tensor.Tensor;

/**
 * The inputs of one torso training step on R pixels of one frame: the frame (index into the training data),
 * its torso-code index and head pose [4, 4], the pixels (row * width + column), their normalised coordinates
 * [R, 2] ({@link TorsoModel#pixelCoordinates}), targets [R, 3] (torso over background) and background
 * colours [R, 3].
 */
public record TorsoBatch(int frame, int codeIndex, Tensor pose, int[] pixels, Tensor coords, Tensor target,
                         Tensor background) {

    public TorsoBatch {
        int r = pixels.length;
        Tensor.requireShape("head pose", pose, 4, 4);
        Tensor.requireShape("torso pixel coordinates", coords, r, 2);
        Tensor.requireShape("torso targets", target, r, 3);
        Tensor.requireShape("torso background colours", background, r, 3);
    }

    public int pixelCount() {
        return pixels.length;
    }
}
