package dev.synctalk.gpu.render;

import dev.synctalk.gpu.tensor.Tensor;

/**
 * Packed samples of a batch of rays, the layout torch-ngp's ray marcher produces.
 *
 * <ul>
 *   <li>rays: int[R * 2], ray r's samples are {@code offset = rays[2r]}, {@code count = rays[2r + 1]},
 *       i.e. sample indices offset .. offset + count - 1, front to back.</li>
 *   <li>sigma: [M] densities; rgb: [M, 3] colours; dt: [M] step lengths used for alpha;
 *       t: [M] sample distances along the ray (for depth).</li>
 * </ul>
 */
public record RaySamples(int[] rays, Tensor sigma, Tensor rgb, Tensor dt, Tensor t) {

    public RaySamples {
        if (rays.length % 2 != 0) {
            throw new IllegalArgumentException("rays must hold (offset, count) pairs, length was " + rays.length);
        }
        int m = sigma.size();
        Tensor.requireShape("sigma", sigma, m);
        Tensor.requireShape("rgb", rgb, m, 3);
        Tensor.requireShape("dt", dt, m);
        Tensor.requireShape("t", t, m);
        for (int r = 0; r < rays.length / 2; r++) {
            int offset = rays[2 * r];
            int count = rays[2 * r + 1];
            if (offset < 0 || count < 0 || (long) offset + count > m) {
                throw new IllegalArgumentException("ray " + r + " has samples [" + offset + ", " + offset + "+" + count
                        + ") outside the " + m + " packed samples");
            }
        }
    }

    public int rayCount() {
        return rays.length / 2;
    }

    public int sampleCount() {
        return sigma.size();
    }
}
