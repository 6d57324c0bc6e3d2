package dev.synctalk.gpu.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.encoding.TriPlaneEncoder;
import dev.synctalk.gpu.loss.RayMseLoss;
import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.mlp.Dense;
import dev.synctalk.gpu.mlp.Mlp;
import dev.synctalk.gpu.mlp.MlpTrace;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.render.RaySamples;
import dev.synctalk.gpu.render.RenderOutput;
import dev.synctalk.gpu.render.VolumeRenderer;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;

/**
 * The network kernels through {@link CudaBackend} against {@link CpuBackend} on fresh seeded random inputs.
 * Outputs are NaN-poisoned on the device before each kernel; parameter gradients start from random values
 * so that accumulation (+=) is checked too. Bounds, by how the kernel sums:
 * <ul>
 *   <li>{@value #EXACT_MAX_REL}: max elementwise relative error, for kernels in the CPU's order with exactly
 *       rounded intrinsics (hash-grid forward and point gradient, SH, MSE, AdamW).</li>
 *   <li>{@value #TRANSCENDENTAL_MAX_REL}: max elementwise relative error where a double exp/log1p on the device
 *       may round differently from Java's before the cast to float (activations).</li>
 *   <li>{@value #REORDERED_NORM_REL}: norm-wise relative error where the GPU sums in another order: atomics
 *       (hash-grid embedding gradient, dense weight gradient), fused multiply-adds (dense layers), and the
 *       volume renderer's running differences (finals - partial sums) that amplify the exp's last-bit
 *       differences for samples whose gradient is a near-cancellation.</li>
 * </ul>
 * Any non-finite result where the CPU's is finite fails.
 */
public final class BackendParityChecks {

    public static final double EXACT_MAX_REL = 1e-6;
    public static final double TRANSCENDENTAL_MAX_REL = 1e-5;
    public static final double REORDERED_NORM_REL = 1e-5;

    private final CudaDevice device;
    private final long seed;

    public BackendParityChecks(CudaDevice device, long seed) {
        this.device = device;
        this.seed = seed;
    }

    public List<CheckResult> runAll() {
        List<CheckResult> results = new ArrayList<>();
        try (CudaBackend gpu = new CudaBackend(device, false); CpuBackend cpu = CpuBackend.withAvailableProcessors()) {
            results.add(guard("tri-plane hash encoding fwd + bwd (3 x 12 levels, log2T 14), n=100003",
                    () -> triPlane(gpu, cpu, 100_003)));
            results.add(guard("hash grid 2D fwd + bwd (8 levels x 2 features, log2T 12), n=50001",
                    () -> hashGrid(gpu, cpu, 50_001)));
            results.add(guard("spherical harmonics degree 4 fwd + bwd, n=100003", () -> sphericalHarmonics(gpu, cpu, 100_003)));
            results.add(guard("dense 75->64, 64->65, 84->3, 36->32 (bias) fwd + bwd, n=20001", () -> dense(gpu, cpu, 20_001)));
            results.add(guard("sigma MLP 75-64-64-65 through mlpForward/mlpBackward, n=8191", () -> mlp(gpu, cpu, 8191)));
            results.add(guard("activations (ReLU, leaky, sigmoid, softplus, trunc_exp) fwd + bwd, n=100003",
                    () -> activations(gpu, cpu, 100_003)));
            results.add(guard("volume render fwd + bwd (0..24 samples per ray, background, depth/opacity grads), R=20000",
                    () -> volumeRender(gpu, cpu, 20_000)));
            results.add(guard("per-ray MSE fwd + bwd, R=100003", () -> mse(gpu, cpu, 100_003)));
            results.add(guard("AdamW through the backend (SyncTalk betas), n=100003", () -> adamW(gpu, cpu, 100_003)));
        }
        return results;
    }

    private static CheckResult guard(String name, Supplier<CheckResult> check) {
        try {
            CheckResult r = check.get();
            return new CheckResult(name, r.passed(), r.detail());
        } catch (RuntimeException | LinkageError e) {
            return new CheckResult(name, false, "threw " + e);
        }
    }

