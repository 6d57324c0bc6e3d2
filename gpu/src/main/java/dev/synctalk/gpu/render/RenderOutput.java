package dev.synctalk.gpu.render;

import dev.synctalk.gpu.tensor.Tensor;

/** Per-ray results of volume rendering: image [R, 3], depth [R], weightsSum [R] (accumulated opacity). */
public record RenderOutput(Tensor image, Tensor depth, Tensor weightsSum) {

    public static RenderOutput zeros(int rayCount) {
        return new RenderOutput(Tensor.zeros(rayCount, 3), Tensor.zeros(rayCount), Tensor.zeros(rayCount));
    }
}
