package dev.synctalk.gpu.cuda.head;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.nn.CudaNn;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.cuda.optim.AdamWScalars;
import dev.synctalk.gpu.cuda.optim.CudaAdamW;
import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.render.VolumeRenderer;

/**
 * SyncTalk's head network (research/synctalk-facts.md) as one device-resident training step and one render
 * forward, composed from the {@link CudaNn} kernels: tri-plane hash encoding (3 x 12 levels x 1 feature,
 * log2 T 14) -> audio attention 36-64-32 and eye attention 36-64-7 modulating the audio code (32) and the
 * expression (7) -> sigma net 75-64-64-65 (trunc_exp density, 64 geometry features) -> colour net
 * 84-64-3 on SH(view) | geometry | individual code (4), sigmoid * 1.002 - 0.001 -> uncertainty net
 * 36-32-1 (softplus) -> volume rendering with background -> per-ray MSE -> backward -> AdamW
 * (lr 1e-2 for the planes, 1e-3 for the networks, betas (0, 0.99)).
 *
 * <p>Dense sampling, {@code samplesPerRay} per ray, as the reference measurement did. The uncertainty head
 * runs forward and backward with a constant per-sample gradient (0.01 / M, the shape of SyncTalk's
 * non-face uncertainty term); the uncertainty weighting of the MSE is not modelled. Per-frame codes
 * (audio, expression, individual) are fixed inputs: their encoders run once per frame.
 * Inputs are seeded random points in the unit cube, unit view directions, dt = 1/16 and random targets.
 *
 * <p>Two implementations of the same step ({@link Path}): the fp32 layer-by-layer kernels (dense.cu, one
 * launch per layer and direction), and the fused fp16 tensor-core kernels (fusedhead.cu: one launch for all
 * MLPs forward, one backward, one for every weight gradient). Parameters and AdamW stay fp32 in both.
 */
public final class HeadModelStep implements AutoCloseable {

    /** One dense layer: in -> out, weight [out, in] at {@code offset} in the network parameter buffer. */
    public record Layer(int in, int out, long offset) {
    }

    /** Which kernels run the networks. */
    public enum Path {
        /** dense.cu, fp32 on the CUDA cores, one launch per layer and direction. */
        LAYERWISE_FP32,
        /** fusedhead.cu, fp16 operands with fp32 accumulation on the tensor cores, whole networks per launch. */
        FUSED_FP16
    }

    public static final int ENC = 36;
    public static final int H0 = 75;
    public static final int CIN = 84;
    private static final float BOUND = 1f;
    /** The uncertainty head's gradient summed over samples (the shape of SyncTalk's non-face uncertainty term). */
    private static final float UNCERTAINTY_GRADIENT = 0.01f;

    private final CudaDevice device;
    private final Path path;
    private final int rays;
    private final long samples;
    private final HashGrid2D grid = HashGrid2D.syncTalkPlane(BOUND);
    private final CudaNn.GridLaunch gridLaunch;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final Layer aud1, aud2, eye1, eye2, sig1, sig2, sig3, col1, col2, unc1, unc2;
    private final long netParamCount;
    private final long gridParamCount;

    private final DeviceBuffer gridParams, gridGrads, gridM, gridV;
    private final DeviceBuffer netParams, netGrads, netM, netV;
    private final DeviceBuffer points, dirs, dt, t, rayRanges, background, target, audio, expression, code;
    private final DeviceBuffer h0, audH, attA, eyeH, attE, s1, s2, raw, sigma, cin, c1, hc, rgb, u1, hu, unc;
    private final DeviceBuffer loss, gSigma, gRgb, ghc, ghu, gc1, gcin, graw, gs2, gs1, gh0, gAttA, gAttE, gAudH,
            gEyeH, gu1;
    private final DeviceBuffer image, depth, weightsSum;
    // fused path
    private final DeviceBuffer enc, shc, packed, packTable, gradTable, extras, planes, gradPlanes, gradEnc;
    private final float lossScale;

    public HeadModelStep(CudaDevice device, int rays, int samplesPerRay, long seed) {
        this(device, rays, samplesPerRay, seed, Path.LAYERWISE_FP32);
    }

    public HeadModelStep(CudaDevice device, int rays, int samplesPerRay, long seed, Path path) {
        this(device, rays, samplesPerRay, seed, path, 1e-4f);
    }

