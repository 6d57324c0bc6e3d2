package dev.synctalk.nerf;

import dev.synctalk.gpu.tensor.Tensor;

/**
 * One training image of the torso stage: the head pose [4, 4] of the frame (camera-to-world, as the
 * head model's), the target [H*W, 3] = torso over background with the head removed (the reference's
 * bg_torso_color: torso_imgs composited over the background image), the background image [H*W, 3]
 * and the frame's torso-code index.
 */
public record TorsoTrainFrame(int width, int height, Tensor pose, Tensor target, Tensor background, int frameIndex) {

    public TorsoTrainFrame {
        int pixels = width * height;
        Tensor.requireShape("head pose", pose, 4, 4);
        Tensor.requireShape("torso target", target, pixels, 3);
        Tensor.requireShape("background", background, pixels, 3);
    }

    public int pixelCount() {
        return width * height;
    }
}
