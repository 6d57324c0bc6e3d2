package dev.synctalk.training;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.FrameConditioning;
import dev.synctalk.nerf.RayBatch;

/**
 * The rays of one training step (frameIndex = step, 0-based), self-contained so that a journal or
 * another process can train on it: per ray origin and unit direction (trainer axes), target and
 * background colour, face and lower-face flags, all row-major [rays, 3] or [rays]; and the step's
 * frame conditioning: audio window [windowShape], expression [7], individual code index.
 * {@code patchSide} &gt; 1 says the rays are whole square patches of that side, one after another, each
 * row-major (what patch losses need); 0 means scattered single rays.
 */
public record TrainRays(long frameIndex, int imageId, int codeIndex, float[] origins, float[] directions,
                        float[] target, float[] background, float[] faceMask, float[] lowerFaceMask,
                        int[] windowShape, float[] audioWindow, float[] expression, int patchSide)
        implements Indexed {

    public TrainRays {
        int r = faceMask.length;
        if (origins.length != 3 * r || directions.length != 3 * r || target.length != 3 * r
                || background.length != 3 * r || lowerFaceMask.length != r) {
            throw new IllegalArgumentException("train rays of step " + frameIndex + " have inconsistent lengths");
        }
        if (patchSide < 0 || patchSide == 1 || (patchSide > 1 && r % (patchSide * patchSide) != 0)) {
            throw new IllegalArgumentException("train rays of step " + frameIndex + ": " + r + " rays are not whole "
                    + patchSide + "x" + patchSide + " patches");
        }
        int n = 1;
        for (int d : windowShape) {
            n *= d;
        }
        if (n != audioWindow.length) {
            throw new IllegalArgumentException("train rays of step " + frameIndex + ": audio window of shape "
                    + java.util.Arrays.toString(windowShape) + " needs " + n + " values, has " + audioWindow.length);
        }
    }

    public boolean isPatches() {
        return patchSide > 1;
    }

    public int rayCount() {
        return faceMask.length;
    }

    public RayBatch toRayBatch() {
        int r = rayCount();
        FrameConditioning conditioning = new FrameConditioning(Tensor.wrap(audioWindow.clone(), windowShape.clone()),
                Tensor.wrap(expression.clone(), expression.length), codeIndex);
        return new RayBatch(Tensor.wrap(origins.clone(), r, 3), Tensor.wrap(directions.clone(), r, 3),
                Tensor.wrap(target.clone(), r, 3), Tensor.wrap(background.clone(), r, 3),
                Tensor.wrap(faceMask.clone(), r), Tensor.wrap(lowerFaceMask.clone(), r), conditioning);
    }

    @Override
    public String toString() {
        return "TrainRays[step " + frameIndex + ", img_id " + imageId + ", " + rayCount() + " rays]";
    }
}