    private SplittableRandom rng(int index) {
        return new SplittableRandom(seed * 7_000_003L + index);
    }

    /** Collects named comparisons, each with its own criterion; passes when all do. */
    private static final class Verdict {
        private final StringBuilder detail = new StringBuilder();
        private boolean passed = true;

        void maxRel(String what, Tensor expected, Tensor actual, double bound) {
            ErrorStats s = ErrorStats.compare(expected.data(), actual.data());
            boolean ok = s.within(bound);
            add(what, s, ok, String.format(Locale.ROOT, "maxRel<=%.0e", bound));
        }

        void normRel(String what, Tensor expected, Tensor actual, double bound) {
            ErrorStats s = ErrorStats.compare(expected.data(), actual.data());
            boolean ok = s.nonFinite() == 0 && s.normRelError() <= bound;
            add(what, s, ok, String.format(Locale.ROOT, "normRel<=%.0e", bound));
        }

        private void add(String what, ErrorStats s, boolean ok, String criterion) {
            passed &= ok;
            detail.append(String.format(Locale.ROOT, "%n    %s %s: %s [%s]", ok ? "ok  " : "FAIL", what, s, criterion));
        }

        CheckResult result() {
            return new CheckResult("", passed, detail.toString());
        }
    }

    private CheckResult triPlane(CudaBackend gpu, CpuBackend cpu, int n) {
        SplittableRandom rng = rng(1);
        TriPlaneEncoder encoder = TriPlaneEncoder.syncTalk(1f);
        // embeddings larger than the 1e-4 init so the gradients and coordinates see real variation
        List<Tensor> planes = List.of(uniformLike(rng, encoder.grid()), uniformLike(rng, encoder.grid()),
                uniformLike(rng, encoder.grid()));
        Tensor points = Tensor.uniform(rng, -1.05f, 1.05f, n, 3); // a few outside the bound: encode to 0
        Tensor gradOut = Tensor.uniform(rng, -1, 1, n, encoder.outputDim());
        List<Tensor> gradCpu = List.of(uniformLike(rng, encoder.grid()), uniformLike(rng, encoder.grid()),
                uniformLike(rng, encoder.grid()));
        List<Tensor> gradGpu = gradCpu.stream().map(Tensor::copy).toList();
        Tensor outCpu = Tensor.zeros(n, encoder.outputDim());
        Tensor outGpu = Tensor.zeros(n, encoder.outputDim());
        Tensor gpCpu = Tensor.zeros(n, 3);
        Tensor gpGpu = Tensor.zeros(n, 3);
        cpu.triPlaneForward(encoder, points, planes, outCpu);
        gpu.triPlaneForward(encoder, points, planes, outGpu);
        cpu.triPlaneBackward(encoder, points, planes, gradOut, gradCpu, gpCpu);
        gpu.triPlaneBackward(encoder, points, planes, gradOut, gradGpu, gpGpu);
        Verdict v = new Verdict();
        v.maxRel("forward", outCpu, outGpu, EXACT_MAX_REL);
        v.maxRel("point gradient", gpCpu, gpGpu, EXACT_MAX_REL);
        for (int p = 0; p < 3; p++) {
            v.normRel("embedding gradient plane " + p + " (atomics)", gradCpu.get(p), gradGpu.get(p), REORDERED_NORM_REL);
        }
        return v.result();
    }

    private static Tensor uniformLike(SplittableRandom rng, HashGrid2D grid) {
        return Tensor.uniform(rng, -1, 1, grid.parameterRows(), grid.featuresPerLevel());
    }

