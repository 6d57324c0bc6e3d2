package dev.synctalk.gpu.render;

import dev.synctalk.gpu.tensor.Tensor;

/**
 * Output of {@link RayMarcher}: the packed sample layout of {@link RaySamples} (rays = (offset, count)
 * pairs) with each sample's position [M, 3], direction [M, 3], step length dt [M] and distance t [M].
 */
public record MarchedRays(int[] rays, Tensor positions, Tensor directions, Tensor dt, Tensor t) {

    public int rayCount() {
        return rays.length / 2;
    }

    public int sampleCount() {
        return dt.size();
    }

    /** The samples with the model's densities [M] and colours [M, 3], ready for the volume renderer. */
    public RaySamples withValues(Tensor sigma, Tensor rgb) {
        return new RaySamples(rays, sigma, rgb, dt, t);
    }
}