    /**
     * @param gridInitRange the tri-plane embeddings start uniform in [-gridInitRange, gridInitRange] (SyncTalk:
     *                      1e-4; the parity check uses trained-like magnitudes, see FusedHeadParityCheck)
     */
    public HeadModelStep(CudaDevice device, int rays, int samplesPerRay, long seed, Path path, float gridInitRange) {
        this.device = device;
        this.path = path;
        this.rays = rays;
        this.samples = (long) rays * samplesPerRay;
        SplittableRandom rng = new SplittableRandom(seed);
        long[] next = {0};
        java.util.function.BiFunction<Integer, Integer, Layer> layer = (in, out) -> {
            Layer l = new Layer(in, out, next[0]);
            next[0] += (long) in * out;
            return l;
        };
        aud1 = layer.apply(ENC, 64);
        aud2 = layer.apply(64, 32);
        eye1 = layer.apply(ENC, 64);
        eye2 = layer.apply(64, 7);
        sig1 = layer.apply(H0, 64);
        sig2 = layer.apply(64, 64);
        sig3 = layer.apply(64, 65);
        col1 = layer.apply(CIN, 64);
        col2 = layer.apply(64, 3);
        unc1 = layer.apply(ENC, 32);
        unc2 = layer.apply(32, 1);
        netParamCount = next[0];
        gridParamCount = 3L * grid.parameterRows() * grid.featuresPerLevel();

        gridLaunch = new CudaNn.GridLaunch(grid, 3, CudaNn.TRI_PLANE_AXES, own(device.uploadInts(CudaNn.levelTable(grid))));
        gridParams = upload(uniform(rng, gridParamCount, -gridInitRange, gridInitRange));
        float[] net = new float[(int) netParamCount];
        for (Layer l : layers()) {
            float k = (float) (1.0 / Math.sqrt(l.in()));
            for (int i = 0; i < l.in() * l.out(); i++) {
                net[(int) l.offset() + i] = (float) (-k + 2 * k * rng.nextDouble());
            }
        }
        netParams = upload(net);
        gridGrads = zeros(gridParamCount);
        gridM = zeros(gridParamCount);
        gridV = zeros(gridParamCount);
        netGrads = zeros(netParamCount);
        netM = zeros(netParamCount);
        netV = zeros(netParamCount);

        points = upload(uniform(rng, 3 * samples, -0.9f, 0.9f));
        float[] d = new float[(int) (3 * samples)];
        for (long s = 0; s < samples; s++) {
            double x = rng.nextGaussian(), y = rng.nextGaussian(), z = rng.nextGaussian();
            double norm = Math.max(1e-9, Math.sqrt(x * x + y * y + z * z));
            d[(int) (3 * s)] = (float) (x / norm);
            d[(int) (3 * s + 1)] = (float) (y / norm);
            d[(int) (3 * s + 2)] = (float) (z / norm);
        }
        dirs = upload(d);
        float[] step = new float[(int) samples];
        float[] dist = new float[(int) samples];
        int[] ranges = new int[2 * rays];
        for (int r = 0; r < rays; r++) {
            ranges[2 * r] = r * samplesPerRay;
            ranges[2 * r + 1] = samplesPerRay;
            for (int i = 0; i < samplesPerRay; i++) {
                step[r * samplesPerRay + i] = 1f / samplesPerRay;
                dist[r * samplesPerRay + i] = 0.5f + (i + 0.5f) / samplesPerRay;
            }
        }
        dt = upload(step);
        t = upload(dist);
        rayRanges = own(device.uploadInts(ranges));
        background = upload(uniform(rng, 3L * rays, 0.9f, 1f));
        target = upload(uniform(rng, 3L * rays, 0f, 1f));
        audio = upload(uniform(rng, 32, -1f, 1f));
        expression = upload(uniform(rng, 7, 0f, 1f));
        code = upload(uniform(rng, 4, -1f, 1f));

        boolean layerwise = path == Path.LAYERWISE_FP32;
        sigma = alloc(1); rgb = alloc(3); unc = alloc(1); gSigma = alloc(1); gRgb = alloc(3);
        h0 = layerwise ? alloc(H0) : null; audH = layerwise ? alloc(64) : null; attA = layerwise ? alloc(32) : null;
        eyeH = layerwise ? alloc(64) : null; attE = layerwise ? alloc(7) : null; s1 = layerwise ? alloc(64) : null;
        s2 = layerwise ? alloc(64) : null; raw = layerwise ? alloc(65) : null; cin = layerwise ? alloc(CIN) : null;
        c1 = layerwise ? alloc(64) : null; hc = layerwise ? alloc(3) : null; u1 = layerwise ? alloc(32) : null;
        hu = layerwise ? alloc(1) : null; ghc = layerwise ? alloc(3) : null; ghu = layerwise ? alloc(1) : null;
        gc1 = layerwise ? alloc(64) : null; gcin = layerwise ? alloc(CIN) : null; graw = layerwise ? alloc(65) : null;
        gs2 = layerwise ? alloc(64) : null; gs1 = layerwise ? alloc(64) : null; gh0 = layerwise ? alloc(H0) : null;
        gAttA = layerwise ? alloc(32) : null; gAttE = layerwise ? alloc(7) : null; gAudH = layerwise ? alloc(64) : null;
        gEyeH = layerwise ? alloc(64) : null; gu1 = layerwise ? alloc(32) : null;
        if (layerwise) {
            enc = shc = packed = packTable = gradTable = extras = planes = gradPlanes = gradEnc = null;
        } else {
            enc = alloc(FusedHeadLayout.ENCODING_WIDTH);
            shc = alloc(FusedHeadLayout.SH_WIDTH);
            extras = alloc(FusedHeadLayout.EXTRAS);
            gradEnc = alloc(FusedHeadLayout.ENCODING_WIDTH);
            planes = alloc(FusedHeadLayout.ACTIVATION_WIDTH / 2);
            gradPlanes = alloc(FusedHeadLayout.GRADIENT_WIDTH / 2);
            packed = zeros(FusedHeadLayout.WEIGHT_HALVES / 2);
            FusedHeadLayout.HeadLayers roles = new FusedHeadLayout.HeadLayers(aud1, aud2, eye1, eye2, sig1, sig2, sig3,
                    col1, col2, unc1, unc2);
            packTable = own(device.uploadInts(FusedHeadLayout.packTable(roles)));
            gradTable = own(device.uploadInts(FusedHeadLayout.weightGradTable(roles)));
        }
        // gradients are ~1/rays small and shrink further back through the sigma net: scaled up before they are
        // rounded to fp16 (a power of two, exact to undo); 4096 / rays keeps the colour logits' gradient below
        // ~700, far from fp16's 65504, while the sigma net's stay above fp16's subnormal range.
        lossScale = 4096f * Integer.highestOneBit(rays);
        loss = own(device.allocateFloats(rays));
        image = own(device.allocateFloats(3L * rays));
        depth = own(device.allocateFloats(rays));
        weightsSum = own(device.allocateFloats(rays));
    }

