package dev.synctalk.training;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.nerf.TorsoTrainFrame;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * The training image of one torso step (frameIndex = step, 0-based), self-contained: the frame's head
 * pose [16] (trainer axes, row-major 4x4), its torso-code index (position in the training split), the
 * target [H*W*3] (torso over background, the reference's bg_torso_color) and the background bc.jpg
 * [H*W*3]. Which pixels are trained is the torso trainer's own (checkpointed) random choice.
 */
public record TorsoTrainImage(long frameIndex, int imageId, int codeIndex, int width, int height, float[] pose,
                              float[] target, float[] background) implements Indexed {

    public TorsoTrainImage {
        if (pose.length != 16 || target.length != 3 * width * height || background.length != target.length) {
            throw new IllegalArgumentException("torso image of step " + frameIndex + " (img_id " + imageId
                    + ") has inconsistent lengths for " + width + "x" + height);
        }
    }

    public TorsoTrainFrame toTrainFrame() {
        int pixels = width * height;
        return new TorsoTrainFrame(width, height, Tensor.wrap(pose.clone(), 4, 4), Tensor.wrap(target.clone(), pixels, 3),
                Tensor.wrap(background.clone(), pixels, 3), codeIndex);
    }

    @Override
    public String toString() {
        return "TorsoTrainImage[step " + frameIndex + ", img_id " + imageId + ", " + width + "x" + height + "]";
    }
}
