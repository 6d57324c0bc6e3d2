package dev.synctalk.nerf;

import dev.synctalk.gpu.image.FrameRgb8;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.render.FramePipeline;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * Finished 8-bit frames on the CPU: the head ({@link HeadRendering}, the CPU {@link Renderer}) over the background,
 * over the torso ({@link FrameCompositor}) or pasted into the original frame, then {@link FrameRgb8}. The reference
 * of {@link dev.synctalk.nerf.cuda.CudaFrameRenderer}; its pipeline slots render when a frame is submitted (there is
 * nothing to overlap on the CPU), so the stage drives both backends the same way.
 */
public final class HostFrameRenderer {
    private final HeadRendering head;
    private final FrameCompositor torso;
    private final CameraRays camera;
    private final Tensor background;
    private final FrameComposition composition;

    /**
     * @param torso      the head-over-torso compositor ({@link FrameComposition#HEAD_OVER_TORSO}), else null
     * @param background the background image [H*W, 3]
     */
    public HostFrameRenderer(HeadRendering head, FrameCompositor torso, CameraRays camera, Tensor background,
                             FrameComposition composition) {
        if ((composition == FrameComposition.HEAD_OVER_TORSO) != (torso != null)) {
            throw new IllegalArgumentException(composition + " frames " + (torso == null ? "need" : "take no")
                    + " torso compositor");
        }
        Tensor.requireShape("background", background, camera.width() * camera.height(), 3);
        this.head = head;
        this.torso = torso;
        this.camera = camera;
        this.background = background;
        this.composition = composition;
    }

    /** The finished frame [H*W*3] as RGB bytes. */
    public byte[] render(FrameJob job) {
        return switch (composition) {
            case HEAD_OVER_BACKGROUND -> FrameRgb8.quantize(
                    head.render(camera, job.pose(), job.conditioning(), background).image().data());
            case HEAD_OVER_TORSO -> FrameRgb8.quantize(
                    torso.render(camera, job.pose(), job.conditioning(), 0, background).image().data());
            case PORTRAIT -> {
                FrameJob.Portrait p = job.requirePortrait(camera.width() * camera.height());
                yield FrameRgb8.portrait(head.render(camera, job.pose(), job.conditioning(), background).image().data(),
                        p.originalRgb(), p.faceMaskGreen());
            }
        };
    }

    /** A pipeline of {@code depth} slots that render on submit. */
    public FramePipeline<FrameJob, byte[]> pipeline(int depth) {
        return new FramePipeline<>(depth, () -> new FramePipeline.Slot<FrameJob, byte[]>() {
            private byte[] frame;

            @Override
            public void start(FrameJob job) {
                frame = render(job);
            }

            @Override
            public byte[] finish() {
                byte[] out = frame;
                frame = null;
                return out;
            }

            @Override
            public void close() {
                frame = null;
            }
        });
    }
}