    public List<Layer> layers() {
        return List.of(aud1, aud2, eye1, eye2, sig1, sig2, sig3, col1, col2, unc1, unc2);
    }

    /** Multiply-adds per sample of one forward pass through every layer (the render skips the uncertainty net). */
    public long forwardMacsPerSample(boolean withUncertainty) {
        long macs = 0;
        for (Layer l : layers()) {
            if (withUncertainty || (l != unc1 && l != unc2)) {
                macs += (long) l.in() * l.out();
            }
        }
        return macs;
    }

    public long samples() {
        return samples;
    }

    public long parameterCount() {
        return gridParamCount + netParamCount;
    }

    private DeviceBuffer own(DeviceBuffer b) {
        owned.add(b);
        return b;
    }

    private DeviceBuffer upload(float[] host) {
        return own(device.upload(host));
    }

    private DeviceBuffer zeros(long floats) {
        DeviceBuffer b = own(device.allocateFloats(floats));
        device.fill(b, 0f);
        return b;
    }

    private DeviceBuffer alloc(int perSample) {
        DeviceBuffer b = own(device.allocateFloats(samples * perSample));
        device.poison(b);
        return b;
    }

    private static float[] uniform(SplittableRandom rng, long n, float lo, float hi) {
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return v;
    }

    private static DeviceView v(DeviceBuffer b) {
        return DeviceView.of(b);
    }

    private DeviceView w(Layer l) {
        return new DeviceView(netParams, l.offset());
    }

    private DeviceView gw(Layer l) {
        return new DeviceView(netGrads, l.offset());
    }

