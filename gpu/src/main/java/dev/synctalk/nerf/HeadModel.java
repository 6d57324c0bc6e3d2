package dev.synctalk.nerf;

import dev.synctalk.gpu.encoding.SphericalHarmonics;
import dev.synctalk.gpu.encoding.TriPlaneEncoder;
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
 * The head NeRF F^H(x, d, f_a, f_e) of SyncTalk's Eq. 12 (nerf_triplane/network.py), per sample:
 * <pre>
 *   enc     = triplane(x)                                     [E = 3 L]
 *   audAtt  = aud_ch_att_net(enc)          MLP(E, hidden, A)   region attention of the audio code (Eq. 4)
 *   eyeAtt  = eye_att_net(enc)             MLP(E, hidden, X)   attention of the expression coefficients
 *   h       = sigma_net([enc, a * audAtt, e * eyeAtt])          MLP(E + A + X, 64, 64, 1 + G)
 *   sigma   = trunc_exp(h_0);  geo = h_1..G
 *   rgb     = sigmoid(color_net([SH(d), geo, code_frame])) * 1.002 - 0.001
 *   unc     = softplus(unc_net(enc))   (enc detached, as the reference's predict_uncertainty)
 *   ambient = (|audAtt|, |eyeAtt|, unc)                          volume-rendered per ray for the losses
 * </pre>
 * The audio code a [A] and expression e [X] are one frame's (a training step renders rays of one
 * frame, as the reference), broadcast over the samples. Every number is computed by {@link Backend}
 * ops, so another backend runs the same model.
 */
public final class HeadModel {
    private final HeadModelConfig config;
    private final TriPlaneEncoder encoder;
    private final Mlp audioAttention;
    private final Mlp eyeAttention;
    private final Mlp sigmaNet;
    private final Mlp colorNet;
    private final Mlp uncertaintyNet;
    private final List<Tensor> planes;
    private final List<Tensor> planeGrads;
    private final List<Tensor> audioAttentionParams;
    private final List<Tensor> eyeAttentionParams;
    private final List<Tensor> sigmaParams;
    private final List<Tensor> colorParams;
    private final List<Tensor> uncertaintyParams;
    private final List<Tensor> audioAttentionGrads;
    private final List<Tensor> eyeAttentionGrads;
    private final List<Tensor> sigmaGrads;
    private final List<Tensor> colorGrads;
    private final List<Tensor> uncertaintyGrads;
    private final Tensor individualCodes;
    private final Tensor individualCodeGrads;

