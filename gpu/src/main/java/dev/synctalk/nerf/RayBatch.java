package dev.synctalk.nerf;

import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * Rays of one frame for a training step: origins and unit directions [R, 3], target colours [R, 3],
 * background colours [R, 3], face and lower-face flags [R] (1/0), and the frame's conditioning.
 */
public record RayBatch(Tensor origins, Tensor directions, Tensor target, Tensor background, Tensor faceMask,
                       Tensor lowerFaceMask, FrameConditioning conditioning) {

    public RayBatch {
        int r = origins.dim(0);
        Tensor.requireShape("ray origins", origins, r, 3);
        Tensor.requireShape("ray directions", directions, r, 3);
        Tensor.requireShape("ray targets", target, r, 3);
        Tensor.requireShape("ray backgrounds", background, r, 3);
        Tensor.requireShape("ray face flags", faceMask, r);
        Tensor.requireShape("ray lower-face flags", lowerFaceMask, r);
    }

    public int rayCount() {
        return origins.dim(0);
    }

    /** The rays through {@code pixels} (index j * width + i) of {@code frame}. */
    public static RayBatch ofPixels(Backend backend, TrainFrame frame, int[] pixels) {
        int r = pixels.length;
        Tensor origins = Tensor.zeros(r, 3);
        Tensor directions = Tensor.zeros(r, 3);
        backend.cameraRays(frame.camera(), frame.pose(), pixels, origins, directions);
        Tensor target = Tensor.zeros(r, 3);
        Tensor background = Tensor.zeros(r, 3);
        Tensor face = Tensor.zeros(r);
        Tensor lower = Tensor.zeros(r);
        for (int i = 0; i < r; i++) {
            int p = pixels[i];
            System.arraycopy(frame.image().data(), 3 * p, target.data(), 3 * i, 3);
            System.arraycopy(frame.background().data(), 3 * p, background.data(), 3 * i, 3);
            face.data()[i] = frame.faceMask().data()[p];
            lower.data()[i] = frame.lowerFaceMask().data()[p];
        }
        return new RayBatch(origins, directions, target, background, face, lower, frame.conditioning());
    }
}