    private CheckResult hashGrid(CudaBackend gpu, CpuBackend cpu, int n) {
        SplittableRandom rng = rng(2);
        HashGrid2D grid = new HashGrid2D(8, 2, 16, 12, 2048, 2f);
        Tensor emb = uniformLike(rng, grid);
        Tensor coords = Tensor.uniform(rng, -2.1f, 2.1f, n, 2);
        Tensor gradOut = Tensor.uniform(rng, -1, 1, n, grid.outputDim());
        Tensor geCpu = uniformLike(rng, grid);
        Tensor geGpu = geCpu.copy();
        Tensor outCpu = Tensor.zeros(n, grid.outputDim());
        Tensor outGpu = Tensor.zeros(n, grid.outputDim());
        Tensor gcCpu = Tensor.zeros(n, 2);
        Tensor gcGpu = Tensor.zeros(n, 2);
        cpu.hashGridForward(grid, coords, emb, outCpu);
        gpu.hashGridForward(grid, coords, emb, outGpu);
        cpu.hashGridBackward(grid, coords, emb, gradOut, geCpu, gcCpu);
        gpu.hashGridBackward(grid, coords, emb, gradOut, geGpu, gcGpu);
        Verdict v = new Verdict();
        v.maxRel("forward", outCpu, outGpu, EXACT_MAX_REL);
        v.maxRel("coordinate gradient", gcCpu, gcGpu, EXACT_MAX_REL);
        v.normRel("embedding gradient (atomics)", geCpu, geGpu, REORDERED_NORM_REL);
        return v.result();
    }

    private CheckResult sphericalHarmonics(CudaBackend gpu, CpuBackend cpu, int n) {
        SplittableRandom rng = rng(3);
        Tensor dirs = Tensor.uniform(rng, -1, 1, n, 3);
        Tensor gradOut = Tensor.uniform(rng, -1, 1, n, 16);
        Tensor outCpu = Tensor.zeros(n, 16);
        Tensor outGpu = Tensor.zeros(n, 16);
        Tensor gdCpu = Tensor.zeros(n, 3);
        Tensor gdGpu = Tensor.zeros(n, 3);
        cpu.sphericalHarmonicsForward(dirs, outCpu);
        gpu.sphericalHarmonicsForward(dirs, outGpu);
        cpu.sphericalHarmonicsBackward(dirs, gradOut, gdCpu);
        gpu.sphericalHarmonicsBackward(dirs, gradOut, gdGpu);
        Verdict v = new Verdict();
        v.maxRel("forward", outCpu, outGpu, EXACT_MAX_REL);
        v.maxRel("direction gradient", gdCpu, gdGpu, EXACT_MAX_REL);
        return v.result();
    }

    private CheckResult dense(CudaBackend gpu, CpuBackend cpu, int n) {
        SplittableRandom rng = rng(4);
        Verdict v = new Verdict();
        for (Dense layer : List.of(new Dense(75, 64, false), new Dense(64, 65, false), new Dense(84, 3, false),
                new Dense(36, 32, true))) {
            String name = layer.inFeatures() + "->" + layer.outFeatures() + " ";
            Tensor x = Tensor.uniform(rng, -1, 1, n, layer.inFeatures());
            Tensor w = layer.newWeight(rng);
            Tensor b = layer.bias() ? layer.newBias(rng) : null;
            Tensor gy = Tensor.uniform(rng, -1, 1, n, layer.outFeatures());
            Tensor yCpu = Tensor.zeros(n, layer.outFeatures());
            Tensor yGpu = Tensor.zeros(n, layer.outFeatures());
            cpu.denseForward(layer, x, w, b, yCpu);
            gpu.denseForward(layer, x, w, b, yGpu);
            Tensor gxCpu = Tensor.zeros(n, layer.inFeatures());
            Tensor gxGpu = Tensor.zeros(n, layer.inFeatures());
            Tensor gwCpu = Tensor.uniform(rng, -1, 1, layer.outFeatures(), layer.inFeatures());
            Tensor gwGpu = gwCpu.copy();
            Tensor gbCpu = layer.bias() ? Tensor.uniform(rng, -1, 1, layer.outFeatures()) : null;
            Tensor gbGpu = layer.bias() ? gbCpu.copy() : null;
            cpu.denseBackward(layer, x, w, gy, gxCpu, gwCpu, gbCpu);
            gpu.denseBackward(layer, x, w, gy, gxGpu, gwGpu, gbGpu);
            v.normRel(name + "forward", yCpu, yGpu, REORDERED_NORM_REL);
            v.normRel(name + "input gradient", gxCpu, gxGpu, REORDERED_NORM_REL);
            v.normRel(name + "weight gradient", gwCpu, gwGpu, REORDERED_NORM_REL);
            if (layer.bias()) {
                v.normRel(name + "bias gradient", gbCpu, gbGpu, REORDERED_NORM_REL);
            }
        }
        return v.result();
    }

