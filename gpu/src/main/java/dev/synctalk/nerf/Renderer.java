package dev.synctalk.nerf;

import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.render.MarchedRays;
import dev.synctalk.gpu.render.RayMarcher;
import dev.synctalk.gpu.render.RenderOutput;
import dev.synctalk.gpu.render.VolumeRenderer;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * Renders whole frames of the head: the frame's audio code is encoded once, then pixels are marched
 * (no jitter) and rendered in chunks of {@link #CHUNK_RAYS} rays, composited over the given
 * background. Deterministic: no randomness at all.
 */
public final class Renderer implements HeadRendering {
    /** Rays per chunk: bounds the memory of one model evaluation. */
    public static final int CHUNK_RAYS = 4096;

    private final Backend backend;
    private final HeadModel model;
    private final AudioConditioner conditioner;
    private final OccupancyGrid grid;
    private final RayMarcher marcher;
    private final VolumeRenderer renderer = VolumeRenderer.training();

    public Renderer(Backend backend, HeadModel model, AudioConditioner conditioner, OccupancyGrid grid, RayMarcher marcher) {
        this.backend = backend;
        this.model = model;
        this.conditioner = conditioner;
        this.grid = grid;
        this.marcher = marcher;
    }

    /** A rendered frame: colour [H*W, 3] (row-major pixels) and accumulated head opacity [H*W]. */
    public record Frame(int width, int height, Tensor image, Tensor opacity) {
    }

    @Override
    public Frame render(CameraRays camera, Tensor pose, FrameConditioning conditioning, Tensor background) {
        int pixels = camera.width() * camera.height();
        if (background != null) {
            Tensor.requireShape("background", background, pixels, 3);
        }
        Tensor code = conditioner.encode(backend, conditioning.audioWindow()).code();
        Tensor image = Tensor.zeros(pixels, 3);
        Tensor opacity = Tensor.zeros(pixels);
        for (int start = 0; start < pixels; start += CHUNK_RAYS) {
            int count = Math.min(CHUNK_RAYS, pixels - start);
            int[] ids = new int[count];
            for (int i = 0; i < count; i++) {
                ids[i] = start + i;
            }
            Tensor origins = Tensor.zeros(count, 3);
            Tensor directions = Tensor.zeros(count, 3);
            backend.cameraRays(camera, pose, ids, origins, directions);
            MarchedRays marched = backend.marchRays(marcher, grid.occupancy(), origins, directions, false, 0L);
            HeadModel.Trace trace = model.forward(backend, marched.positions(), marched.directions(), code,
                    conditioning.expression(), conditioning.frameIndex());
            Tensor chunkBackground = null;
            if (background != null) {
                float[] part = new float[count * 3];
                System.arraycopy(background.data(), start * 3, part, 0, count * 3);
                chunkBackground = Tensor.wrap(part, count, 3);
            }
            RenderOutput out = RenderOutput.zeros(count);
            backend.volumeRenderForward(renderer, marched.withValues(trace.sigma(), trace.rgb()), chunkBackground, out);
            System.arraycopy(out.image().data(), 0, image.data(), start * 3, count * 3);
            System.arraycopy(out.weightsSum().data(), 0, opacity.data(), start, count);
        }
        return new Frame(camera.width(), camera.height(), image, opacity);
    }
}
