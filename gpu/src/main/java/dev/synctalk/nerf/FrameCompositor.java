package dev.synctalk.nerf;

import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.render.HeadTorsoComposite;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * Full-frame renders with the torso (the reference's render with --torso): the torso is rendered over
 * the background image, then the head is volume-rendered over that, per pixel
 * <pre>
 *   torso = torso_rgb * torso_alpha + (1 - torso_alpha) * background
 *   out   = sum_i w_i head_rgb_i + (1 - head_opacity) * torso          (head over torso over background)
 * </pre>
 * The head is rendered without a background and composited with {@link HeadTorsoComposite}, the CPU twin
 * of the device compositing ({@code CudaTorsoRenderer}); the result is bit-identical to rendering the head
 * over the torso image. Deterministic: no randomness.
 */
public final class FrameCompositor {
    private final Backend backend;
    private final HeadRendering head;
    private final TorsoModel torso;

    public FrameCompositor(Backend backend, HeadRendering head, TorsoModel torso) {
        this.backend = backend;
        this.head = head;
        this.torso = torso;
    }

    /**
     * A composited frame: image [H*W, 3], the head's accumulated opacity [H*W] and the torso alpha [H*W].
     */
    public record Frame(int width, int height, Tensor image, Tensor headOpacity, Tensor torsoAlpha) {
    }

    /**
     * Renders frame {@code camera} x {@code pose} [4, 4] with the head's conditioning, the torso code of
     * {@code torsoCodeIndex} and the background image [H*W, 3].
     */
    public Frame render(CameraRays camera, Tensor pose, FrameConditioning conditioning, int torsoCodeIndex,
                        Tensor background) {
        int pixels = camera.width() * camera.height();
        Tensor.requireShape("background", background, pixels, 3);
        Tensor torsoRgb = Tensor.zeros(pixels, 3);
        Tensor torsoAlpha = Tensor.zeros(pixels);
        torso.renderLayer(backend, camera.width(), camera.height(), pose, torsoCodeIndex, torsoAlpha, torsoRgb);
        Renderer.Frame headFrame = head.render(camera, pose, conditioning, null);
        Tensor image = Tensor.zeros(pixels, 3);
        HeadTorsoComposite.forward(headFrame.image().data(), headFrame.opacity().data(), torsoAlpha.data(),
                torsoRgb.data(), background.data(), image.data(), 0, pixels);
        return new Frame(camera.width(), camera.height(), image, headFrame.opacity(), torsoAlpha);
    }

    /** As {@link #render}, writing the image into an existing frame buffer {@code out} [H*W, 3]. */
    public void renderInto(CameraRays camera, Tensor pose, FrameConditioning conditioning, int torsoCodeIndex,
                           Tensor background, Tensor out) {
        Tensor.requireShape("frame buffer", out, camera.width() * camera.height(), 3);
        out.copyFrom(render(camera, pose, conditioning, torsoCodeIndex, background).image());
    }
}