    private CheckResult mlp(CudaBackend gpu, CpuBackend cpu, int n) {
        SplittableRandom rng = rng(5);
        Mlp mlp = Mlp.syncTalk(75, 65, 64, 3);
        List<Tensor> params = mlp.newParameters(rng);
        Tensor x = Tensor.uniform(rng, -1, 1, n, 75);
        Tensor gradOut = Tensor.uniform(rng, -1, 1, n, 65);
        MlpTrace tCpu = cpu.mlpForward(mlp, params, x);
        MlpTrace tGpu = gpu.mlpForward(mlp, params, x);
        List<Tensor> gCpu = mlp.newGradients();
        List<Tensor> gGpu = mlp.newGradients();
        Tensor gxCpu = Tensor.zeros(n, 75);
        Tensor gxGpu = Tensor.zeros(n, 75);
        cpu.mlpBackward(mlp, params, tCpu, gradOut, gCpu, gxCpu);
        gpu.mlpBackward(mlp, params, tGpu, gradOut, gGpu, gxGpu);
        Verdict v = new Verdict();
        v.normRel("output", tCpu.activations().get(2), tGpu.activations().get(2), REORDERED_NORM_REL);
        v.normRel("input gradient", gxCpu, gxGpu, REORDERED_NORM_REL);
        for (int l = 0; l < 3; l++) {
            v.normRel("layer " + l + " weight gradient", gCpu.get(l), gGpu.get(l), REORDERED_NORM_REL);
        }
        return v.result();
    }

    private CheckResult activations(CudaBackend gpu, CpuBackend cpu, int n) {
        SplittableRandom rng = rng(6);
        Verdict v = new Verdict();
        for (Activation a : List.of(new Activation.Relu(), new Activation.LeakyRelu(0.02f), new Activation.Sigmoid(),
                new Activation.Softplus(), new Activation.TruncExp())) {
            Tensor x = Tensor.uniform(rng, -25, 25, n);
            Tensor gy = Tensor.uniform(rng, -1, 1, n);
            Tensor yCpu = Tensor.zeros(n);
            Tensor yGpu = Tensor.zeros(n);
            cpu.activationForward(a, x, yCpu);
            gpu.activationForward(a, x, yGpu);
            Tensor gxCpu = Tensor.zeros(n);
            Tensor gxGpu = Tensor.zeros(n);
            cpu.activationBackward(a, x, yCpu, gy, gxCpu);
            gpu.activationBackward(a, x, yCpu, gy, gxGpu);
            String name = a.getClass().getSimpleName() + " ";
            v.maxRel(name + "forward", yCpu, yGpu, TRANSCENDENTAL_MAX_REL);
            v.maxRel(name + "backward", gxCpu, gxGpu, TRANSCENDENTAL_MAX_REL);
        }
        return v.result();
    }

