package dev.synctalk.nerf;

import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * lambda x mean over patches of LPIPS(rendered patch, target patch), the fine and lips phases' image
 * loss. The batch's rays are whole square patches of side {@code patchSide}, patch after patch, each
 * row-major (as {@link TrainingSampler} lays them out); colours in [0, 1] are mapped to LPIPS's
 * [-1, 1] by 2c - 1, as the reference does before its lpips call.
 */
public final class PatchLpipsLoss implements HeadTrainer.ImageLoss {
    private final LpipsAlex lpips;
    private final double lambda;
    private final int patchSide;

    public PatchLpipsLoss(LpipsAlex lpips, double lambda, int patchSide) {
        this.lpips = lpips;
        this.lambda = lambda;
        this.patchSide = patchSide;
    }

    @Override
    public double addGradient(Tensor rendered, Tensor target, Tensor gradRendered) {
        int perPatch = patchSide * patchSide;
        int rays = rendered.dim(0);
        if (rays % perPatch != 0) {
            throw new IllegalArgumentException("LPIPS on " + patchSide + "x" + patchSide + " patches: " + rays
                    + " rays are not whole patches");
        }
        int patches = rays / perPatch;
        Tensor x0 = toPatches(rendered, patches);
        Tensor x1 = toPatches(target, patches);
        float[] gradDistance = new float[patches];
        java.util.Arrays.fill(gradDistance, (float) (lambda / patches));
        Tensor gradX0 = Tensor.zeros(x0.shape());
        double[] distance = lpips.distanceAndGradient(x0, x1, gradDistance, gradX0);
        float[] g = gradX0.data();
        float[] out = gradRendered.data();
        for (int k = 0; k < patches; k++) {
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < perPatch; p++) {
                    // d(2c - 1)/dc = 2
                    out[3 * (k * perPatch + p) + c] += 2f * g[(k * 3 + c) * perPatch + p];
                }
            }
        }
        double sum = 0;
        for (double d : distance) {
            sum += d;
        }
        return lambda * sum / patches;
    }

    private Tensor toPatches(Tensor colours, int patches) {
        int perPatch = patchSide * patchSide;
        float[] in = colours.data();
        Tensor out = Tensor.zeros(patches, 3, patchSide, patchSide);
        float[] o = out.data();
        for (int k = 0; k < patches; k++) {
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < perPatch; p++) {
                    o[(k * 3 + c) * perPatch + p] = 2f * in[3 * (k * perPatch + p) + c] - 1f;
                }
            }
        }
        return out;
    }
}
