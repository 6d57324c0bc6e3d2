package dev.synctalk.gpu.tensor;

import dev.synctalk.gpu.encoding.FrequencyEncoding;
import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.encoding.SphericalHarmonics;
import dev.synctalk.gpu.encoding.TriPlaneEncoder;
import dev.synctalk.gpu.loss.RayMseLoss;
import dev.synctalk.gpu.loss.UncertaintyWeightedLoss;
import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.mlp.Conv1d;
import dev.synctalk.gpu.mlp.Dense;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.optim.AdamWUpdate;
import dev.synctalk.gpu.render.RaySamples;
import dev.synctalk.gpu.render.RenderOutput;
import dev.synctalk.gpu.render.VolumeRenderer;

import java.util.ArrayList;
import java.util.List;

/**
 * Pure-Java reference backend, multi-threaded and bit-reproducible for any thread count.
 *
 * <p>How determinism is kept: element-wise and per-sample work is split into fixed chunks
 * ({@link #ROWS_PER_CHUNK} rows, {@link #ELEMENTS_PER_CHUNK} elements) that write disjoint outputs.
 * Gradients that many samples add into are either owned by one task that visits samples in order
 * (hash-grid levels, conv output channels) or reduced through per-chunk partial buffers summed in
 * chunk order (dense weights). Chunk sizes are constants, never derived from the thread count.
 */
public final class CpuBackend implements Backend {
    /** Rows (samples, rays) per task. */
    public static final int ROWS_PER_CHUNK = 512;
    /** Elements per task for element-wise ops. */
    public static final int ELEMENTS_PER_CHUNK = 16384;

    private final DeterministicPool pool;

    public CpuBackend(int threads) {
        this.pool = new DeterministicPool(threads);
    }

