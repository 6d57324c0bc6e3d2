package dev.synctalk.nerf;

import dev.synctalk.gpu.tensor.Tensor;

/**
 * What drives one frame besides the camera: the audio features of the frames around it
 * [window, frameFeatureShape...] (frames i-4 .. i+3, zero rows past the ends), the expression
 * coefficients [7] and the frame whose individual code is used (0 for frames not trained on, as the
 * reference does at test time).
 */
public record FrameConditioning(Tensor audioWindow, Tensor expression, int frameIndex) {
}