    private CheckResult volumeRender(CudaBackend gpu, CpuBackend cpu, int rays) {
        SplittableRandom rng = rng(7);
        int[] ranges = new int[2 * rays];
        int m = 0;
        for (int r = 0; r < rays; r++) {
            int count = rng.nextInt(25);
            ranges[2 * r] = m;
            ranges[2 * r + 1] = count;
            m += count;
        }
        // densities up to 40 with dt ~ 1/16: many rays terminate early, others stay translucent
        RaySamples samples = new RaySamples(ranges, Tensor.uniform(rng, 0, 40, m), Tensor.uniform(rng, 0, 1, m, 3),
                Tensor.uniform(rng, 0.01f, 0.1f, m), Tensor.uniform(rng, 0.5f, 2f, m));
        Tensor background = Tensor.uniform(rng, 0, 1, rays, 3);
        RenderOutput outCpu = RenderOutput.zeros(rays);
        RenderOutput outGpu = RenderOutput.zeros(rays);
        VolumeRenderer renderer = VolumeRenderer.training();
        cpu.volumeRenderForward(renderer, samples, background, outCpu);
        gpu.volumeRenderForward(renderer, samples, background, outGpu);
        Tensor gImage = Tensor.uniform(rng, -1, 1, rays, 3);
        Tensor gDepth = Tensor.uniform(rng, -1, 1, rays);
        Tensor gWeights = Tensor.uniform(rng, -1, 1, rays);
        Tensor gsCpu = Tensor.zeros(m);
        Tensor gsGpu = Tensor.zeros(m);
        Tensor gcCpu = Tensor.zeros(m, 3);
        Tensor gcGpu = Tensor.zeros(m, 3);
        cpu.volumeRenderBackward(renderer, samples, background, gImage, gDepth, gWeights, gsCpu, gcCpu);
        gpu.volumeRenderBackward(renderer, samples, background, gImage, gDepth, gWeights, gsGpu, gcGpu);
        Verdict v = new Verdict();
        v.normRel("image", outCpu.image(), outGpu.image(), REORDERED_NORM_REL);
        v.normRel("depth", outCpu.depth(), outGpu.depth(), REORDERED_NORM_REL);
        v.normRel("weights sum", outCpu.weightsSum(), outGpu.weightsSum(), REORDERED_NORM_REL);
        v.normRel("sigma gradient", gsCpu, gsGpu, REORDERED_NORM_REL);
        v.normRel("rgb gradient", gcCpu, gcGpu, REORDERED_NORM_REL);
        return v.result();
    }

    private CheckResult mse(CudaBackend gpu, CpuBackend cpu, int rays) {
        SplittableRandom rng = rng(8);
        RayMseLoss loss = new RayMseLoss(3);
        Tensor p = Tensor.uniform(rng, 0, 1, rays, 3);
        Tensor g = Tensor.uniform(rng, 0, 1, rays, 3);
        Tensor gl = Tensor.uniform(rng, -1, 1, rays);
        Tensor lCpu = Tensor.zeros(rays);
        Tensor lGpu = Tensor.zeros(rays);
        Tensor gpCpu = Tensor.zeros(rays, 3);
        Tensor gpGpu = Tensor.zeros(rays, 3);
        cpu.rayMseForward(loss, p, g, lCpu);
        gpu.rayMseForward(loss, p, g, lGpu);
        cpu.rayMseBackward(loss, p, g, gl, gpCpu);
        gpu.rayMseBackward(loss, p, g, gl, gpGpu);
        Verdict v = new Verdict();
        v.maxRel("loss", lCpu, lGpu, EXACT_MAX_REL);
        v.maxRel("prediction gradient", gpCpu, gpGpu, EXACT_MAX_REL);
        return v.result();
    }

    private CheckResult adamW(CudaBackend gpu, CpuBackend cpu, int n) {
        SplittableRandom rng = rng(9);
        AdamWConfig config = AdamWConfig.syncTalk(1e-2);
        Tensor pCpu = Tensor.uniform(rng, -1, 1, n);
        Tensor mCpu = Tensor.zeros(n);
        Tensor vCpu = Tensor.zeros(n);
        Tensor pGpu = pCpu.copy();
        Tensor mGpu = mCpu.copy();
        Tensor vGpu = vCpu.copy();
        for (int step = 1; step <= 3; step++) {
            Tensor g = Tensor.uniform(rng, -1, 1, n);
            cpu.adamWStep(config, 1e-2, step, pCpu, g, mCpu, vCpu);
            gpu.adamWStep(config, 1e-2, step, pGpu, g, mGpu, vGpu);
        }
        Verdict v = new Verdict();
        v.maxRel("params", pCpu, pGpu, EXACT_MAX_REL);
        v.maxRel("first moment", mCpu, mGpu, EXACT_MAX_REL);
        v.maxRel("second moment", vCpu, vGpu, EXACT_MAX_REL);
        return v.result();
    }
}