    /** One thread per available processor. */
    public static CpuBackend withAvailableProcessors() {
        return new CpuBackend(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return pool.threads();
    }

    @Override
    public String name() {
        return "cpu(" + pool.threads() + " threads)";
    }

    private static int rows(Tensor t) {
        return t.dim(0);
    }

    // ---- encodings -------------------------------------------------------------------------------

    @Override
    public void hashGridForward(HashGrid2D grid, Tensor coords, Tensor embeddings, Tensor out) {
        int n = rows(coords);
        Tensor.requireShape("hash grid coords", coords, n, 2);
        Tensor.requireShape("hash grid embeddings", embeddings, grid.parameterRows(), grid.featuresPerLevel());
        Tensor.requireShape("hash grid output", out, n, grid.outputDim());
        float[] c = coords.data();
        float[] e = embeddings.data();
        float[] o = out.data();
        pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) -> grid.forward(c, 2, 0, 1, e, o, grid.outputDim(), 0, s, t));
    }

    @Override
    public void hashGridBackward(HashGrid2D grid, Tensor coords, Tensor embeddings, Tensor gradOut,
                                 Tensor gradEmbeddings, Tensor gradCoords) {
        int n = rows(coords);
        Tensor.requireShape("hash grid coords", coords, n, 2);
        Tensor.requireShape("hash grid embeddings", embeddings, grid.parameterRows(), grid.featuresPerLevel());
        Tensor.requireShape("hash grid output gradient", gradOut, n, grid.outputDim());
        Tensor.requireShape("hash grid embedding gradient", gradEmbeddings, grid.parameterRows(), grid.featuresPerLevel());
        float[] c = coords.data();
        float[] g = gradOut.data();
        float[] ge = gradEmbeddings.data();
        pool.forEachTask(grid.levels(), level ->
                grid.backwardEmbeddingsOfLevel(level, c, 2, 0, 1, g, grid.outputDim(), 0, ge, n));
        if (gradCoords != null) {
            Tensor.requireShape("hash grid coordinate gradient", gradCoords, n, 2);
            float[] gc = gradCoords.data();
            float[] e = embeddings.data();
            pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) -> {
                for (int i = 2 * s; i < 2 * t; i++) {
                    gc[i] = 0f;
                }
                grid.backwardCoords(c, 2, 0, 1, e, g, grid.outputDim(), 0, gc, s, t);
            });
        }
    }

    private static List<float[]> planeArrays(TriPlaneEncoder encoder, List<Tensor> planes, String what) {
        if (planes.size() != TriPlaneEncoder.PLANES) {
            throw new IllegalArgumentException(what + ": expected 3 planes (xy, yz, xz), got " + planes.size());
        }
        List<float[]> arrays = new ArrayList<>(3);
        String[] names = {"xy", "yz", "xz"};
        for (int p = 0; p < TriPlaneEncoder.PLANES; p++) {
            Tensor.requireShape(what + " " + names[p], planes.get(p), encoder.grid().parameterRows(),
                    encoder.grid().featuresPerLevel());
            arrays.add(planes.get(p).data());
        }
        return arrays;
    }

    @Override
    public void triPlaneForward(TriPlaneEncoder encoder, Tensor points, List<Tensor> planeEmbeddings, Tensor out) {
        int n = rows(points);
        Tensor.requireShape("tri-plane points", points, n, 3);
        Tensor.requireShape("tri-plane output", out, n, encoder.outputDim());
        List<float[]> e = planeArrays(encoder, planeEmbeddings, "tri-plane embeddings");
        float[] p = points.data();
        float[] o = out.data();
        pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) -> encoder.forward(p, e, o, s, t));
    }

    @Override
    public void triPlaneBackward(TriPlaneEncoder encoder, Tensor points, List<Tensor> planeEmbeddings, Tensor gradOut,
                                 List<Tensor> planeGradEmbeddings, Tensor gradPoints) {
        int n = rows(points);
        Tensor.requireShape("tri-plane points", points, n, 3);
        Tensor.requireShape("tri-plane output gradient", gradOut, n, encoder.outputDim());
        List<float[]> e = planeArrays(encoder, planeEmbeddings, "tri-plane embeddings");
        List<float[]> ge = planeArrays(encoder, planeGradEmbeddings, "tri-plane embedding gradients");
        float[] p = points.data();
        float[] g = gradOut.data();
        int levels = encoder.grid().levels();
        pool.forEachTask(TriPlaneEncoder.PLANES * levels, task -> {
            int plane = task / levels;
            int level = task % levels;
            encoder.backwardEmbeddings(plane, level, p, g, ge.get(plane), n);
        });
        if (gradPoints != null) {
            Tensor.requireShape("tri-plane point gradient", gradPoints, n, 3);
            float[] gp = gradPoints.data();
            pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) -> {
                for (int i = 3 * s; i < 3 * t; i++) {
                    gp[i] = 0f;
                }
                encoder.backwardPoints(p, e, g, gp, s, t);
            });
        }
    }

    @Override
    public void sphericalHarmonicsForward(Tensor directions, Tensor out) {
        int n = rows(directions);
        Tensor.requireShape("SH directions", directions, n, 3);
        Tensor.requireShape("SH output", out, n, SphericalHarmonics.OUTPUT_DIM);
        pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) -> SphericalHarmonics.forward(directions.data(), out.data(), s, t));
    }

    @Override
    public void sphericalHarmonicsBackward(Tensor directions, Tensor gradOut, Tensor gradDirections) {
        int n = rows(directions);
        Tensor.requireShape("SH directions", directions, n, 3);
        Tensor.requireShape("SH output gradient", gradOut, n, SphericalHarmonics.OUTPUT_DIM);
        Tensor.requireShape("SH direction gradient", gradDirections, n, 3);
        pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) ->
                SphericalHarmonics.backward(directions.data(), gradOut.data(), gradDirections.data(), s, t));
    }

    @Override
    public void frequencyEncodingForward(FrequencyEncoding encoding, Tensor x, Tensor out) {
        int n = rows(x);
        Tensor.requireShape("frequency encoding input", x, n, encoding.inputDim());
        Tensor.requireShape("frequency encoding output", out, n, encoding.outputDim());
        pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) -> encoding.forward(x.data(), out.data(), s, t));
    }

    @Override
    public void frequencyEncodingBackward(FrequencyEncoding encoding, Tensor x, Tensor gradOut, Tensor gradX) {
        int n = rows(x);
        Tensor.requireShape("frequency encoding input", x, n, encoding.inputDim());
        Tensor.requireShape("frequency encoding output gradient", gradOut, n, encoding.outputDim());
        Tensor.requireShape("frequency encoding input gradient", gradX, n, encoding.inputDim());
        pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) -> encoding.backward(x.data(), gradOut.data(), gradX.data(), s, t));
    }

    // ---- networks ---------------------------------------------------------------------------------

    @Override
    public void denseForward(Dense layer, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        int n = rows(x);
        Tensor.requireShape("dense input", x, n, layer.inFeatures());
        Tensor.requireShape("dense weight", weight, layer.outFeatures(), layer.inFeatures());
        Tensor.requireShape("dense output", y, n, layer.outFeatures());
        float[] b = biasArray(layer, bias, "dense bias");
        pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) -> layer.forward(x.data(), weight.data(), b, y.data(), s, t));
    }

    private static float[] biasArray(Dense layer, Tensor bias, String what) {
        if (!layer.bias()) {
            if (bias != null) {
                throw new IllegalArgumentException(what + " given to a layer built without bias");
            }
            return null;
        }
        Tensor.requireShape(what, bias, layer.outFeatures());
        return bias.data();
    }

    @Override
    public void denseBackward(Dense layer, Tensor x, Tensor weight, Tensor gradY, Tensor gradX, Tensor gradWeight,
                              Tensor gradBias) {
        int n = rows(x);
        Tensor.requireShape("dense input", x, n, layer.inFeatures());
        Tensor.requireShape("dense weight", weight, layer.outFeatures(), layer.inFeatures());
        Tensor.requireShape("dense output gradient", gradY, n, layer.outFeatures());
        Tensor.requireShape("dense weight gradient", gradWeight, layer.outFeatures(), layer.inFeatures());
        float[] gb = biasArray(layer, gradBias, "dense bias gradient");
        if (gradX != null) {
            Tensor.requireShape("dense input gradient", gradX, n, layer.inFeatures());
            pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) -> layer.backwardInput(gradY.data(), weight.data(), gradX.data(), s, t));
        }
        float[] summed = new float[layer.partialLength()];
        pool.sumChunkPartials(n, ROWS_PER_CHUNK, summed, 0, summed.length,
                (s, t, partial) -> layer.backwardParams(x.data(), gradY.data(), partial, s, t));
        float[] gw = gradWeight.data();
        for (int i = 0; i < layer.weightCount(); i++) {
            gw[i] += summed[i];
        }
        if (gb != null) {
            for (int o = 0; o < layer.outFeatures(); o++) {
                gb[o] += summed[layer.weightCount() + o];
            }
        }
    }

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        Tensor.requireShape("activation output", y, x.shape());
        pool.forEachChunk(x.size(), ELEMENTS_PER_CHUNK, (s, t) -> activation.forward(x.data(), y.data(), s, t));
    }

    @Override
    public void activationBackward(Activation activation, Tensor x, Tensor y, Tensor gradY, Tensor gradX) {
        Tensor.requireShape("activation output", y, x.shape());
        Tensor.requireShape("activation output gradient", gradY, x.shape());
        Tensor.requireShape("activation input gradient", gradX, x.shape());
        pool.forEachChunk(x.size(), ELEMENTS_PER_CHUNK,
                (s, t) -> activation.backward(x.data(), y.data(), gradY.data(), gradX.data(), s, t));
    }

    @Override
    public void conv1dForward(Conv1d conv, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        int batch = x.dim(0);
        int length = x.dim(2);
        Tensor.requireShape("conv1d input", x, batch, conv.inChannels(), length);
        Tensor.requireShape("conv1d weight", weight, conv.outChannels(), conv.inChannels(), conv.kernelSize());
        Tensor.requireShape("conv1d bias", bias, conv.outChannels());
        Tensor.requireShape("conv1d output", y, batch, conv.outChannels(), conv.outputLength(length));
        pool.forEachChunk(batch, 1, (s, t) -> conv.forward(x.data(), weight.data(), bias.data(), y.data(), length, s, t));
    }

    @Override
    public void conv1dBackward(Conv1d conv, Tensor x, Tensor weight, Tensor gradY, Tensor gradX, Tensor gradWeight,
                               Tensor gradBias) {
        int batch = x.dim(0);
        int length = x.dim(2);
        Tensor.requireShape("conv1d input", x, batch, conv.inChannels(), length);
        Tensor.requireShape("conv1d weight", weight, conv.outChannels(), conv.inChannels(), conv.kernelSize());
        Tensor.requireShape("conv1d output gradient", gradY, batch, conv.outChannels(), conv.outputLength(length));
        Tensor.requireShape("conv1d weight gradient", gradWeight, conv.outChannels(), conv.inChannels(), conv.kernelSize());
        Tensor.requireShape("conv1d bias gradient", gradBias, conv.outChannels());
        if (gradX != null) {
            Tensor.requireShape("conv1d input gradient", gradX, batch, conv.inChannels(), length);
            pool.forEachChunk(batch, 1, (s, t) -> conv.backwardInput(gradY.data(), weight.data(), gradX.data(), length, s, t));
        }
        pool.forEachTask(conv.outChannels(), co ->
                conv.backwardParamsOfChannel(co, x.data(), gradY.data(), gradWeight.data(), gradBias.data(), batch, length));
    }

    // ---- rendering and losses ---------------------------------------------------------------------

    @Override
    public void volumeRenderForward(VolumeRenderer renderer, RaySamples samples, Tensor background, RenderOutput out) {
        int r = samples.rayCount();
        Tensor.requireShape("rendered image", out.image(), r, 3);
        Tensor.requireShape("rendered depth", out.depth(), r);
        Tensor.requireShape("rendered weights sum", out.weightsSum(), r);
        float[] bg = null;
        if (background != null) {
            Tensor.requireShape("background", background, r, 3);
            bg = background.data();
        }
        float[] bgData = bg;
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, t) -> renderer.forward(samples.rays(), samples.sigma().data(),
                samples.rgb().data(), samples.dt().data(), samples.t().data(), bgData, out.image().data(),
                out.depth().data(), out.weightsSum().data(), s, t));
    }

    @Override
    public void volumeRenderBackward(VolumeRenderer renderer, RaySamples samples, Tensor background, Tensor gradImage,
                                     Tensor gradDepth, Tensor gradWeightsSum, Tensor gradSigma, Tensor gradRgb) {
        int r = samples.rayCount();
        int m = samples.sampleCount();
        Tensor.requireShape("image gradient", gradImage, r, 3);
        Tensor.requireShape("sigma gradient", gradSigma, m);
        Tensor.requireShape("rgb gradient", gradRgb, m, 3);
        float[] bg = null;
        if (background != null) {
            Tensor.requireShape("background", background, r, 3);
            bg = background.data();
        }
        float[] gd = null;
        if (gradDepth != null) {
            Tensor.requireShape("depth gradient", gradDepth, r);
            gd = gradDepth.data();
        }
        float[] ga = null;
        if (gradWeightsSum != null) {
            Tensor.requireShape("weights-sum gradient", gradWeightsSum, r);
            ga = gradWeightsSum.data();
        }
        float[] bgData = bg;
        float[] gdData = gd;
        float[] gaData = ga;
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, t) -> renderer.backward(samples.rays(), samples.sigma().data(),
                samples.rgb().data(), samples.dt().data(), samples.t().data(), bgData, gradImage.data(), gdData,
                gaData, gradSigma.data(), gradRgb.data(), s, t));
    }

    @Override
    public void rayMseForward(RayMseLoss loss, Tensor prediction, Tensor target, Tensor lossPerRay) {
        int r = rows(prediction);
        Tensor.requireShape("MSE prediction", prediction, r, loss.channels());
        Tensor.requireShape("MSE target", target, r, loss.channels());
        Tensor.requireShape("MSE loss", lossPerRay, r);
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, t) -> loss.forward(prediction.data(), target.data(), lossPerRay.data(), s, t));
    }

    @Override
    public void rayMseBackward(RayMseLoss loss, Tensor prediction, Tensor target, Tensor gradLoss, Tensor gradPrediction) {
        int r = rows(prediction);
        Tensor.requireShape("MSE prediction", prediction, r, loss.channels());
        Tensor.requireShape("MSE target", target, r, loss.channels());
        Tensor.requireShape("MSE loss gradient", gradLoss, r);
        Tensor.requireShape("MSE prediction gradient", gradPrediction, r, loss.channels());
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, t) ->
                loss.backward(prediction.data(), target.data(), gradLoss.data(), gradPrediction.data(), s, t));
    }

    @Override
    public void uncertaintyLossPrepare(UncertaintyWeightedLoss loss, float stepFactor, Tensor uncertainty,
                                       Tensor prediction, Tensor target, Tensor multiplier, Tensor residualNorm) {
        int r = uncertainty.size();
        Tensor.requireShape("uncertainty", uncertainty, r);
        Tensor.requireShape("uncertainty-loss prediction", prediction, r, 3);
        Tensor.requireShape("uncertainty-loss target", target, r, 3);
        Tensor.requireShape("uncertainty multiplier", multiplier, r);
        Tensor.requireShape("residual norm", residualNorm, r);
        // one sequential pass: the softmax normaliser is a global reduction kept in a fixed order
        loss.prepare(stepFactor, uncertainty.data(), prediction.data(), target.data(), multiplier.data(),
                residualNorm.data(), r);
    }

    @Override
    public void uncertaintyLossForward(UncertaintyWeightedLoss loss, float stepFactor, Tensor mse, Tensor uncertainty,
                                       Tensor multiplier, Tensor residualNorm, Tensor faceMask, Tensor lossPerRay) {
        int r = mse.size();
        requireRayVectors(r, mse, uncertainty, multiplier, residualNorm, faceMask, lossPerRay);
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, t) -> loss.forward(stepFactor, mse.data(), uncertainty.data(),
                multiplier.data(), residualNorm.data(), faceMask.data(), lossPerRay.data(), s, t));
    }

    @Override
    public void uncertaintyLossBackward(UncertaintyWeightedLoss loss, float stepFactor, Tensor uncertainty,
                                        Tensor multiplier, Tensor residualNorm, Tensor faceMask, Tensor gradLoss,
                                        Tensor gradMse, Tensor gradUncertainty) {
        int r = uncertainty.size();
        requireRayVectors(r, uncertainty, multiplier, residualNorm, faceMask, gradLoss, gradMse, gradUncertainty);
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, t) -> loss.backward(stepFactor, uncertainty.data(), multiplier.data(),
                residualNorm.data(), faceMask.data(), gradLoss.data(), gradMse.data(), gradUncertainty.data(), s, t));
    }

    private static void requireRayVectors(int rays, Tensor... tensors) {
        for (int i = 0; i < tensors.length; i++) {
            Tensor.requireShape("per-ray operand " + i + " of the uncertainty loss", tensors[i], rays);
        }
    }

    // ---- optimisation -----------------------------------------------------------------------------

    @Override
    public void adamWStep(AdamWConfig config, double learningRate, long step, Tensor params, Tensor grads,
                          Tensor expAvg, Tensor expAvgSq) {
        Tensor.requireShape("AdamW gradient", grads, params.shape());
        Tensor.requireShape("AdamW first moment", expAvg, params.shape());
        Tensor.requireShape("AdamW second moment", expAvgSq, params.shape());
        AdamWUpdate update = new AdamWUpdate(config, learningRate, step);
        pool.forEachChunk(params.size(), ELEMENTS_PER_CHUNK, (s, t) ->
                update.apply(params.data(), grads.data(), expAvg.data(), expAvgSq.data(), s, t));
    }

    @Override
    public void close() {
        pool.close();
    }
}
