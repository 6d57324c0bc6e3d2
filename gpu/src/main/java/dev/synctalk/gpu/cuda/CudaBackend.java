package dev.synctalk.gpu.cuda;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.synctalk.gpu.cuda.nn.CudaNn;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.cuda.optim.AdamWScalars;
import dev.synctalk.gpu.cuda.optim.CudaAdamW;
import dev.synctalk.gpu.encoding.FrequencyEncoding;
import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.encoding.TriPlaneEncoder;
import dev.synctalk.gpu.loss.RayMseLoss;
import dev.synctalk.gpu.loss.UncertaintyWeightedLoss;
import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.mlp.Conv1d;
import dev.synctalk.gpu.mlp.Dense;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.render.RaySamples;
import dev.synctalk.gpu.render.RenderOutput;
import dev.synctalk.gpu.render.VolumeRenderer;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.loss.AmbientLoss;
import dev.synctalk.gpu.loss.WeightsEntropyLoss;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.render.MarchedRays;
import dev.synctalk.gpu.render.RayMarcher;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * The {@link Backend} on one CUDA device, so model code runs unchanged on either backend. Each call copies
 * its host tensors to the device, runs the kernels of {@link CudaNn} (or adamw.cu), waits, and copies the
 * results back, honouring the interface's conventions (outputs overwritten, parameter gradients
 * accumulated). That makes it the interchangeable, testable path; a training loop that wants the GPU's
 * speed keeps its tensors on the device and calls {@link CudaNn} directly (see {@code CudaHeadTrainer}).
 *
 * <p>Some ops have no kernel in this backend and run on the host through a {@link CpuBackend}: the 1-D
 * convolution (SyncTalk's audio encoder, once per frame), the frequency encoding (torso), the
 * uncertainty-weighted loss's bookkeeping (a per-batch softmax) and activations dense.cu lacks (the scaled
 * colour sigmoid, 3 values per sample). {@link #name()} says so.
 *
 * <p>Threading: like {@link CudaDevice}, one thread drives it (the engine's pinned GPU thread).
 */
public final class CudaBackend implements Backend {

    private final CudaDevice device;
    private final boolean ownsDevice;
    private final Runnable onClose;
    private final CpuBackend host;
    private final Map<HashGrid2D, DeviceBuffer> levelTables = new HashMap<>();

    /** A backend over {@code device}; closing the backend closes the device when {@code ownsDevice}. */
    public CudaBackend(CudaDevice device, boolean ownsDevice) {
        this(device, ownsDevice, () -> { });
    }

    /** A backend over a shared device; {@code onClose} runs when the backend closes (e.g. releasing a lease). */
    public CudaBackend(CudaDevice device, Runnable onClose) {
        this(device, false, onClose);
    }

    private CudaBackend(CudaDevice device, boolean ownsDevice, Runnable onClose) {
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.onClose = onClose;
        this.host = new CpuBackend(1);
    }

    /** Device {@code ordinal} shared with the other stages on it ({@link SharedCudaDevices}). */
    public static CudaBackend shared(int ordinal) {
        CudaDevice device = SharedCudaDevices.acquire(ordinal);
        return new CudaBackend(device, () -> SharedCudaDevices.release(ordinal));
    }

    /** Opens device {@code ordinal} and owns it. */
    public static CudaBackend open(int ordinal) {
        return new CudaBackend(CudaRuntime.open(ordinal), true);
    }

    public CudaDevice device() {
        return device;
    }

    @Override
    public String name() {
        return "cuda(" + device.name() + "; conv1d, frequency encoding, uncertainty loss, scaled sigmoid on the host)";
    }

    // ---- transfer helpers -----------------------------------------------------------------------------

    /** Device copies of host tensors for one call, released together. */
    private final class Staging implements AutoCloseable {
        private final List<DeviceBuffer> buffers = new ArrayList<>();

        DeviceView in(Tensor t) {
            if (t == null) {
                return DeviceView.absent();
            }
            DeviceBuffer b = device.upload(t.data());
            buffers.add(b);
            return DeviceView.of(b);
        }

        DeviceBuffer ints(int[] values) {
            DeviceBuffer b = device.uploadInts(values);
            buffers.add(b);
            return b;
        }

        /** Uninitialised (poisoned) device storage for an output of {@code t}'s size. */
        DeviceView out(Tensor t) {
            if (t == null) {
                return DeviceView.absent();
            }
            DeviceBuffer b = device.allocateFloats(Math.max(1, t.size()));
            device.poison(b);
            buffers.add(b);
            return DeviceView.of(b);
        }

        void back(DeviceView v, Tensor t) {
            if (t != null) {
                device.copyToHost(v.buffer(), t.data());
            }
        }

        /** Three plane tables packed into one device buffer (plane p at p * rows * F), as hashgrid.cu reads. */
        DeviceView planes(List<Tensor> planes) {
            int size = planes.get(0).size();
            float[] packed = new float[planes.size() * size];
            for (int p = 0; p < planes.size(); p++) {
                System.arraycopy(planes.get(p).data(), 0, packed, p * size, size);
            }
            DeviceBuffer b = device.upload(packed);
            buffers.add(b);
            return DeviceView.of(b);
        }

        void planesBack(DeviceView v, List<Tensor> planes) {
            int size = planes.get(0).size();
            float[] packed = device.download(v.buffer(), planes.size() * size);
            for (int p = 0; p < planes.size(); p++) {
                System.arraycopy(packed, p * size, planes.get(p).data(), 0, size);
            }
        }

        @Override
        public void close() {
            buffers.forEach(DeviceBuffer::close);
        }
    }

    private CudaNn.GridLaunch gridLaunch(HashGrid2D grid, int planes, int axes) {
        DeviceBuffer levels = levelTables.computeIfAbsent(grid, g -> device.uploadInts(CudaNn.levelTable(g)));
        return new CudaNn.GridLaunch(grid, planes, axes, levels);
    }

    private static void requirePlanes(TriPlaneEncoder encoder, List<Tensor> planes, String what) {
        if (planes.size() != TriPlaneEncoder.PLANES) {
            throw new IllegalArgumentException(what + ": expected 3 planes (xy, yz, xz), got " + planes.size());
        }
        for (Tensor t : planes) {
            Tensor.requireShape(what, t, encoder.grid().parameterRows(), encoder.grid().featuresPerLevel());
        }
    }

    // ---- encodings -------------------------------------------------------------------------------------

    @Override
    public void hashGridForward(HashGrid2D grid, Tensor coords, Tensor embeddings, Tensor out) {
        int n = coords.dim(0);
        Tensor.requireShape("hash grid coords", coords, n, 2);
        Tensor.requireShape("hash grid embeddings", embeddings, grid.parameterRows(), grid.featuresPerLevel());
        Tensor.requireShape("hash grid output", out, n, grid.outputDim());
        try (Staging s = new Staging()) {
            DeviceView o = s.out(out);
            CudaNn.hashGridForward(device, gridLaunch(grid, 1, CudaNn.SINGLE_PLANE_AXES), n, s.in(coords), 2,
                    s.in(embeddings), o, grid.outputDim());
            s.back(o, out);
        }
    }

    @Override
    public void hashGridBackward(HashGrid2D grid, Tensor coords, Tensor embeddings, Tensor gradOut,
                                 Tensor gradEmbeddings, Tensor gradCoords) {
        int n = coords.dim(0);
        Tensor.requireShape("hash grid coords", coords, n, 2);
        Tensor.requireShape("hash grid output gradient", gradOut, n, grid.outputDim());
        Tensor.requireShape("hash grid embedding gradient", gradEmbeddings, grid.parameterRows(), grid.featuresPerLevel());
        CudaNn.GridLaunch g = gridLaunch(grid, 1, CudaNn.SINGLE_PLANE_AXES);
        try (Staging s = new Staging()) {
            DeviceView c = s.in(coords);
            DeviceView go = s.in(gradOut);
            DeviceView ge = s.in(gradEmbeddings);
            CudaNn.hashGridBackwardEmbeddings(device, g, n, c, 2, go, grid.outputDim(), ge);
            if (gradCoords != null) {
                Tensor.requireShape("hash grid coordinate gradient", gradCoords, n, 2);
                DeviceView gc = s.out(gradCoords);
                CudaNn.hashGridBackwardCoords(device, g, n, c, 2, s.in(embeddings), go, grid.outputDim(), gc);
                s.back(gc, gradCoords);
            }
            s.back(ge, gradEmbeddings);
        }
    }

    @Override
    public void triPlaneForward(TriPlaneEncoder encoder, Tensor points, List<Tensor> planeEmbeddings, Tensor out) {
        int n = points.dim(0);
        Tensor.requireShape("tri-plane points", points, n, 3);
        Tensor.requireShape("tri-plane output", out, n, encoder.outputDim());
        requirePlanes(encoder, planeEmbeddings, "tri-plane embeddings");
        try (Staging s = new Staging()) {
            DeviceView o = s.out(out);
            CudaNn.hashGridForward(device, gridLaunch(encoder.grid(), 3, CudaNn.TRI_PLANE_AXES), n, s.in(points), 3,
                    s.planes(planeEmbeddings), o, encoder.outputDim());
            s.back(o, out);
        }
    }

    @Override
    public void triPlaneBackward(TriPlaneEncoder encoder, Tensor points, List<Tensor> planeEmbeddings, Tensor gradOut,
                                 List<Tensor> planeGradEmbeddings, Tensor gradPoints) {
        int n = points.dim(0);
        Tensor.requireShape("tri-plane points", points, n, 3);
        Tensor.requireShape("tri-plane output gradient", gradOut, n, encoder.outputDim());
        requirePlanes(encoder, planeEmbeddings, "tri-plane embeddings");
        requirePlanes(encoder, planeGradEmbeddings, "tri-plane embedding gradients");
        CudaNn.GridLaunch g = gridLaunch(encoder.grid(), 3, CudaNn.TRI_PLANE_AXES);
        try (Staging s = new Staging()) {
            DeviceView p = s.in(points);
            DeviceView go = s.in(gradOut);
            DeviceView ge = s.planes(planeGradEmbeddings);
            CudaNn.hashGridBackwardEmbeddings(device, g, n, p, 3, go, encoder.outputDim(), ge);
            if (gradPoints != null) {
                Tensor.requireShape("tri-plane point gradient", gradPoints, n, 3);
                DeviceView gp = s.out(gradPoints);
                CudaNn.hashGridBackwardCoords(device, g, n, p, 3, s.planes(planeEmbeddings), go, encoder.outputDim(), gp);
                s.back(gp, gradPoints);
            }
            s.planesBack(ge, planeGradEmbeddings);
        }
    }

    @Override
    public void sphericalHarmonicsForward(Tensor directions, Tensor out) {
        int n = directions.dim(0);
        Tensor.requireShape("SH directions", directions, n, 3);
        Tensor.requireShape("SH output", out, n, 16);
        try (Staging s = new Staging()) {
            DeviceView o = s.out(out);
            CudaNn.shForward(device, n, s.in(directions), o, 16);
            s.back(o, out);
        }
    }

    @Override
    public void sphericalHarmonicsBackward(Tensor directions, Tensor gradOut, Tensor gradDirections) {
        int n = directions.dim(0);
        Tensor.requireShape("SH directions", directions, n, 3);
        Tensor.requireShape("SH output gradient", gradOut, n, 16);
        Tensor.requireShape("SH direction gradient", gradDirections, n, 3);
        try (Staging s = new Staging()) {
            DeviceView gd = s.out(gradDirections);
            CudaNn.shBackward(device, n, s.in(directions), s.in(gradOut), 16, gd);
            s.back(gd, gradDirections);
        }
    }

    @Override
    public void frequencyEncodingForward(FrequencyEncoding encoding, Tensor x, Tensor out) {
        host.frequencyEncodingForward(encoding, x, out);
    }

    @Override
    public void frequencyEncodingBackward(FrequencyEncoding encoding, Tensor x, Tensor gradOut, Tensor gradX) {
        host.frequencyEncodingBackward(encoding, x, gradOut, gradX);
    }

    // ---- networks ----------------------------------------------------------------------------------------

    @Override
    public void denseForward(Dense layer, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        int n = x.dim(0);
        Tensor.requireShape("dense input", x, n, layer.inFeatures());
        Tensor.requireShape("dense weight", weight, layer.outFeatures(), layer.inFeatures());
        Tensor.requireShape("dense output", y, n, layer.outFeatures());
        requireBias(layer, bias, "dense bias");
        try (Staging s = new Staging()) {
            DeviceView o = s.out(y);
            CudaNn.denseRows(device, n, s.in(x), layer.inFeatures(), layer.inFeatures(), s.in(weight), false,
                    layer.outFeatures(), s.in(bias), o, layer.outFeatures(), 0, DeviceView.absent(), 0);
            s.back(o, y);
        }
    }

    private static void requireBias(Dense layer, Tensor bias, String what) {
        if (!layer.bias() && bias != null) {
            throw new IllegalArgumentException(what + " given to a layer built without bias");
        }
        if (layer.bias()) {
            Tensor.requireShape(what, bias, layer.outFeatures());
        }
    }

    @Override
    public void denseBackward(Dense layer, Tensor x, Tensor weight, Tensor gradY, Tensor gradX, Tensor gradWeight,
                              Tensor gradBias) {
        int n = x.dim(0);
        Tensor.requireShape("dense input", x, n, layer.inFeatures());
        Tensor.requireShape("dense weight", weight, layer.outFeatures(), layer.inFeatures());
        Tensor.requireShape("dense output gradient", gradY, n, layer.outFeatures());
        Tensor.requireShape("dense weight gradient", gradWeight, layer.outFeatures(), layer.inFeatures());
        requireBias(layer, gradBias, "dense bias gradient");
        try (Staging s = new Staging()) {
            DeviceView gy = s.in(gradY);
            if (gradX != null) {
                Tensor.requireShape("dense input gradient", gradX, n, layer.inFeatures());
                DeviceView gx = s.out(gradX);
                CudaNn.denseRows(device, n, gy, layer.outFeatures(), layer.outFeatures(), s.in(weight), true,
                        layer.inFeatures(), DeviceView.absent(), gx, layer.inFeatures(), 0, DeviceView.absent(), 0);
                s.back(gx, gradX);
            }
            DeviceView gw = s.in(gradWeight);
            DeviceView gb = s.in(gradBias);
            CudaNn.denseWeightGrad(device, n, gy, layer.outFeatures(), layer.outFeatures(), s.in(x), layer.inFeatures(),
                    layer.inFeatures(), gw, gb);
            s.back(gw, gradWeight);
            if (gradBias != null) {
                s.back(gb, gradBias);
            }
        }
    }

    @Override
    public void activationForward(Activation activation, Tensor x, Tensor y) {
        Tensor.requireShape("activation output", y, x.shape());
        if (!CudaNn.hasActivationKernel(activation)) {
            host.activationForward(activation, x, y);
            return;
        }
        try (Staging s = new Staging()) {
            DeviceView o = s.out(y);
            CudaNn.activationForward(device, activation, x.size(), s.in(x), o);
            s.back(o, y);
        }
    }

    @Override
    public void activationBackward(Activation activation, Tensor x, Tensor y, Tensor gradY, Tensor gradX) {
        Tensor.requireShape("activation output", y, x.shape());
        Tensor.requireShape("activation output gradient", gradY, x.shape());
        Tensor.requireShape("activation input gradient", gradX, x.shape());
        if (!CudaNn.hasActivationKernel(activation)) {
            host.activationBackward(activation, x, y, gradY, gradX);
            return;
        }
        try (Staging s = new Staging()) {
            DeviceView gx = s.out(gradX);
            CudaNn.activationBackward(device, activation, x.size(), s.in(x), s.in(y), s.in(gradY), gx);
            s.back(gx, gradX);
        }
    }

    @Override
    public void conv1dForward(Conv1d conv, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        host.conv1dForward(conv, x, weight, bias, y);
    }

    @Override
    public void conv1dBackward(Conv1d conv, Tensor x, Tensor weight, Tensor gradY, Tensor gradX, Tensor gradWeight,
                               Tensor gradBias) {
        host.conv1dBackward(conv, x, weight, gradY, gradX, gradWeight, gradBias);
    }

    // ---- rendering and losses ---------------------------------------------------------------------------

    private CudaNn.DeviceRays stage(Staging s, RaySamples samples) {
        return new CudaNn.DeviceRays(samples.rayCount(), s.ints(samples.rays()), s.in(samples.sigma()),
                s.in(samples.rgb()), s.in(samples.dt()), s.in(samples.t()));
    }

    @Override
    public void volumeRenderForward(VolumeRenderer renderer, RaySamples samples, Tensor background, RenderOutput out) {
        int r = samples.rayCount();
        Tensor.requireShape("rendered image", out.image(), r, 3);
        Tensor.requireShape("rendered depth", out.depth(), r);
        Tensor.requireShape("rendered weights sum", out.weightsSum(), r);
        if (background != null) {
            Tensor.requireShape("background", background, r, 3);
        }
        try (Staging s = new Staging()) {
            DeviceView image = s.out(out.image());
            DeviceView depth = s.out(out.depth());
            DeviceView weights = s.out(out.weightsSum());
            CudaNn.volumeRenderForward(device, stage(s, samples), renderer.transmittanceThreshold(), s.in(background),
                    image, depth, weights);
            s.back(image, out.image());
            s.back(depth, out.depth());
            s.back(weights, out.weightsSum());
        }
    }

    @Override
    public void volumeRenderBackward(VolumeRenderer renderer, RaySamples samples, Tensor background, Tensor gradImage,
                                     Tensor gradDepth, Tensor gradWeightsSum, Tensor gradSigma, Tensor gradRgb) {
        int r = samples.rayCount();
        int m = samples.sampleCount();
        Tensor.requireShape("image gradient", gradImage, r, 3);
        Tensor.requireShape("sigma gradient", gradSigma, m);
        Tensor.requireShape("rgb gradient", gradRgb, m, 3);
        if (background != null) {
            Tensor.requireShape("background", background, r, 3);
        }
        if (gradDepth != null) {
            Tensor.requireShape("depth gradient", gradDepth, r);
        }
        if (gradWeightsSum != null) {
            Tensor.requireShape("weights-sum gradient", gradWeightsSum, r);
        }
        try (Staging s = new Staging()) {
            // samples outside every ray keep the caller's values, as on the CPU
            DeviceView gs = s.in(gradSigma);
            DeviceView gc = s.in(gradRgb);
            CudaNn.volumeRenderBackward(device, stage(s, samples), renderer.transmittanceThreshold(), s.in(background),
                    s.in(gradImage), s.in(gradDepth), s.in(gradWeightsSum), gs, gc);
            s.back(gs, gradSigma);
            s.back(gc, gradRgb);
        }
    }

    @Override
    public void rayMseForward(RayMseLoss loss, Tensor prediction, Tensor target, Tensor lossPerRay) {
        int r = prediction.dim(0);
        Tensor.requireShape("MSE prediction", prediction, r, loss.channels());
        Tensor.requireShape("MSE target", target, r, loss.channels());
        Tensor.requireShape("MSE loss", lossPerRay, r);
        try (Staging s = new Staging()) {
            DeviceView l = s.out(lossPerRay);
            CudaNn.mseForward(device, r, loss.channels(), s.in(prediction), s.in(target), l);
            s.back(l, lossPerRay);
        }
    }

    @Override
    public void rayMseBackward(RayMseLoss loss, Tensor prediction, Tensor target, Tensor gradLoss, Tensor gradPrediction) {
        int r = prediction.dim(0);
        Tensor.requireShape("MSE prediction", prediction, r, loss.channels());
        Tensor.requireShape("MSE target", target, r, loss.channels());
        Tensor.requireShape("MSE loss gradient", gradLoss, r);
        Tensor.requireShape("MSE prediction gradient", gradPrediction, r, loss.channels());
        try (Staging s = new Staging()) {
            DeviceView g = s.out(gradPrediction);
            CudaNn.mseBackward(device, r, loss.channels(), s.in(prediction), s.in(target), s.in(gradLoss), g);
            s.back(g, gradPrediction);
        }
    }

    @Override
    public void uncertaintyLossPrepare(UncertaintyWeightedLoss loss, float stepFactor, Tensor uncertainty,
                                       Tensor prediction, Tensor target, Tensor multiplier, Tensor residualNorm) {
        host.uncertaintyLossPrepare(loss, stepFactor, uncertainty, prediction, target, multiplier, residualNorm);
    }

    @Override
    public void uncertaintyLossForward(UncertaintyWeightedLoss loss, float stepFactor, Tensor mse, Tensor uncertainty,
                                       Tensor multiplier, Tensor residualNorm, Tensor faceMask, Tensor lossPerRay) {
        host.uncertaintyLossForward(loss, stepFactor, mse, uncertainty, multiplier, residualNorm, faceMask, lossPerRay);
    }

    @Override
    public void uncertaintyLossBackward(UncertaintyWeightedLoss loss, float stepFactor, Tensor uncertainty,
                                        Tensor multiplier, Tensor residualNorm, Tensor faceMask, Tensor gradLoss,
                                        Tensor gradMse, Tensor gradUncertainty) {
        host.uncertaintyLossBackward(loss, stepFactor, uncertainty, multiplier, residualNorm, faceMask, gradLoss, gradMse,
                gradUncertainty);
    }

    // ---- optimisation ---------------------------------------------------------------------------------------

    @Override
    public void adamWStep(AdamWConfig config, double learningRate, long step, Tensor params, Tensor grads,
                          Tensor expAvg, Tensor expAvgSq) {
        Tensor.requireShape("AdamW gradient", grads, params.shape());
        Tensor.requireShape("AdamW first moment", expAvg, params.shape());
        Tensor.requireShape("AdamW second moment", expAvgSq, params.shape());
        AdamWScalars scalars = AdamWScalars.of(learningRate, config.beta1(), config.beta2(), config.eps(),
                config.weightDecay(), step);
        try (Staging s = new Staging()) {
            DeviceView p = s.in(params);
            DeviceView m = s.in(expAvg);
            DeviceView v = s.in(expAvgSq);
            CudaAdamW.step(device, params.size(), p.buffer(), s.in(grads).buffer(), m.buffer(), v.buffer(), scalars);
            s.back(p, params);
            s.back(m, expAvg);
            s.back(v, expAvgSq);
        }
    }

    @Override
    public void close() {
        levelTables.values().forEach(DeviceBuffer::close);
        levelTables.clear();
        host.close();
        if (ownsDevice) {
            device.close();
        }
        onClose.run();
    }

    // ---- Ops of the model code that have no kernel yet: they run on the host through the CpuBackend,
    // ---- so model code works unchanged on this backend (slower for these few ops).

    @Override
    public void fill(Tensor x, float value) {
        host.fill(x, value);
    }

    @Override
    public void addScaled(Tensor x, float alpha, Tensor y) {
        host.addScaled(x, alpha, y);
    }

    @Override
    public double sum(Tensor x) {
        return host.sum(x);
    }

    @Override
    public void copyColumns(Tensor src, int srcColumn, Tensor dst, int dstColumn, int width, boolean accumulate) {
        host.copyColumns(src, srcColumn, dst, dstColumn, width, accumulate);
    }

    @Override
    public void broadcastRow(Tensor row, int rowOffset, int width, Tensor dst, int dstColumn) {
        host.broadcastRow(row, rowOffset, width, dst, dstColumn);
    }

    @Override
    public void sumColumns(Tensor src, int srcColumn, int width, Tensor dst, int dstOffset) {
        host.sumColumns(src, srcColumn, width, dst, dstOffset);
    }

    @Override
    public void scaleColumnsForward(Tensor x, Tensor scale, Tensor y) {
        host.scaleColumnsForward(x, scale, y);
    }

    @Override
    public void scaleColumnsBackward(Tensor x, Tensor scale, Tensor gradY, Tensor gradX, Tensor gradScale) {
        host.scaleColumnsBackward(x, scale, gradY, gradX, gradScale);
    }

    @Override
    public void rowNormForward(Tensor x, Tensor norm) {
        host.rowNormForward(x, norm);
    }

    @Override
    public void rowNormBackward(Tensor x, Tensor norm, Tensor gradNorm, Tensor gradX) {
        host.rowNormBackward(x, norm, gradNorm, gradX);
    }

    @Override
    public void transposeLastTwo(Tensor x, Tensor y) {
        host.transposeLastTwo(x, y);
    }

    @Override
    public void softmaxRowsForward(Tensor x, Tensor y) {
        host.softmaxRowsForward(x, y);
    }

    @Override
    public void softmaxRowsBackward(Tensor y, Tensor gradY, Tensor gradX) {
        host.softmaxRowsBackward(y, gradY, gradX);
    }

    @Override
    public void attentionPoolForward(Tensor weights, Tensor values, Tensor out) {
        host.attentionPoolForward(weights, values, out);
    }

    @Override
    public void attentionPoolBackward(Tensor weights, Tensor values, Tensor gradOut, Tensor gradWeights, Tensor gradValues) {
        host.attentionPoolBackward(weights, values, gradOut, gradWeights, gradValues);
    }

    @Override
    public void ambientLossForward(AmbientLoss loss, float stepFactor, Tensor ambient, Tensor lowerFace, Tensor lossPerRay) {
        host.ambientLossForward(loss, stepFactor, ambient, lowerFace, lossPerRay);
    }

    @Override
    public void ambientLossBackward(AmbientLoss loss, float stepFactor, Tensor lowerFace, Tensor gradLoss, Tensor gradAmbient) {
        host.ambientLossBackward(loss, stepFactor, lowerFace, gradLoss, gradAmbient);
    }

    @Override
    public void weightsEntropyForward(WeightsEntropyLoss loss, Tensor weightsSum, Tensor lossPerRay) {
        host.weightsEntropyForward(loss, weightsSum, lossPerRay);
    }

    @Override
    public void weightsEntropyBackward(WeightsEntropyLoss loss, Tensor weightsSum, Tensor gradLoss, Tensor gradWeightsSum) {
        host.weightsEntropyBackward(loss, weightsSum, gradLoss, gradWeightsSum);
    }

    @Override
    public void cameraRays(CameraRays camera, Tensor pose, int[] pixels, Tensor origins, Tensor directions) {
        host.cameraRays(camera, pose, pixels, origins, directions);
    }

    @Override
    public MarchedRays marchRays(RayMarcher marcher, Tensor occupancy, Tensor origins, Tensor directions, boolean perturb, long noiseSeed) {
        return host.marchRays(marcher, occupancy, origins, directions, perturb, noiseSeed);
    }

    @Override
    public void densityGridCellPoints(int resolution, float bound, Tensor noise, Tensor points) {
        host.densityGridCellPoints(resolution, bound, noise, points);
    }

    @Override
    public void densityGridDilate(int resolution, Tensor fresh, Tensor out) {
        host.densityGridDilate(resolution, fresh, out);
    }

    @Override
    public void densityGridDecayMax(Tensor grid, Tensor fresh, float decay) {
        host.densityGridDecayMax(grid, fresh, decay);
    }

    @Override
    public void densityGridThreshold(Tensor grid, float threshold, Tensor occupancy) {
        host.densityGridThreshold(grid, threshold, occupancy);
    }

    @Override
    public void alphaOverForward(Tensor alpha, Tensor foreground, Tensor background, Tensor out) {
        host.alphaOverForward(alpha, foreground, background, out);
    }

    @Override
    public void alphaOverBackward(Tensor alpha, Tensor foreground, Tensor background, Tensor gradOut, Tensor gradAlpha,
                                  Tensor gradForeground) {
        host.alphaOverBackward(alpha, foreground, background, gradOut, gradAlpha, gradForeground);
    }

    @Override
    public void offsetClampForward(Tensor base, Tensor offset, float limit, Tensor out) {
        host.offsetClampForward(base, offset, limit, out);
    }

    @Override
    public void offsetClampBackward(Tensor base, Tensor offset, float limit, Tensor gradOut, Tensor gradOffset) {
        host.offsetClampBackward(base, offset, limit, gradOut, gradOffset);
    }

    @Override
    public void projectAnchorsForward(Tensor anchors, Tensor pose, Tensor projected) {
        host.projectAnchorsForward(anchors, pose, projected);
    }

    @Override
    public void projectAnchorsBackward(Tensor anchors, Tensor pose, Tensor gradProjected, Tensor gradAnchors) {
        host.projectAnchorsBackward(anchors, pose, gradProjected, gradAnchors);
    }
}
