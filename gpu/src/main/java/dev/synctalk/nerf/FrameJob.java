package dev.synctalk.nerf;

import dev.synctalk.gpu.tensor.Tensor;

/**
 * One output frame to render: the head's camera pose [4, 4] and conditioning, and in portrait mode the original
 * frame and face mask it is pasted into (null otherwise). What a {@link dev.synctalk.gpu.render.FramePipeline} of
 * the head-render stage takes per frame, on the CPU ({@link HostFrameRenderer}) or on a GPU
 * ({@link dev.synctalk.nerf.cuda.CudaFrameRenderer}).
 */
public record FrameJob(Tensor pose, FrameConditioning conditioning, Portrait portrait) {

    /**
     * The portrait layer of a frame: the original frame's RGB bytes [H*W*3] and the green channel [H*W] of its
     * face mask image (N_face.png: face weight = 1 - green / 255, as the reference's provider.py reads it).
     */
    public record Portrait(byte[] originalRgb, byte[] faceMaskGreen) {
        public Portrait {
            if (originalRgb.length != 3 * faceMaskGreen.length) {
                throw new IllegalArgumentException("an original frame of " + faceMaskGreen.length + " pixels has "
                        + 3L * faceMaskGreen.length + " RGB bytes, got " + originalRgb.length);
            }
        }
    }

    public FrameJob {
        Tensor.requireShape("camera pose", pose, 4, 4);
    }

    /** The portrait layer, checked against a frame of {@code pixels} pixels. */
    public Portrait requirePortrait(int pixels) {
        if (portrait == null) {
            throw new IllegalArgumentException("a portrait frame needs its original frame and face mask");
        }
        if (portrait.faceMaskGreen().length != pixels) {
            throw new IllegalArgumentException("the original frame and face mask have " + portrait.faceMaskGreen().length
                    + " pixels, the camera renders " + pixels);
        }
        return portrait;
    }
}