    private void forwardLayer(Layer l, DeviceView in, int ldIn, DeviceView out, int ldOut, boolean relu) {
        CudaNn.denseRows(device, samples, in, ldIn, l.in(), w(l), false, l.out(), DeviceView.absent(), out, ldOut,
                relu ? CudaNn.EPILOGUE_RELU : 0, DeviceView.absent(), 0);
    }

    /** Weight gradient of {@code l}, then its input gradient (masked by the ReLU below when {@code reluInput}). */
    private void backwardLayer(Layer l, DeviceView gradOut, DeviceView in, int ldIn, DeviceView gradIn, int ldGradIn,
                               boolean reluInput, boolean accumulate) {
        CudaNn.denseWeightGrad(device, samples, gradOut, l.out(), l.out(), in, ldIn, l.in(), gw(l), DeviceView.absent());
        int epilogue = (reluInput ? CudaNn.EPILOGUE_MASK_POSITIVE : 0) | (accumulate ? CudaNn.EPILOGUE_ACCUMULATE : 0);
        CudaNn.denseRows(device, samples, gradOut, l.out(), l.out(), w(l), true, l.in(), DeviceView.absent(), gradIn,
                ldGradIn, epilogue, reluInput ? in : DeviceView.absent(), ldIn);
    }

    /** Encoding and every network up to sigma and rgb (and the uncertainty when training). */
    private void forwardNetworks(boolean withUncertainty) {
        CudaNn.hashGridForward(device, gridLaunch, samples, v(points), 3, v(gridParams), v(h0), H0);
        forwardLayer(aud1, v(h0), H0, v(audH), 64, true);
        forwardLayer(aud2, v(audH), 64, v(attA), 32, false);
        forwardLayer(eye1, v(h0), H0, v(eyeH), 64, true);
        forwardLayer(eye2, v(eyeH), 64, v(attE), 7, false);
        CudaNn.headModulateForward(device, samples, v(h0), v(attA), v(attE), v(audio), v(expression));
        forwardLayer(sig1, v(h0), H0, v(s1), 64, true);
        forwardLayer(sig2, v(s1), 64, v(s2), 64, true);
        forwardLayer(sig3, v(s2), 64, v(raw), 65, false);
        CudaNn.shForward(device, samples, v(dirs), v(cin), CIN);
        CudaNn.headSigmaForward(device, samples, v(raw), v(sigma), v(cin), v(code));
        forwardLayer(col1, v(cin), CIN, v(c1), 64, true);
        forwardLayer(col2, v(c1), 64, v(hc), 3, false);
        if (withUncertainty) {
            forwardLayer(unc1, v(h0), H0, v(u1), 32, true);
            forwardLayer(unc2, v(u1), 32, v(hu), 1, false);
        }
        CudaNn.headOutputsForward(device, samples, v(hc), v(rgb), v(hu), v(unc));
    }

    private CudaNn.DeviceRays deviceRays() {
        return new CudaNn.DeviceRays(rays, rayRanges, v(sigma), v(rgb), v(dt), v(t));
    }

    /** One training step (enqueued): zero gradients, forward, loss, backward, AdamW at 1-based {@code step}. */
    public void trainStep(long step) {
        computeGradients();
        CudaAdamW.step(device, gridParamCount, gridParams, gridGrads, gridM, gridV,
                AdamWScalars.of(1e-2, 0.0, 0.99, 1e-8, 0.0, step));
        CudaAdamW.step(device, netParamCount, netParams, netGrads, netM, netV,
                AdamWScalars.of(1e-3, 0.0, 0.99, 1e-8, 0.0, step));
    }

    public Path path() {
        return path;
    }

    /** Zero the gradients, then forward, loss and backward into them (enqueued); no parameter update. */
    public void computeGradients() {
        device.fill(gridGrads, 0f);
        device.fill(netGrads, 0f);
        if (path == Path.FUSED_FP16) {
            fusedGradients();
        } else {
            layerwiseGradients();
        }
    }

    private void encodeAndPack() {
        CudaNn.hashGridForward(device, gridLaunch, samples, v(points), 3, v(gridParams), v(enc), ENC);
        CudaNn.shForward(device, samples, v(dirs), v(shc), FusedHeadLayout.SH_WIDTH);
        FusedHeadKernels.packWeights(device, packTable, layers().size(), netParams, packed);
    }