    /** Fresh parameters drawn from {@code seed}: planes, then the networks in declaration order, then codes. */
    public HeadModel(HeadModelConfig config, long seed) {
        this.config = config;
        SplittableRandom rng = new SplittableRandom(seed);
        this.encoder = config.encoder();
        int e = encoder.outputDim();
        this.audioAttention = Mlp.syncTalk(e, config.audioDim(), config.attentionHidden(), 2);
        this.eyeAttention = Mlp.syncTalk(e, config.expressionDim(), config.attentionHidden(), 2);
        this.sigmaNet = Mlp.syncTalk(e + config.audioDim() + config.expressionDim(), 1 + config.geoFeatureDim(),
                config.sigmaHidden(), 3);
        this.colorNet = new Mlp(List.of(SphericalHarmonics.OUTPUT_DIM + config.geoFeatureDim() + config.individualCodeDim(),
                config.colorHidden(), 3), false, new Activation.Relu(), new Activation.ScaledSigmoid());
        this.uncertaintyNet = new Mlp(List.of(e, config.uncertaintyHidden(), 1), false, new Activation.Relu(),
                new Activation.Softplus());
        this.planes = encoder.newEmbeddings(rng);
        this.planeGrads = zerosLike(planes);
        this.audioAttentionParams = audioAttention.newParameters(rng);
        this.eyeAttentionParams = eyeAttention.newParameters(rng);
        this.sigmaParams = sigmaNet.newParameters(rng);
        this.colorParams = colorNet.newParameters(rng);
        this.uncertaintyParams = uncertaintyNet.newParameters(rng);
        this.audioAttentionGrads = audioAttention.newGradients();
        this.eyeAttentionGrads = eyeAttention.newGradients();
        this.sigmaGrads = sigmaNet.newGradients();
        this.colorGrads = colorNet.newGradients();
        this.uncertaintyGrads = uncertaintyNet.newGradients();
        // torch.nn.Parameter(torch.randn(ind_num, ind_dim) * 0.1): Gaussian with std 0.1
        this.individualCodes = Tensor.zeros(config.individualCodeCount(), config.individualCodeDim());
        float[] codes = individualCodes.data();
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (float) (gaussian(rng) * 0.1);
        }
        this.individualCodeGrads = Tensor.zeros(individualCodes.shape());
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static List<Tensor> zerosLike(List<Tensor> tensors) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : tensors) {
            out.add(Tensor.zeros(t.shape()));
        }
        return List.copyOf(out);
    }

    public HeadModelConfig config() {
        return config;
    }

    public TriPlaneEncoder encoder() {
        return encoder;
    }

    /**
     * AdamW groups: "head.grid" (the three planes, grid lr), "head.networks" (all MLPs, network lr) and
     * "head.individual_codes" (network lr), betas (0, 0.99), eps 1e-8, no weight decay.
     */
    public List<ParamGroup> paramGroups() {
        List<Tensor> nets = new ArrayList<>();
        List<Tensor> netGrads = new ArrayList<>();
        for (List<Tensor> p : List.of(audioAttentionParams, eyeAttentionParams, sigmaParams, colorParams, uncertaintyParams)) {
            nets.addAll(p);
        }
        for (List<Tensor> g : List.of(audioAttentionGrads, eyeAttentionGrads, sigmaGrads, colorGrads, uncertaintyGrads)) {
            netGrads.addAll(g);
        }
        AdamWConfig grid = AdamWConfig.syncTalk(config.gridLearningRate());
        AdamWConfig net = AdamWConfig.syncTalk(config.networkLearningRate());
        return List.of(new ParamGroup("head.grid", planes, planeGrads, grid),
                new ParamGroup("head.networks", nets, netGrads, net),
                new ParamGroup("head.individual_codes", List.of(individualCodes), List.of(individualCodeGrads), net));
    }

    /** What {@link #forward} keeps for {@link #backward}; sigma [M], rgb [M, 3] and ambient [M, 3] are the outputs. */
    public record Trace(Tensor points, Tensor audioCode, Tensor expression, int frameIndex, Tensor encoded,
                        MlpTrace audioAttention, MlpTrace eyeAttention, MlpTrace sigmaNet, Tensor logDensity,
                        Tensor sigma, MlpTrace colorNet, MlpTrace uncertaintyNet, Tensor audioNorm, Tensor eyeNorm,
                        Tensor rgb, Tensor ambient) {
        public int sampleCount() {
            return points.dim(0);
        }
    }

    private void requireConditioning(Tensor audioCode, Tensor expression, int frameIndex) {
        Tensor.requireShape("audio code", audioCode, config.audioDim());
        Tensor.requireShape("expression coefficients", expression, config.expressionDim());
        if (frameIndex < 0 || frameIndex >= config.individualCodeCount()) {
            throw new IllegalArgumentException("frame index " + frameIndex + " has no individual code (the model has "
                    + config.individualCodeCount() + ")");
        }
    }

    /** Density path only: sigma [M] at points [M, 3] (for the occupancy grid). */
    public Tensor density(Backend backend, Tensor points, Tensor audioCode, Tensor expression) {
        Tensor.requireShape("audio code", audioCode, config.audioDim());
        Tensor.requireShape("expression coefficients", expression, config.expressionDim());
        int m = points.dim(0);
        Tensor enc = Tensor.zeros(m, encoder.outputDim());
        backend.triPlaneForward(encoder, points, planes, enc);
        MlpTrace aud = backend.mlpForward(audioAttention, audioAttentionParams, enc);
        MlpTrace eye = backend.mlpForward(eyeAttention, eyeAttentionParams, enc);
        MlpTrace sig = backend.mlpForward(sigmaNet, sigmaParams, sigmaInput(backend, enc, aud.output(), eye.output(),
                audioCode, expression));
        Tensor logDensity = Tensor.zeros(m, 1);
        backend.copyColumns(sig.output(), 0, logDensity, 0, 1, false);
        Tensor sigma = Tensor.zeros(m, 1);
        backend.activationForward(new Activation.TruncExp(), logDensity, sigma);
        return Tensor.wrap(sigma.data(), m);
    }

    private Tensor sigmaInput(Backend backend, Tensor enc, Tensor audAtt, Tensor eyeAtt, Tensor audioCode,
                              Tensor expression) {
        int m = enc.dim(0);
        int e = encoder.outputDim();
        int a = config.audioDim();
        int x = config.expressionDim();
        Tensor weightedAudio = Tensor.zeros(m, a);
        backend.scaleColumnsForward(audAtt, audioCode, weightedAudio);
        Tensor weightedExpression = Tensor.zeros(m, x);
        backend.scaleColumnsForward(eyeAtt, expression, weightedExpression);
        Tensor in = Tensor.zeros(m, e + a + x);
        backend.copyColumns(enc, 0, in, 0, e, false);
        backend.copyColumns(weightedAudio, 0, in, e, a, false);
        backend.copyColumns(weightedExpression, 0, in, e + a, x, false);
        return in;
    }

    /** Full forward for samples at points [M, 3] seen along unit directions [M, 3], one frame's conditioning. */
    public Trace forward(Backend backend, Tensor points, Tensor directions, Tensor audioCode, Tensor expression,
                         int frameIndex) {
        requireConditioning(audioCode, expression, frameIndex);
        int m = points.dim(0);
        Tensor.requireShape("sample directions", directions, m, 3);
        int g = config.geoFeatureDim();
        int sh = SphericalHarmonics.OUTPUT_DIM;
        Tensor enc = Tensor.zeros(m, encoder.outputDim());
        backend.triPlaneForward(encoder, points, planes, enc);
        MlpTrace aud = backend.mlpForward(audioAttention, audioAttentionParams, enc);
        MlpTrace eye = backend.mlpForward(eyeAttention, eyeAttentionParams, enc);
        MlpTrace sig = backend.mlpForward(sigmaNet, sigmaParams, sigmaInput(backend, enc, aud.output(), eye.output(),
                audioCode, expression));
        Tensor logDensity = Tensor.zeros(m, 1);
        backend.copyColumns(sig.output(), 0, logDensity, 0, 1, false);
        Tensor sigma = Tensor.zeros(m, 1);
        backend.activationForward(new Activation.TruncExp(), logDensity, sigma);

        Tensor shDirections = Tensor.zeros(m, sh);
        backend.sphericalHarmonicsForward(directions, shDirections);
        Tensor colorIn = Tensor.zeros(m, sh + g + config.individualCodeDim());
        backend.copyColumns(shDirections, 0, colorIn, 0, sh, false);
        backend.copyColumns(sig.output(), 1, colorIn, sh, g, false);
        backend.broadcastRow(individualCodes, frameIndex * config.individualCodeDim(), config.individualCodeDim(),
                colorIn, sh + g);
        MlpTrace color = backend.mlpForward(colorNet, colorParams, colorIn);

        MlpTrace unc = backend.mlpForward(uncertaintyNet, uncertaintyParams, enc);
        Tensor audioNorm = Tensor.zeros(m);
        backend.rowNormForward(aud.output(), audioNorm);
        Tensor eyeNorm = Tensor.zeros(m);
        backend.rowNormForward(eye.output(), eyeNorm);
        Tensor ambient = Tensor.zeros(m, 3);
        backend.copyColumns(Tensor.wrap(audioNorm.data(), m, 1), 0, ambient, 0, 1, false);
        backend.copyColumns(Tensor.wrap(eyeNorm.data(), m, 1), 0, ambient, 1, 1, false);
        backend.copyColumns(unc.output(), 0, ambient, 2, 1, false);
        return new Trace(points, audioCode, expression, frameIndex, enc, aud, eye, sig, logDensity,
                Tensor.wrap(sigma.data(), m), color, unc, audioNorm, eyeNorm, color.output(), ambient);
    }

    /**
     * Accumulates parameter gradients from gradSigma [M], gradRgb [M, 3] and gradAmbient [M, 3]. Input
     * gradients are optional (null skips): gradAudioCode [A] and gradExpression [X] are accumulated,
     * gradPoints [M, 3] is overwritten.
     */
    public void backward(Backend backend, Trace trace, Tensor gradSigma, Tensor gradRgb, Tensor gradAmbient,
                         Tensor gradAudioCode, Tensor gradExpression, Tensor gradPoints) {
        int m = trace.sampleCount();
        int e = encoder.outputDim();
        int a = config.audioDim();
        int x = config.expressionDim();
        int g = config.geoFeatureDim();
        int sh = SphericalHarmonics.OUTPUT_DIM;
        int c = config.individualCodeDim();
        Tensor.requireShape("sigma gradient", gradSigma, m);
        Tensor.requireShape("rgb gradient", gradRgb, m, 3);
        Tensor.requireShape("ambient gradient", gradAmbient, m, 3);

        Tensor gradColorIn = Tensor.zeros(m, sh + g + c);
        backend.mlpBackward(colorNet, colorParams, trace.colorNet(), gradRgb, colorGrads, gradColorIn);
        backend.sumColumns(gradColorIn, sh + g, c, individualCodeGrads, trace.frameIndex() * c);

        Tensor gradH = Tensor.zeros(m, 1 + g);
        backend.copyColumns(gradColorIn, sh, gradH, 1, g, false);
        Tensor gradLogDensity = Tensor.zeros(m, 1);
        backend.activationBackward(new Activation.TruncExp(), trace.logDensity(), Tensor.wrap(trace.sigma().data(), m, 1),
                Tensor.wrap(gradSigma.data(), m, 1), gradLogDensity);
        backend.copyColumns(gradLogDensity, 0, gradH, 0, 1, false);

        Tensor gradSigmaIn = Tensor.zeros(m, e + a + x);
        backend.mlpBackward(sigmaNet, sigmaParams, trace.sigmaNet(), gradH, sigmaGrads, gradSigmaIn);
        Tensor gradEnc = Tensor.zeros(m, e);
        backend.copyColumns(gradSigmaIn, 0, gradEnc, 0, e, false);

        Tensor gradWeightedAudio = Tensor.zeros(m, a);
        backend.copyColumns(gradSigmaIn, e, gradWeightedAudio, 0, a, false);
        Tensor gradAudAtt = Tensor.zeros(m, a);
        backend.scaleColumnsBackward(trace.audioAttention().output(), trace.audioCode(), gradWeightedAudio, gradAudAtt,
                gradAudioCode);
        Tensor gradWeightedExpression = Tensor.zeros(m, x);
        backend.copyColumns(gradSigmaIn, e + a, gradWeightedExpression, 0, x, false);
        Tensor gradEyeAtt = Tensor.zeros(m, x);
        backend.scaleColumnsBackward(trace.eyeAttention().output(), trace.expression(), gradWeightedExpression,
                gradEyeAtt, gradExpression);

        Tensor gradAudioNorm = Tensor.zeros(m, 1);
        backend.copyColumns(gradAmbient, 0, gradAudioNorm, 0, 1, false);
        Tensor fromNorm = Tensor.zeros(m, a);
        backend.rowNormBackward(trace.audioAttention().output(), trace.audioNorm(), Tensor.wrap(gradAudioNorm.data(), m),
                fromNorm);
        backend.addScaled(fromNorm, 1f, gradAudAtt);
        Tensor gradEyeNorm = Tensor.zeros(m, 1);
        backend.copyColumns(gradAmbient, 1, gradEyeNorm, 0, 1, false);
        Tensor fromEyeNorm = Tensor.zeros(m, x);
        backend.rowNormBackward(trace.eyeAttention().output(), trace.eyeNorm(), Tensor.wrap(gradEyeNorm.data(), m),
                fromEyeNorm);
        backend.addScaled(fromEyeNorm, 1f, gradEyeAtt);

        Tensor gradEncFromAttention = Tensor.zeros(m, e);
        backend.mlpBackward(audioAttention, audioAttentionParams, trace.audioAttention(), gradAudAtt,
                audioAttentionGrads, gradEncFromAttention);
        backend.addScaled(gradEncFromAttention, 1f, gradEnc);
        backend.mlpBackward(eyeAttention, eyeAttentionParams, trace.eyeAttention(), gradEyeAtt, eyeAttentionGrads,
                gradEncFromAttention);
        backend.addScaled(gradEncFromAttention, 1f, gradEnc);

        // the uncertainty net reads a detached encoding: its gradient stops at its own weights
        Tensor gradUncertainty = Tensor.zeros(m, 1);
        backend.copyColumns(gradAmbient, 2, gradUncertainty, 0, 1, false);
        backend.mlpBackward(uncertaintyNet, uncertaintyParams, trace.uncertaintyNet(), gradUncertainty, uncertaintyGrads,
                null);

        backend.triPlaneBackward(encoder, trace.points(), planes, gradEnc, planeGrads, gradPoints);
    }
}
