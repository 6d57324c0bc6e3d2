package dev.synctalk.gpu.tensor;

import dev.synctalk.gpu.encoding.FrequencyEncoding;
import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.encoding.SphericalHarmonics;
import dev.synctalk.gpu.encoding.TriPlaneEncoder;
import dev.synctalk.gpu.loss.AmbientLoss;
import dev.synctalk.gpu.loss.RayMseLoss;
import dev.synctalk.gpu.loss.UncertaintyWeightedLoss;
import dev.synctalk.gpu.loss.WeightsEntropyLoss;
import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.mlp.Conv1d;
import dev.synctalk.gpu.mlp.Dense;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.optim.AdamWUpdate;
import dev.synctalk.gpu.render.AlphaOver;
import dev.synctalk.gpu.render.AnchorProjection;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.render.DensityGridKernels;
import dev.synctalk.gpu.render.MarchedRays;
import dev.synctalk.gpu.render.RayMarcher;
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

    // ---- torso and compositing ---------------------------------------------------------------------

    private static int alphaPixels(Tensor alpha, Tensor foreground, Tensor background) {
        int n = alpha.size();
        Tensor.requireShape("alpha", alpha, n);
        Tensor.requireShape("alpha-over foreground", foreground, n, AlphaOver.CHANNELS);
        Tensor.requireShape("alpha-over background", background, n, AlphaOver.CHANNELS);
        return n;
    }

    @Override
    public void alphaOverForward(Tensor alpha, Tensor foreground, Tensor background, Tensor out) {
        int n = alphaPixels(alpha, foreground, background);
        Tensor.requireShape("alpha-over output", out, n, AlphaOver.CHANNELS);
        pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) ->
                AlphaOver.forward(alpha.data(), foreground.data(), background.data(), out.data(), s, t));
    }

    @Override
    public void alphaOverBackward(Tensor alpha, Tensor foreground, Tensor background, Tensor gradOut, Tensor gradAlpha,
                                  Tensor gradForeground) {
        int n = alphaPixels(alpha, foreground, background);
        Tensor.requireShape("alpha-over output gradient", gradOut, n, AlphaOver.CHANNELS);
        if (gradAlpha != null) {
            Tensor.requireShape("alpha gradient", gradAlpha, n);
        }
        if (gradForeground != null) {
            Tensor.requireShape("alpha-over foreground gradient", gradForeground, n, AlphaOver.CHANNELS);
        }
        float[] ga = gradAlpha == null ? null : gradAlpha.data();
        float[] gf = gradForeground == null ? null : gradForeground.data();
        pool.forEachChunk(n, ROWS_PER_CHUNK, (s, t) -> AlphaOver.backward(alpha.data(), foreground.data(),
                background.data(), gradOut.data(), ga, gf, null, s, t));
    }

    @Override
    public void offsetClampForward(Tensor base, Tensor offset, float limit, Tensor out) {
        Tensor.requireShape("clamped offset", offset, base.shape());
        Tensor.requireShape("offset-clamp output", out, base.shape());
        pool.forEachChunk(base.size(), ELEMENTS_PER_CHUNK, (s, t) ->
                TensorKernels.offsetClamp(base.data(), offset.data(), limit, out.data(), s, t));
    }

    @Override
    public void offsetClampBackward(Tensor base, Tensor offset, float limit, Tensor gradOut, Tensor gradOffset) {
        Tensor.requireShape("clamped offset", offset, base.shape());
        Tensor.requireShape("offset-clamp output gradient", gradOut, base.shape());
        Tensor.requireShape("clamped offset gradient", gradOffset, base.shape());
        pool.forEachChunk(base.size(), ELEMENTS_PER_CHUNK, (s, t) -> TensorKernels.offsetClampBackward(base.data(),
                offset.data(), limit, gradOut.data(), gradOffset.data(), s, t));
    }

    private static int anchorCount(Tensor anchors, Tensor pose) {
        int k = anchors.dim(0);
        Tensor.requireShape("anchor points", anchors, k, 4);
        Tensor.requireShape("anchor projection pose", pose, 4, 4);
        return k;
    }

    @Override
    public void projectAnchorsForward(Tensor anchors, Tensor pose, Tensor projected) {
        int k = anchorCount(anchors, pose);
        Tensor.requireShape("projected anchors", projected, 2 * k);
        // a handful of points: one task, no pool
        AnchorProjection.forward(anchors.data(), pose.data(), projected.data(), k);
    }

    @Override
    public void projectAnchorsBackward(Tensor anchors, Tensor pose, Tensor gradProjected, Tensor gradAnchors) {
        int k = anchorCount(anchors, pose);
        Tensor.requireShape("projected anchor gradient", gradProjected, 2 * k);
        Tensor.requireShape("anchor point gradient", gradAnchors, k, 4);
        AnchorProjection.backward(anchors.data(), pose.data(), gradProjected.data(), gradAnchors.data(), k);
    }

    // ---- tensor plumbing --------------------------------------------------------------------------

    @Override
    public void fill(Tensor x, float value) {
        float[] d = x.data();
        pool.forEachChunk(d.length, ELEMENTS_PER_CHUNK, (s, t) -> java.util.Arrays.fill(d, s, t, value));
    }

    @Override
    public void addScaled(Tensor x, float alpha, Tensor y) {
        Tensor.requireShape("addScaled target", y, x.shape());
        float[] xs = x.data();
        float[] ys = y.data();
        pool.forEachChunk(xs.length, ELEMENTS_PER_CHUNK, (s, t) -> {
            for (int i = s; i < t; i++) {
                ys[i] += alpha * xs[i];
            }
        });
    }

    @Override
    public double sum(Tensor x) {
        float[] d = x.data();
        int chunks = DeterministicPool.chunkCount(d.length, ELEMENTS_PER_CHUNK);
        double[] partial = new double[chunks];
        pool.forEachTask(chunks, c -> {
            double acc = 0;
            for (int i = c * ELEMENTS_PER_CHUNK, end = Math.min(d.length, (c + 1) * ELEMENTS_PER_CHUNK); i < end; i++) {
                acc += d[i];
            }
            partial[c] = acc;
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return total;
    }

    private static int columns(Tensor t, String what) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException(what + " must be 2-D [rows, columns] but has shape "
                    + java.util.Arrays.toString(t.shape()));
        }
        return t.dim(1);
    }

    private static void requireColumnRange(String what, Tensor t, int column, int width) {
        int cols = columns(t, what);
        if (column < 0 || width < 0 || column + width > cols) {
            throw new IllegalArgumentException(what + ": columns [" + column + ", " + (column + width)
                    + ") outside its " + cols + " columns");
        }
    }

    @Override
    public void copyColumns(Tensor src, int srcColumn, Tensor dst, int dstColumn, int width, boolean accumulate) {
        requireColumnRange("column copy source", src, srcColumn, width);
        requireColumnRange("column copy target", dst, dstColumn, width);
        if (src.dim(0) != dst.dim(0)) {
            throw new IllegalArgumentException("column copy: source has " + src.dim(0) + " rows, target " + dst.dim(0));
        }
        int ss = src.dim(1);
        int ds = dst.dim(1);
        pool.forEachChunk(src.dim(0), ROWS_PER_CHUNK, (s, t) -> TensorKernels.copyColumns(src.data(), ss, srcColumn,
                dst.data(), ds, dstColumn, width, accumulate, s, t));
    }

    @Override
    public void broadcastRow(Tensor row, int rowOffset, int width, Tensor dst, int dstColumn) {
        requireColumnRange("broadcast target", dst, dstColumn, width);
        if (rowOffset < 0 || rowOffset + width > row.size()) {
            throw new IllegalArgumentException("broadcast source: elements [" + rowOffset + ", " + (rowOffset + width)
                    + ") outside its " + row.size() + " elements");
        }
        int ds = dst.dim(1);
        pool.forEachChunk(dst.dim(0), ROWS_PER_CHUNK, (s, t) ->
                TensorKernels.broadcastRow(row.data(), rowOffset, width, dst.data(), ds, dstColumn, s, t));
    }

    @Override
    public void sumColumns(Tensor src, int srcColumn, int width, Tensor dst, int dstOffset) {
        requireColumnRange("column sum source", src, srcColumn, width);
        if (dstOffset < 0 || dstOffset + width > dst.size()) {
            throw new IllegalArgumentException("column sum target: elements [" + dstOffset + ", " + (dstOffset + width)
                    + ") outside its " + dst.size() + " elements");
        }
        int ss = src.dim(1);
        pool.sumChunkPartials(src.dim(0), ROWS_PER_CHUNK, dst.data(), dstOffset, width,
                (s, t, partial) -> TensorKernels.sumColumns(src.data(), ss, srcColumn, width, partial, s, t));
    }

    @Override
    public void scaleColumnsForward(Tensor x, Tensor scale, Tensor y) {
        int c = columns(x, "scaled input");
        Tensor.requireShape("column scale", scale, c);
        Tensor.requireShape("scaled output", y, x.shape());
        pool.forEachChunk(x.dim(0), ROWS_PER_CHUNK, (s, t) ->
                TensorKernels.scaleColumns(x.data(), scale.data(), y.data(), c, s, t));
    }

    @Override
    public void scaleColumnsBackward(Tensor x, Tensor scale, Tensor gradY, Tensor gradX, Tensor gradScale) {
        int c = columns(x, "scaled input");
        Tensor.requireShape("column scale", scale, c);
        Tensor.requireShape("scaled output gradient", gradY, x.shape());
        if (gradX != null) {
            Tensor.requireShape("scaled input gradient", gradX, x.shape());
            pool.forEachChunk(x.dim(0), ROWS_PER_CHUNK, (s, t) ->
                    TensorKernels.scaleColumns(gradY.data(), scale.data(), gradX.data(), c, s, t));
        }
        if (gradScale != null) {
            Tensor.requireShape("column scale gradient", gradScale, c);
            pool.sumChunkPartials(x.dim(0), ROWS_PER_CHUNK, gradScale.data(), 0, c,
                    (s, t, partial) -> TensorKernels.scaleColumnsGradScale(x.data(), gradY.data(), partial, c, s, t));
        }
    }

    @Override
    public void rowNormForward(Tensor x, Tensor norm) {
        int c = columns(x, "row-norm input");
        Tensor.requireShape("row norm", norm, x.dim(0));
        pool.forEachChunk(x.dim(0), ROWS_PER_CHUNK, (s, t) -> TensorKernels.rowNorm(x.data(), norm.data(), c, s, t));
    }

    @Override
    public void rowNormBackward(Tensor x, Tensor norm, Tensor gradNorm, Tensor gradX) {
        int c = columns(x, "row-norm input");
        Tensor.requireShape("row norm", norm, x.dim(0));
        Tensor.requireShape("row norm gradient", gradNorm, x.dim(0));
        Tensor.requireShape("row-norm input gradient", gradX, x.shape());
        pool.forEachChunk(x.dim(0), ROWS_PER_CHUNK, (s, t) ->
                TensorKernels.rowNormBackward(x.data(), norm.data(), gradNorm.data(), gradX.data(), c, s, t));
    }

    @Override
    public void transposeLastTwo(Tensor x, Tensor y) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException("transpose input must be [B, A, C], has shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        int b = x.dim(0);
        int a = x.dim(1);
        int c = x.dim(2);
        Tensor.requireShape("transpose output", y, b, c, a);
        pool.forEachChunk(b, 1, (s, t) -> TensorKernels.transposeLastTwo(x.data(), y.data(), a, c, s, t));
    }

    @Override
    public void softmaxRowsForward(Tensor x, Tensor y) {
        int c = columns(x, "softmax input");
        Tensor.requireShape("softmax output", y, x.shape());
        pool.forEachChunk(x.dim(0), ROWS_PER_CHUNK, (s, t) -> TensorKernels.softmaxRows(x.data(), y.data(), c, s, t));
    }

    @Override
    public void softmaxRowsBackward(Tensor y, Tensor gradY, Tensor gradX) {
        int c = columns(y, "softmax output");
        Tensor.requireShape("softmax output gradient", gradY, y.shape());
        Tensor.requireShape("softmax input gradient", gradX, y.shape());
        pool.forEachChunk(y.dim(0), ROWS_PER_CHUNK, (s, t) ->
                TensorKernels.softmaxRowsBackward(y.data(), gradY.data(), gradX.data(), c, s, t));
    }

    @Override
    public void attentionPoolForward(Tensor weights, Tensor values, Tensor out) {
        int b = weights.dim(0);
        int steps = columns(weights, "attention weights");
        int c = values.dim(2);
        Tensor.requireShape("attention values", values, b, steps, c);
        Tensor.requireShape("attention output", out, b, c);
        pool.forEachChunk(b, 1, (s, t) -> TensorKernels.attentionPool(weights.data(), values.data(), out.data(), steps, c, s, t));
    }

    @Override
    public void attentionPoolBackward(Tensor weights, Tensor values, Tensor gradOut, Tensor gradWeights,
                                      Tensor gradValues) {
        int b = weights.dim(0);
        int steps = columns(weights, "attention weights");
        int c = values.dim(2);
        Tensor.requireShape("attention values", values, b, steps, c);
        Tensor.requireShape("attention output gradient", gradOut, b, c);
        if (gradWeights != null) {
            Tensor.requireShape("attention weight gradient", gradWeights, b, steps);
        }
        if (gradValues != null) {
            Tensor.requireShape("attention value gradient", gradValues, b, steps, c);
        }
        float[] gw = gradWeights == null ? null : gradWeights.data();
        float[] gv = gradValues == null ? null : gradValues.data();
        pool.forEachChunk(b, 1, (s, t) -> TensorKernels.attentionPoolBackward(weights.data(), values.data(),
                gradOut.data(), gw, gv, steps, c, s, t));
    }

    // ---- regularisers -----------------------------------------------------------------------------

    @Override
    public void ambientLossForward(AmbientLoss loss, float stepFactor, Tensor ambient, Tensor lowerFace,
                                   Tensor lossPerRay) {
        int r = lowerFace.size();
        Tensor.requireShape("ambient", ambient, r, 3);
        Tensor.requireShape("lower-face mask", lowerFace, r);
        Tensor.requireShape("ambient loss", lossPerRay, r);
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, t) ->
                loss.forward(stepFactor, ambient.data(), lowerFace.data(), lossPerRay.data(), s, t));
    }

    @Override
    public void ambientLossBackward(AmbientLoss loss, float stepFactor, Tensor lowerFace, Tensor gradLoss,
                                    Tensor gradAmbient) {
        int r = lowerFace.size();
        Tensor.requireShape("ambient loss gradient", gradLoss, r);
        Tensor.requireShape("ambient gradient", gradAmbient, r, 3);
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, t) ->
                loss.backward(stepFactor, lowerFace.data(), gradLoss.data(), gradAmbient.data(), s, t));
    }

    @Override
    public void weightsEntropyForward(WeightsEntropyLoss loss, Tensor weightsSum, Tensor lossPerRay) {
        int r = weightsSum.size();
        Tensor.requireShape("entropy loss", lossPerRay, r);
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, t) -> loss.forward(weightsSum.data(), lossPerRay.data(), s, t));
    }

    @Override
    public void weightsEntropyBackward(WeightsEntropyLoss loss, Tensor weightsSum, Tensor gradLoss,
                                       Tensor gradWeightsSum) {
        int r = weightsSum.size();
        Tensor.requireShape("entropy loss gradient", gradLoss, r);
        Tensor.requireShape("weights-sum gradient", gradWeightsSum, r);
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, t) ->
                loss.backward(weightsSum.data(), gradLoss.data(), gradWeightsSum.data(), s, t));
    }

    // ---- rays and the occupancy grid --------------------------------------------------------------

    @Override
    public void cameraRays(CameraRays camera, Tensor pose, int[] pixels, Tensor origins, Tensor directions) {
        Tensor.requireShape("camera pose", pose, 4, 4);
        Tensor.requireShape("ray origins", origins, pixels.length, 3);
        Tensor.requireShape("ray directions", directions, pixels.length, 3);
        pool.forEachChunk(pixels.length, ROWS_PER_CHUNK, (s, t) ->
                camera.generate(pose.data(), pixels, origins.data(), directions.data(), s, t));
    }

    @Override
    public MarchedRays marchRays(RayMarcher marcher, Tensor occupancy, Tensor origins, Tensor directions,
                                 boolean perturb, long noiseSeed) {
        int g = marcher.gridResolution();
        Tensor.requireShape("occupancy grid", occupancy, g * g * g);
        int r = origins.dim(0);
        Tensor.requireShape("ray origins", origins, r, 3);
        Tensor.requireShape("ray directions", directions, r, 3);
        int[] rays = new int[2 * r];
        float[] o = origins.data();
        float[] d = directions.data();
        float[] occ = occupancy.data();
        // pass 1 counts, a prefix sum packs, pass 2 writes: torch-ngp's two-pass compaction
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, t) -> {
            for (int ray = s; ray < t; ray++) {
                rays[2 * ray + 1] = marcher.march(ray, o, d, occ, perturb, noiseSeed, null, null, null, null, 0);
            }
        });
        int total = 0;
        for (int ray = 0; ray < r; ray++) {
            rays[2 * ray] = total;
            total += rays[2 * ray + 1];
        }
        Tensor positions = Tensor.zeros(total, 3);
        Tensor sampleDirections = Tensor.zeros(total, 3);
        Tensor dt = Tensor.zeros(total);
        Tensor t = Tensor.zeros(total);
        pool.forEachChunk(r, ROWS_PER_CHUNK, (s, e) -> {
            for (int ray = s; ray < e; ray++) {
                marcher.march(ray, o, d, occ, perturb, noiseSeed, positions.data(), sampleDirections.data(), dt.data(),
                        t.data(), rays[2 * ray]);
            }
        });
        return new MarchedRays(rays, positions, sampleDirections, dt, t);
    }

    @Override
    public void densityGridCellPoints(int resolution, float bound, Tensor noise, Tensor points) {
        int cells = resolution * resolution * resolution;
        Tensor.requireShape("grid noise", noise, cells, 3);
        Tensor.requireShape("grid points", points, cells, 3);
        pool.forEachChunk(cells, ROWS_PER_CHUNK, (s, t) ->
                DensityGridKernels.cellPoints(resolution, bound, noise.data(), points.data(), s, t));
    }

    @Override
    public void densityGridDilate(int resolution, Tensor fresh, Tensor out) {
        int cells = resolution * resolution * resolution;
        Tensor.requireShape("fresh density grid", fresh, cells);
        Tensor.requireShape("dilated density grid", out, cells);
        pool.forEachChunk(cells, ELEMENTS_PER_CHUNK, (s, t) ->
                DensityGridKernels.dilate(fresh.data(), out.data(), resolution, s, t));
    }

    @Override
    public void densityGridDecayMax(Tensor grid, Tensor fresh, float decay) {
        Tensor.requireShape("fresh density grid", fresh, grid.shape());
        pool.forEachChunk(grid.size(), ELEMENTS_PER_CHUNK, (s, t) ->
                DensityGridKernels.decayMax(grid.data(), fresh.data(), decay, s, t));
    }

    @Override
    public void densityGridThreshold(Tensor grid, float threshold, Tensor occupancy) {
        Tensor.requireShape("occupancy", occupancy, grid.shape());
        pool.forEachChunk(grid.size(), ELEMENTS_PER_CHUNK, (s, t) ->
                DensityGridKernels.threshold(grid.data(), threshold, occupancy.data(), s, t));
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