    private void fusedGradients() {
        encodeAndPack();
        FusedHeadKernels.forward(device, samples, enc, shc, packed, audio, expression, code, sigma, 0, rgb, unc, extras,
                planes);
        CudaNn.renderMseTrain(device, deviceRays(), v(background), v(target), VolumeRenderer.TRAINING_THRESHOLD,
                v(loss), v(gSigma), v(gRgb));
        FusedHeadKernels.backward(device, samples, packed, audio, expression, planes, extras, gSigma, gRgb,
                UNCERTAINTY_GRADIENT / samples, lossScale, gradEnc, gradPlanes);
        FusedHeadKernels.weightGrad(device, samples, gradTable, layers().size(), planes, gradPlanes, lossScale, netGrads);
        CudaNn.hashGridBackwardEmbeddings(device, gridLaunch, samples, v(points), 3, v(gradEnc), ENC, v(gridGrads));
    }

    /**
     * The fused training step's phases in order, each enqueue-only, for timing them one by one (running them
     * in this order is one step without the gradient zeroing).
     */
    public java.util.LinkedHashMap<String, Runnable> fusedPhases(long step) {
        if (path != Path.FUSED_FP16) {
            throw new IllegalStateException("phases are those of the fused path; this step runs " + path);
        }
        java.util.LinkedHashMap<String, Runnable> phases = new java.util.LinkedHashMap<>();
        phases.put("tri-plane + SH encode, pack weights", this::encodeAndPack);
        phases.put("fused forward (all MLPs)", () -> FusedHeadKernels.forward(device, samples, enc, shc, packed, audio,
                expression, code, sigma, 0, rgb, unc, extras, planes));
        phases.put("volume render + MSE fwd/bwd", () -> CudaNn.renderMseTrain(device, deviceRays(), v(background),
                v(target), VolumeRenderer.TRAINING_THRESHOLD, v(loss), v(gSigma), v(gRgb)));
        phases.put("fused backward (input grads)", () -> FusedHeadKernels.backward(device, samples, packed, audio,
                expression, planes, extras, gSigma, gRgb, UNCERTAINTY_GRADIENT / samples, lossScale, gradEnc, gradPlanes));
        phases.put("fused weight gradients (11 layers)", () -> FusedHeadKernels.weightGrad(device, samples, gradTable,
                layers().size(), planes, gradPlanes, lossScale, netGrads));
        phases.put("tri-plane backward (atomics)", () -> CudaNn.hashGridBackwardEmbeddings(device, gridLaunch, samples,
                v(points), 3, v(gradEnc), ENC, v(gridGrads)));
        phases.put("AdamW grid + networks", () -> {
            CudaAdamW.step(device, gridParamCount, gridParams, gridGrads, gridM, gridV,
                    AdamWScalars.of(1e-2, 0.0, 0.99, 1e-8, 0.0, step));
            CudaAdamW.step(device, netParamCount, netParams, netGrads, netM, netV,
                    AdamWScalars.of(1e-3, 0.0, 0.99, 1e-8, 0.0, step));
        });
        return phases;
    }

    private void layerwiseGradients() {
        forwardNetworks(true);
        CudaNn.renderMseTrain(device, deviceRays(), v(background), v(target), VolumeRenderer.TRAINING_THRESHOLD,
                v(loss), v(gSigma), v(gRgb));
        CudaNn.headOutputsBackward(device, samples, v(hc), v(gRgb), v(hu), UNCERTAINTY_GRADIENT / samples, v(ghc),
                v(ghu));
        backwardLayer(col2, v(ghc), v(c1), 64, v(gc1), 64, true, false);
        backwardLayer(col1, v(gc1), v(cin), CIN, v(gcin), CIN, false, false);
        CudaNn.headSigmaBackward(device, samples, v(raw), v(gSigma), v(gcin), v(graw));
        backwardLayer(sig3, v(graw), v(s2), 64, v(gs2), 64, true, false);
        backwardLayer(sig2, v(gs2), v(s1), 64, v(gs1), 64, true, false);
        backwardLayer(sig1, v(gs1), v(h0), H0, v(gh0), H0, false, false);
        CudaNn.headModulateBackward(device, samples, v(gh0), v(attE), v(audio), v(expression), v(gAttA), v(gAttE));
        backwardLayer(aud2, v(gAttA), v(audH), 64, v(gAudH), 64, true, false);
        backwardLayer(aud1, v(gAudH), v(h0), H0, v(gh0), H0, false, true);
        backwardLayer(eye2, v(gAttE), v(eyeH), 64, v(gEyeH), 64, true, false);
        backwardLayer(eye1, v(gEyeH), v(h0), H0, v(gh0), H0, false, true);
        backwardLayer(unc2, v(ghu), v(u1), 32, v(gu1), 32, true, false);
        backwardLayer(unc1, v(gu1), v(h0), H0, v(gh0), H0, false, true);
        CudaNn.hashGridBackwardEmbeddings(device, gridLaunch, samples, v(points), 3, v(gh0), H0, v(gridGrads));
    }

