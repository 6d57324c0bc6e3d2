package dev.synctalk.nerf;

import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * One training image with everything a head step needs: camera and pose [4, 4] (camera-to-world,
 * OpenCV axes), ground truth [H*W, 3] in [0, 1], the background behind the head [H*W, 3], the face
 * mask [H*W] (uncertainty terms) and the lower-face mask [H*W] (ambient losses), 1 inside and 0
 * outside, and the frame's conditioning.
 */
public record TrainFrame(CameraRays camera, Tensor pose, Tensor image, Tensor background, Tensor faceMask,
                         Tensor lowerFaceMask, FrameConditioning conditioning) {

    public TrainFrame {
        int pixels = camera.width() * camera.height();
        Tensor.requireShape("pose", pose, 4, 4);
        Tensor.requireShape("image", image, pixels, 3);
        Tensor.requireShape("background", background, pixels, 3);
        Tensor.requireShape("face mask", faceMask, pixels);
        Tensor.requireShape("lower-face mask", lowerFaceMask, pixels);
    }
}
