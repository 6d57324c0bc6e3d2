package dev.synctalk.gpu.tensor;

import dev.synctalk.gpu.encoding.FrequencyEncoding;
import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.encoding.TriPlaneEncoder;
import dev.synctalk.gpu.loss.AmbientLoss;
import dev.synctalk.gpu.loss.RayMseLoss;
import dev.synctalk.gpu.loss.UncertaintyWeightedLoss;
import dev.synctalk.gpu.loss.WeightsEntropyLoss;
import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.mlp.Conv1d;
import dev.synctalk.gpu.mlp.Dense;
import dev.synctalk.gpu.mlp.Mlp;
import dev.synctalk.gpu.mlp.MlpTrace;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.render.MarchedRays;
import dev.synctalk.gpu.render.RayMarcher;
import dev.synctalk.gpu.render.RaySamples;
import dev.synctalk.gpu.render.RenderOutput;
import dev.synctalk.gpu.render.VolumeRenderer;

import java.util.ArrayList;
import java.util.List;

/**
 * Every compute op of the SyncTalk model, forward and backward, one method per kernel. Layouts are
 * documented on each op class. Conventions shared by all methods:
 * <ul>
 *   <li>The caller allocates outputs; forward outputs and input gradients are overwritten.</li>
 *   <li>Parameter gradients (embeddings, weights, biases) are <em>accumulated</em> (+=), as torch does,
 *       so several uses of one parameter in a step add up; zero them before a step.</li>
 *   <li>Nullable arguments say so; a null input gradient means "not needed", and the op skips it.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    String name();

    // ---- encodings -------------------------------------------------------------------------------

    /** coords [N, 2] in [-bound, bound], embeddings [rows, F] -> out [N, L*F]. */
    void hashGridForward(HashGrid2D grid, Tensor coords, Tensor embeddings, Tensor out);

    /** gradEmbeddings += d/d(embeddings); gradCoords (nullable) = d/d(coords). */
    void hashGridBackward(HashGrid2D grid, Tensor coords, Tensor embeddings, Tensor gradOut,
                          Tensor gradEmbeddings, Tensor gradCoords);

    /** points [N, 3], plane embeddings (xy, yz, xz) -> out [N, 3*L*F]. */
    void triPlaneForward(TriPlaneEncoder encoder, Tensor points, List<Tensor> planeEmbeddings, Tensor out);

    /** planeGradEmbeddings[p] += d/d(plane p); gradPoints (nullable) = d/d(points). */
    void triPlaneBackward(TriPlaneEncoder encoder, Tensor points, List<Tensor> planeEmbeddings, Tensor gradOut,
                          List<Tensor> planeGradEmbeddings, Tensor gradPoints);

    /** directions [N, 3] -> out [N, 16]. */
    void sphericalHarmonicsForward(Tensor directions, Tensor out);

    /** gradDirections [N, 3] = d/d(directions). */
    void sphericalHarmonicsBackward(Tensor directions, Tensor gradOut, Tensor gradDirections);

    /** x [N, D] -> out [N, encoding.outputDim()]. */
    void frequencyEncodingForward(FrequencyEncoding encoding, Tensor x, Tensor out);

    /** gradX [N, D] = d/dx. */
    void frequencyEncodingBackward(FrequencyEncoding encoding, Tensor x, Tensor gradOut, Tensor gradX);

    // ---- networks ---------------------------------------------------------------------------------

    /** x [N, in], weight [out, in], bias [out] or null -> y [N, out]. */
    void denseForward(Dense layer, Tensor x, Tensor weight, Tensor bias, Tensor y);

    /** gradX (nullable) = gradY W; gradWeight += gradY^T x; gradBias (null without bias) += sum gradY. */
    void denseBackward(Dense layer, Tensor x, Tensor weight, Tensor gradY, Tensor gradX, Tensor gradWeight,
                       Tensor gradBias);

    /** y = act(x), same shapes. */
    void activationForward(Activation activation, Tensor x, Tensor y);

    /** gradX = gradY * act'(x, y). */
    void activationBackward(Activation activation, Tensor x, Tensor y, Tensor gradY, Tensor gradX);

    /** x [B, Cin, L], weight [Cout, Cin, K], bias [Cout] -> y [B, Cout, Lout]. */
    void conv1dForward(Conv1d conv, Tensor x, Tensor weight, Tensor bias, Tensor y);

    /** gradX (nullable) = d/dx; gradWeight += ...; gradBias += .... */
    void conv1dBackward(Conv1d conv, Tensor x, Tensor weight, Tensor gradY, Tensor gradX, Tensor gradWeight,
                        Tensor gradBias);

    // ---- rendering and losses ---------------------------------------------------------------------

    /** Composites packed samples per ray; background [R, 3] or null. */
    void volumeRenderForward(VolumeRenderer renderer, RaySamples samples, Tensor background, RenderOutput out);

    /** gradSigma [M], gradRgb [M, 3] from gradImage [R, 3], gradDepth [R] (nullable), gradWeightsSum [R] (nullable). */
    void volumeRenderBackward(VolumeRenderer renderer, RaySamples samples, Tensor background, Tensor gradImage,
                              Tensor gradDepth, Tensor gradWeightsSum, Tensor gradSigma, Tensor gradRgb);

    /** prediction, target [R, C] -> loss [R]. */
    void rayMseForward(RayMseLoss loss, Tensor prediction, Tensor target, Tensor lossPerRay);

    /** gradPrediction [R, C] from gradLoss [R]. */
    void rayMseBackward(RayMseLoss loss, Tensor prediction, Tensor target, Tensor gradLoss, Tensor gradPrediction);

    /** Detached terms of the uncertainty loss: multiplier [R] and residual norm [R] from uncertainty [R], pred/target [R, 3]. */
    void uncertaintyLossPrepare(UncertaintyWeightedLoss loss, float stepFactor, Tensor uncertainty, Tensor prediction,
                                Tensor target, Tensor multiplier, Tensor residualNorm);

    /** Per-ray uncertainty-weighted loss [R] from mse [R], uncertainty [R], the detached terms and faceMask [R]. */
    void uncertaintyLossForward(UncertaintyWeightedLoss loss, float stepFactor, Tensor mse, Tensor uncertainty,
                                Tensor multiplier, Tensor residualNorm, Tensor faceMask, Tensor lossPerRay);

    /** gradMse [R] and gradUncertainty [R] from gradLoss [R]. */
    void uncertaintyLossBackward(UncertaintyWeightedLoss loss, float stepFactor, Tensor uncertainty, Tensor multiplier,
                                 Tensor residualNorm, Tensor faceMask, Tensor gradLoss, Tensor gradMse,
                                 Tensor gradUncertainty);

    // ---- optimisation -----------------------------------------------------------------------------

    /** One AdamW update in place of params, expAvg, expAvgSq (all shaped as params); step is 1-based. */
    void adamWStep(AdamWConfig config, double learningRate, long step, Tensor params, Tensor grads, Tensor expAvg,
                   Tensor expAvgSq);

    // ---- tensor plumbing (TensorKernels) ----------------------------------------------------------

    /** x[:] = value. */
    void fill(Tensor x, float value);

    /** y += alpha * x (same shapes). */
    void addScaled(Tensor x, float alpha, Tensor y);

    /** Sum of all elements, reduced in a fixed order (read back to the host). */
    double sum(Tensor x);

    /** dst[n, dstColumn + j] (= or += when accumulate) src[n, srcColumn + j], j &lt; width; both 2-D with equal rows. */
    void copyColumns(Tensor src, int srcColumn, Tensor dst, int dstColumn, int width, boolean accumulate);

    /** dst[n, dstColumn + j] = row.data[rowOffset + j] for every row n of the 2-D dst. */
    void broadcastRow(Tensor row, int rowOffset, int width, Tensor dst, int dstColumn);

    /** dst.data[dstOffset + j] += sum over rows n of src[n, srcColumn + j] (broadcastRow's backward). */
    void sumColumns(Tensor src, int srcColumn, int width, Tensor dst, int dstOffset);

    /** y[n, j] = x[n, j] * scale[j]; x, y [N, C], scale [C]. */
    void scaleColumnsForward(Tensor x, Tensor scale, Tensor y);

    /** gradX (nullable) = gradY * scale; gradScale (nullable) += sum_n gradY[n, :] * x[n, :]. */
    void scaleColumnsBackward(Tensor x, Tensor scale, Tensor gradY, Tensor gradX, Tensor gradScale);

    /** norm[n] = |x[n, :]|_2; x [N, C], norm [N]. */
    void rowNormForward(Tensor x, Tensor norm);

    /** gradX [N, C] = gradNorm[n] * x[n, :] / norm[n] (0 for a zero row). */
    void rowNormBackward(Tensor x, Tensor norm, Tensor gradNorm, Tensor gradX);

    /** y [B, C, A] = transpose of x [B, A, C] over its last two axes. */
    void transposeLastTwo(Tensor x, Tensor y);

    /** Softmax over each row of x [N, C]. */
    void softmaxRowsForward(Tensor x, Tensor y);

    /** gradX from the softmax output y and gradY. */
    void softmaxRowsBackward(Tensor y, Tensor gradY, Tensor gradX);

    /** out [B, C] = sum_t weights[b, t] * values[b, t, :]; weights [B, T], values [B, T, C]. */
    void attentionPoolForward(Tensor weights, Tensor values, Tensor out);

    /** gradWeights [B, T] and gradValues [B, T, C] (each nullable, overwritten) from gradOut [B, C]. */
    void attentionPoolBackward(Tensor weights, Tensor values, Tensor gradOut, Tensor gradWeights, Tensor gradValues);

    // ---- torso and compositing ---------------------------------------------------------------------

    /** out [N, 3] = alpha [N] * foreground [N, 3] + (1 - alpha) * background [N, 3] (straight alpha). */
    void alphaOverForward(Tensor alpha, Tensor foreground, Tensor background, Tensor out);

    /** gradAlpha [N], gradForeground [N, 3] (each nullable, overwritten) from gradOut [N, 3]. */
    void alphaOverBackward(Tensor alpha, Tensor foreground, Tensor background, Tensor gradOut, Tensor gradAlpha,
                           Tensor gradForeground);

    /** out = clamp(base + offset, -limit, limit), all of one shape. */
    void offsetClampForward(Tensor base, Tensor offset, float limit, Tensor out);

    /** gradOffset (overwritten) = gradOut where base + offset lies inside [-limit, limit], else 0. */
    void offsetClampBackward(Tensor base, Tensor offset, float limit, Tensor gradOut, Tensor gradOffset);

    /** projected [2K] = image-plane (x / (w z), y / (w z)) of anchors [K, 4] in the camera of pose [4, 4]. */
    void projectAnchorsForward(Tensor anchors, Tensor pose, Tensor projected);

    /** gradAnchors [K, 4] += d/d(anchors) from gradProjected [2K]. */
    void projectAnchorsBackward(Tensor anchors, Tensor pose, Tensor gradProjected, Tensor gradAnchors);

    // ---- regularisers -----------------------------------------------------------------------------

    /** Per-ray ambient loss [R] from ambient [R, 3] and lowerFace [R]. */
    void ambientLossForward(AmbientLoss loss, float stepFactor, Tensor ambient, Tensor lowerFace, Tensor lossPerRay);

    /** Columns 0 and 1 of gradAmbient [R, 3] from gradLoss [R]. */
    void ambientLossBackward(AmbientLoss loss, float stepFactor, Tensor lowerFace, Tensor gradLoss, Tensor gradAmbient);

    /** Per-ray opacity entropy [R] from weightsSum [R]. */
    void weightsEntropyForward(WeightsEntropyLoss loss, Tensor weightsSum, Tensor lossPerRay);

    /** gradWeightsSum [R] (overwritten) from gradLoss [R]. */
    void weightsEntropyBackward(WeightsEntropyLoss loss, Tensor weightsSum, Tensor gradLoss, Tensor gradWeightsSum);

    // ---- rays and the occupancy grid --------------------------------------------------------------

    /** origins, directions [R, 3] of the given pixels (index j * width + i) seen from pose [4, 4] (camera-to-world). */
    void cameraRays(CameraRays camera, Tensor pose, int[] pixels, Tensor origins, Tensor directions);

    /** Marches rays origins/directions [R, 3] through occupancy [G^3]; noise from noiseSeed when perturb. */
    MarchedRays marchRays(RayMarcher marcher, Tensor occupancy, Tensor origins, Tensor directions, boolean perturb,
                          long noiseSeed);

    /** points [G^3, 3]: each cell's jittered sample point for a grid update, from noise [G^3, 3] in [0, 1). */
    void densityGridCellPoints(int resolution, float bound, Tensor noise, Tensor points);

    /** out [G^3] = 3x3x3 max-dilation of fresh [G^3]. */
    void densityGridDilate(int resolution, Tensor fresh, Tensor out);

    /** grid = max(grid * decay, fresh) where both are >= 0. */
    void densityGridDecayMax(Tensor grid, Tensor fresh, float decay);

    /** occupancy = grid &gt; threshold ? 1 : 0. */
    void densityGridThreshold(Tensor grid, float threshold, Tensor occupancy);

    // ---- compositions (no kernels of their own) ---------------------------------------------------

    /** MLP forward: dense then activation per layer, keeping what the backward needs. */
    default MlpTrace mlpForward(Mlp mlp, List<Tensor> params, Tensor x) {
        int n = x.dim(0);
        Tensor.requireShape("MLP input", x, n, mlp.inputDim());
        requireCount("MLP parameters", params, mlp.parameterTensorCount());
        List<Tensor> pre = new ArrayList<>();
        List<Tensor> act = new ArrayList<>();
        Tensor input = x;
        for (int l = 0; l < mlp.layerCount(); l++) {
            Dense layer = mlp.layers().get(l);
            Tensor z = Tensor.zeros(n, layer.outFeatures());
            denseForward(layer, input, params.get(mlp.weightIndex(l)), mlp.hasBias() ? params.get(mlp.biasIndex(l)) : null, z);
            Activation a = mlp.activation(l);
            Tensor y;
            if (a instanceof Activation.Identity) {
                y = z;
            } else {
                y = Tensor.zeros(n, layer.outFeatures());
                activationForward(a, z, y);
            }
            pre.add(z);
            act.add(y);
            input = y;
        }
        return new MlpTrace(x, pre, act);
    }

    /** MLP backward: gradParams (same order as params) accumulated; gradX (nullable) overwritten. */
    default void mlpBackward(Mlp mlp, List<Tensor> params, MlpTrace trace, Tensor gradOut, List<Tensor> gradParams,
                             Tensor gradX) {
        requireCount("MLP parameters", params, mlp.parameterTensorCount());
        requireCount("MLP parameter gradients", gradParams, mlp.parameterTensorCount());
        int n = trace.input().dim(0);
        Tensor.requireShape("MLP output gradient", gradOut, n, mlp.outputDim());
        Tensor grad = gradOut;
        for (int l = mlp.layerCount() - 1; l >= 0; l--) {
            Dense layer = mlp.layers().get(l);
            Activation a = mlp.activation(l);
            Tensor gradZ;
            if (a instanceof Activation.Identity) {
                gradZ = grad;
            } else {
                gradZ = Tensor.zeros(n, layer.outFeatures());
                activationBackward(a, trace.preActivations().get(l), trace.activations().get(l), grad, gradZ);
            }
            Tensor gradInput = l > 0 ? Tensor.zeros(n, layer.inFeatures()) : gradX;
            denseBackward(layer, trace.layerInput(l), params.get(mlp.weightIndex(l)), gradZ, gradInput,
                    gradParams.get(mlp.weightIndex(l)), mlp.hasBias() ? gradParams.get(mlp.biasIndex(l)) : null);
            grad = gradInput;
        }
    }

    private static void requireCount(String what, List<Tensor> tensors, int expected) {
        if (tensors.size() != expected) {
            throw new IllegalArgumentException(what + ": expected " + expected + " tensors, got " + tensors.size());
        }
    }

    @Override
    void close();
}