    /**
     * sigma [m], rgb [m][3] of externally placed samples (points, unit directions [m][3]) through the fused
     * networks with this step's parameters (enqueued); enc [m][36] and sh [m][16] are scratch.
     */
    public void forwardSamples(long m, DeviceBuffer samplePoints, DeviceBuffer sampleDirs, DeviceBuffer encScratch,
                               DeviceBuffer shScratch, DeviceBuffer sigmaOut, DeviceBuffer rgbOut) {
        if (path != Path.FUSED_FP16) {
            throw new IllegalStateException("forwardSamples runs the fused networks; this step runs " + path);
        }
        if (m == 0) {
            return;
        }
        CudaNn.hashGridForward(device, gridLaunch, m, v(samplePoints), 3, v(gridParams), v(encScratch), ENC);
        CudaNn.shForward(device, m, v(sampleDirs), v(shScratch), FusedHeadLayout.SH_WIDTH);
        FusedHeadKernels.packWeights(device, packTable, layers().size(), netParams, packed);
        FusedHeadKernels.forward(device, m, encScratch, shScratch, packed, audio, expression, code, sigmaOut, 0, rgbOut,
                null, null, null);
    }

    /** Render forward (enqueued): networks without the uncertainty head, then compositing over the background. */
    public void renderForward() {
        if (path == Path.FUSED_FP16) {
            encodeAndPack();
            FusedHeadKernels.forward(device, samples, enc, shc, packed, audio, expression, code, sigma, 0, rgb, null,
                    null, null);
        } else {
            forwardNetworks(false);
        }
        CudaNn.volumeRenderForward(device, deviceRays(), VolumeRenderer.TRAINING_THRESHOLD, v(background), v(image),
                v(depth), v(weightsSum));
    }

    /** Sets the per-sample outputs to NaN, so a kernel that leaves one unwritten shows in a comparison. */
    public void poisonOutputs() {
        device.poison(sigma);
        device.poison(rgb);
        device.poison(unc);
    }

    /** Network parameter gradients [netParameterCount] (synchronises). */
    public float[] networkGradients() {
        return device.download(netGrads, (int) netParamCount);
    }

    public float[] gridGradients() {
        return device.download(gridGrads, (int) gridParamCount);
    }

    public float[] sigmaValues() {
        return device.download(sigma, (int) samples);
    }

    public float[] rgbValues() {
        return device.download(rgb, (int) (3 * samples));
    }

    public float[] uncertaintyValues() {
        return device.download(unc, (int) samples);
    }

    /** Mean per-ray MSE of the last training step (synchronises). */
    public double lastMeanLoss() {
        float[] l = device.download(loss, rays);
        double sum = 0;
        for (float x : l) {
            sum += x;
        }
        return sum / rays;
    }

    /** Non-finite values among the parameters (synchronises): a diverged or broken step shows here. */
    public long nonFiniteParameters() {
        long bad = 0;
        for (float x : device.download(gridParams, (int) gridParamCount)) {
            bad += Float.isFinite(x) ? 0 : 1;
        }
        for (float x : device.download(netParams, (int) netParamCount)) {
            bad += Float.isFinite(x) ? 0 : 1;
        }
        return bad;
    }

    /** Mean of the rendered image (synchronises); NaN when any pixel is not finite. */
    public double renderedImageMean() {
        float[] img = device.download(image, 3 * rays);
        double sum = 0;
        for (float x : img) {
            if (!Float.isFinite(x)) {
                return Double.NaN;
            }
            sum += x;
        }
        return sum / img.length;
    }

    @Override
    public void close() {
        owned.forEach(DeviceBuffer::close);
        owned.clear();
    }
}
