package dev.synctalk.nerf;

import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * Whole-frame renders of a trained head: {@link Renderer} on a {@link dev.synctalk.gpu.tensor.Backend} (the CPU
 * reference), or the device renderer when the stage is placed on a GPU. Same model, same marcher, same frame.
 */
public interface HeadRendering {

    /** Renders every pixel of {@code camera} from {@code pose} [4, 4]; background [H*W, 3] or null for black. */
    Renderer.Frame render(CameraRays camera, Tensor pose, FrameConditioning conditioning, Tensor background);
}
