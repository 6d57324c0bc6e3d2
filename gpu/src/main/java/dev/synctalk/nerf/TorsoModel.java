package dev.synctalk.nerf;

import dev.synctalk.gpu.encoding.FrequencyEncoding;
import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.mlp.Mlp;
import dev.synctalk.gpu.mlp.MlpTrace;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SyncTalk's 2D torso model (the reference's forward_torso), per pixel coordinate x in [-1, 1]^2 of
 * one frame with head pose P and torso code c:
 * <pre>
 *   xs       = shrink * x                                        torso_shrink 0.8
 *   anchors  = project(anchor_points [3, 4], P)                 [6]   (see AnchorProjection)
 *   h        = [freq8(xs), freq3(anchors), c]                   [34 + 42 + codeDim]
 *   dx       = deform_net(h)                MLP(h, 32, 32, 2)   no bias, ReLU
 *   xd       = clamp(xs + dx, -1, 1)
 *   out      = torso_net([grid(xd), h])     MLP(., 32, 32, 4)   grid: 16 levels x 2 features
 *   alpha    = sigmoid(out_0) * 1.002 - 0.001;  rgb = sigmoid(out_1..3) * 1.002 - 0.001
 * </pre>
 * Pixel coordinates follow the reference's get_bg_coords: coordinate 0 is the row, 1 the column,
 * each mapped linearly so the first pixel is -1 and the last +1 ({@link #pixelCoordinates}).
 *
 * <p>Deviation: the reference's colour grid is torch-ngp's "tiledgrid" (dense indexing wrapped modulo
 * the table size); this model uses {@link HashGrid2D}'s hashed indexing at the same sizes, so trained
 * tables are not interchangeable with the reference's, while capacity and resolution are the same.
 *
 * <p>Trainable: the grid, both MLPs, the anchor points (including their w, which the trainer pulls
 * towards 1) and the per-frame torso codes (Gaussian, std 0.1). Every number goes through
 * {@link Backend} ops.
 */
public final class TorsoModel {
    /** The reference's initial anchor points (x, y, z, w). */
    static final float[] INITIAL_ANCHORS = {
        0.01f, 0.01f, 0.1f, 1f,
        -0.1f, -0.1f, 0.1f, 1f,
        0.1f, -0.1f, 0.1f, 1f};
    static final int OUTPUTS = 4;

    private final TorsoModelConfig config;
    private final FrequencyEncoding pixelEncoding;
    private final FrequencyEncoding anchorEncoding;
    private final HashGrid2D grid;
    private final Mlp deformNet;
    private final Mlp colorNet;
    private final Tensor embeddings;
    private final Tensor embeddingGrads;
    private final List<Tensor> deformParams;
    private final List<Tensor> deformGrads;
    private final List<Tensor> colorParams;
    private final List<Tensor> colorGrads;
    private final Tensor anchors;
    private final Tensor anchorGrads;
    private final Tensor individualCodes;
    private final Tensor individualCodeGrads;
    private final Tensor shrinkScale;

    /** Fresh parameters drawn from {@code seed}: grid, deformation net, colour net, then codes. */
    public TorsoModel(TorsoModelConfig config, long seed) {
        this.config = config;
        SplittableRandom rng = new SplittableRandom(seed);
        this.pixelEncoding = config.pixelEncoding();
        this.anchorEncoding = config.anchorEncoding();
        this.grid = config.grid();
        int h = config.deformInputDim();
        this.deformNet = Mlp.syncTalk(h, 2, config.deformHidden(), 3);
        this.colorNet = new Mlp(List.of(grid.outputDim() + h, config.colorHidden(), config.colorHidden(), OUTPUTS),
                false, new Activation.Relu(), new Activation.ScaledSigmoid());
        this.embeddings = grid.newEmbeddings(rng);
        this.embeddingGrads = Tensor.zeros(embeddings.shape());
        this.deformParams = deformNet.newParameters(rng);
        this.deformGrads = deformNet.newGradients();
        this.colorParams = colorNet.newParameters(rng);
        this.colorGrads = colorNet.newGradients();
        this.anchors = Tensor.wrap(INITIAL_ANCHORS.clone(), TorsoModelConfig.ANCHOR_COUNT, 4);
        this.anchorGrads = Tensor.zeros(anchors.shape());
        int codeRows = config.individualCodeDim() > 0 ? config.individualCodeCount() : 1;
        this.individualCodes = Tensor.zeros(codeRows, Math.max(1, config.individualCodeDim()));
        if (config.individualCodeDim() > 0) {
            float[] codes = individualCodes.data();
            for (int i = 0; i < codes.length; i++) {
                codes[i] = (float) (gaussian(rng) * 0.1);
            }
        }
        this.individualCodeGrads = Tensor.zeros(individualCodes.shape());
        this.shrinkScale = Tensor.wrap(new float[] {config.shrink(), config.shrink()}, 2);
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    public TorsoModelConfig config() {
        return config;
    }

    /** The anchor points [3, 4] (trained). */
    public Tensor anchors() {
        return anchors;
    }

    /** Gradient of the anchor points [3, 4], accumulated by {@link #backward} and the trainer's regulariser. */
    public Tensor anchorGradients() {
        return anchorGrads;
    }

    /**
     * AdamW groups: "torso.grid" (grid lr), "torso.networks" (both MLPs), "torso.anchors" and, with codes,
     * "torso.individual_codes" (network lr), as the reference's get_params for the torso.
     */
    public List<ParamGroup> paramGroups() {
        List<Tensor> nets = new ArrayList<>(deformParams);
        nets.addAll(colorParams);
        List<Tensor> netGrads = new ArrayList<>(deformGrads);
        netGrads.addAll(colorGrads);
        AdamWConfig gridConfig = AdamWConfig.syncTalk(config.gridLearningRate());
        AdamWConfig net = AdamWConfig.syncTalk(config.networkLearningRate());
        List<ParamGroup> groups = new ArrayList<>();
        groups.add(new ParamGroup("torso.grid", List.of(embeddings), List.of(embeddingGrads), gridConfig));
        groups.add(new ParamGroup("torso.networks", nets, netGrads, net));
        groups.add(new ParamGroup("torso.anchors", List.of(anchors), List.of(anchorGrads), net));
        if (config.individualCodeDim() > 0) {
            groups.add(new ParamGroup("torso.individual_codes", List.of(individualCodes), List.of(individualCodeGrads),
                    net));
        }
        return List.copyOf(groups);
    }

    /**
     * Normalised coordinates [R, 2] of {@code pixels} (index row * width + column) of a width x height
     * image: (row / (height - 1), column / (width - 1)) mapped to [-1, 1], the reference's get_bg_coords.
     */
    public static Tensor pixelCoordinates(int width, int height, int[] pixels) {
        if (width < 2 || height < 2) {
            throw new IllegalArgumentException("torso coordinates need an image of at least 2x2, got " + width + "x"
                    + height);
        }
        Tensor coords = Tensor.zeros(pixels.length, 2);
        float[] c = coords.data();
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            if (p < 0 || p >= width * height) {
                throw new IllegalArgumentException("pixel " + p + " (entry " + i + ") is outside the " + width + "x"
                        + height + " image");
            }
            c[2 * i] = (float) (p / width) / (height - 1) * 2f - 1f;
            c[2 * i + 1] = (float) (p % width) / (width - 1) * 2f - 1f;
        }
        return coords;
    }

    /** What {@link #forward} keeps for {@link #backward}; alpha [N] and rgb [N, 3] are the outputs. */
    public record Trace(Tensor coords, Tensor pose, int frameIndex, Tensor shrunk, Tensor projectedAnchors,
                        Tensor deformInput, MlpTrace deformNet, Tensor deformed, Tensor gridFeatures,
                        MlpTrace colorNet, Tensor alpha, Tensor rgb) {
        public int pixelCount() {
            return coords.dim(0);
        }
    }

    private void requireFrame(int frameIndex) {
        if (config.individualCodeDim() > 0 && (frameIndex < 0 || frameIndex >= config.individualCodeCount())) {
            throw new IllegalArgumentException("frame index " + frameIndex + " has no torso code (the model has "
                    + config.individualCodeCount() + ")");
        }
    }

    /** Torso alpha and colour at pixel coordinates [N, 2] in [-1, 1] of a frame with head pose [4, 4]. */
    public Trace forward(Backend backend, Tensor coords, Tensor pose, int frameIndex) {
        requireFrame(frameIndex);
        int n = coords.dim(0);
        Tensor.requireShape("torso pixel coordinates", coords, n, 2);
        Tensor.requireShape("head pose", pose, 4, 4);
        int px = pixelEncoding.outputDim();
        int an = anchorEncoding.outputDim();
        int code = config.individualCodeDim();
        int h = config.deformInputDim();

        Tensor shrunk = Tensor.zeros(n, 2);
        backend.scaleColumnsForward(coords, shrinkScale, shrunk);
        Tensor projected = Tensor.zeros(2 * TorsoModelConfig.ANCHOR_COUNT);
        backend.projectAnchorsForward(anchors, pose, projected);
        Tensor anchorFeatures = Tensor.zeros(1, an);
        backend.frequencyEncodingForward(anchorEncoding, Tensor.wrap(projected.data(), 1, projected.size()),
                anchorFeatures);
        Tensor deformIn = Tensor.zeros(n, h);
        Tensor pixelFeatures = Tensor.zeros(n, px);
        backend.frequencyEncodingForward(pixelEncoding, shrunk, pixelFeatures);
        backend.copyColumns(pixelFeatures, 0, deformIn, 0, px, false);
        backend.broadcastRow(anchorFeatures, 0, an, deformIn, px);
        if (code > 0) {
            backend.broadcastRow(individualCodes, frameIndex * code, code, deformIn, px + an);
        }
        MlpTrace deform = backend.mlpForward(deformNet, deformParams, deformIn);
        Tensor deformed = Tensor.zeros(n, 2);
        backend.offsetClampForward(shrunk, deform.output(), 1f, deformed);

        int g = grid.outputDim();
        Tensor gridFeatures = Tensor.zeros(n, g);
        backend.hashGridForward(grid, deformed, embeddings, gridFeatures);
        Tensor colorIn = Tensor.zeros(n, g + h);
        backend.copyColumns(gridFeatures, 0, colorIn, 0, g, false);
        backend.copyColumns(deformIn, 0, colorIn, g, h, false);
        MlpTrace color = backend.mlpForward(colorNet, colorParams, colorIn);
        Tensor alpha = Tensor.zeros(n, 1);
        backend.copyColumns(color.output(), 0, alpha, 0, 1, false);
        Tensor rgb = Tensor.zeros(n, 3);
        backend.copyColumns(color.output(), 1, rgb, 0, 3, false);
        return new Trace(coords, pose, frameIndex, shrunk, projected, deformIn, deform, deformed, gridFeatures, color,
                Tensor.wrap(alpha.data(), n), rgb);
    }

    /** Accumulates every parameter gradient from gradAlpha [N] and gradRgb [N, 3]. */
    public void backward(Backend backend, Trace trace, Tensor gradAlpha, Tensor gradRgb) {
        int n = trace.pixelCount();
        Tensor.requireShape("torso alpha gradient", gradAlpha, n);
        Tensor.requireShape("torso rgb gradient", gradRgb, n, 3);
        int px = pixelEncoding.outputDim();
        int an = anchorEncoding.outputDim();
        int code = config.individualCodeDim();
        int h = config.deformInputDim();
        int g = grid.outputDim();

        Tensor gradOut = Tensor.zeros(n, OUTPUTS);
        backend.copyColumns(Tensor.wrap(gradAlpha.data(), n, 1), 0, gradOut, 0, 1, false);
        backend.copyColumns(gradRgb, 0, gradOut, 1, 3, false);
        Tensor gradColorIn = Tensor.zeros(n, g + h);
        backend.mlpBackward(colorNet, colorParams, trace.colorNet(), gradOut, colorGrads, gradColorIn);

        Tensor gradGrid = Tensor.zeros(n, g);
        backend.copyColumns(gradColorIn, 0, gradGrid, 0, g, false);
        Tensor gradDeformed = Tensor.zeros(n, 2);
        backend.hashGridBackward(grid, trace.deformed(), embeddings, gradGrid, embeddingGrads, gradDeformed);
        Tensor gradOffset = Tensor.zeros(n, 2);
        backend.offsetClampBackward(trace.shrunk(), trace.deformNet().output(), 1f, gradDeformed, gradOffset);
        Tensor gradDeformIn = Tensor.zeros(n, h);
        backend.mlpBackward(deformNet, deformParams, trace.deformNet(), gradOffset, deformGrads, gradDeformIn);
        backend.copyColumns(gradColorIn, g, gradDeformIn, 0, h, true);

        if (code > 0) {
            backend.sumColumns(gradDeformIn, px + an, code, individualCodeGrads, trace.frameIndex() * code);
        }
        Tensor gradAnchorFeatures = Tensor.zeros(an);
        backend.sumColumns(gradDeformIn, px, an, gradAnchorFeatures, 0);
        int k2 = trace.projectedAnchors().size();
        Tensor gradProjected = Tensor.zeros(1, k2);
        backend.frequencyEncodingBackward(anchorEncoding, Tensor.wrap(trace.projectedAnchors().data(), 1, k2),
                Tensor.wrap(gradAnchorFeatures.data(), 1, an), gradProjected);
        backend.projectAnchorsBackward(anchors, trace.pose(), Tensor.wrap(gradProjected.data(), k2), anchorGrads);
    }

    /**
     * Renders the torso of a whole width x height frame over {@code background} [H*W, 3] into
     * {@code out} [H*W, 3] (and its alpha into {@code alphaOut} [H*W] when not null). Deterministic.
     */
    public void render(Backend backend, int width, int height, Tensor pose, int frameIndex, Tensor background,
                       Tensor out, Tensor alphaOut) {
        int pixels = width * height;
        Tensor.requireShape("torso background", background, pixels, 3);
        Tensor.requireShape("torso render target", out, pixels, 3);
        Tensor alpha = alphaOut != null ? alphaOut : Tensor.zeros(pixels);
        Tensor rgb = Tensor.zeros(pixels, 3);
        renderLayer(backend, width, height, pose, frameIndex, alpha, rgb);
        backend.alphaOverForward(alpha, rgb, background, out);
    }

    /**
     * The torso layer of a whole width x height frame: alpha [H*W] and colour [H*W, 3] (not composited), in
     * chunks of {@link Renderer#CHUNK_RAYS} pixels. Deterministic; every pixel is independent of the others.
     */
    public void renderLayer(Backend backend, int width, int height, Tensor pose, int frameIndex, Tensor alphaOut,
                            Tensor rgbOut) {
        int pixels = width * height;
        Tensor.requireShape("torso alpha target", alphaOut, pixels);
        Tensor.requireShape("torso colour target", rgbOut, pixels, 3);
        for (int start = 0; start < pixels; start += Renderer.CHUNK_RAYS) {
            int count = Math.min(Renderer.CHUNK_RAYS, pixels - start);
            int[] ids = new int[count];
            for (int i = 0; i < count; i++) {
                ids[i] = start + i;
            }
            Trace trace = forward(backend, pixelCoordinates(width, height, ids), pose, frameIndex);
            System.arraycopy(trace.alpha().data(), 0, alphaOut.data(), start, count);
            System.arraycopy(trace.rgb().data(), 0, rgbOut.data(), start * 3, count * 3);
        }
    }
}
