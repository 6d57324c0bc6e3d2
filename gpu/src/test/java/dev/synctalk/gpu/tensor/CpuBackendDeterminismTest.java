package dev.synctalk.gpu.tensor;

import dev.synctalk.gpu.encoding.SphericalHarmonics;
import dev.synctalk.gpu.encoding.TriPlaneEncoder;
import dev.synctalk.gpu.mlp.Activation;
import dev.synctalk.gpu.mlp.Conv1d;
import dev.synctalk.gpu.mlp.Mlp;
import dev.synctalk.gpu.mlp.MlpTrace;
import dev.synctalk.gpu.optim.AdamW;
import dev.synctalk.gpu.optim.AdamWConfig;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.render.RaySamples;
import dev.synctalk.gpu.render.RenderOutput;
import dev.synctalk.gpu.render.VolumeRenderer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CpuBackendDeterminismTest {

    /** Runs a head-NeRF-shaped step and returns every output and gradient it produced, in a fixed order. */
    private static List<float[]> runStep(CpuBackend backend) {
        SplittableRandom rng = new SplittableRandom(2024);
        int n = 3000; // several 512-row chunks, the last one partial
        List<float[]> results = new ArrayList<>();

        TriPlaneEncoder enc = TriPlaneEncoder.syncTalk(1f);
        List<Tensor> planes = enc.newEmbeddings(rng);
        List<Tensor> planeGrads = List.of(Tensor.zeros(planes.get(0).shape()), Tensor.zeros(planes.get(1).shape()),
                Tensor.zeros(planes.get(2).shape()));
        // points clustered so many samples hit the same table rows: accumulation order matters
        Tensor points = Tensor.uniform(rng, -0.2f, 0.2f, n, 3);
        Tensor feat = Tensor.zeros(n, 36);
        backend.triPlaneForward(enc, points, planes, feat);

        Mlp mlp = new Mlp(List.of(36, 64, 64, 65), false, new Activation.Relu(), new Activation.TruncExp());
        List<Tensor> params = mlp.newParameters(rng);
        List<Tensor> grads = mlp.newGradients();
        MlpTrace trace = backend.mlpForward(mlp, params, feat);
        Tensor gradOut = Tensor.uniform(rng, -1f, 1f, n, 65);
        Tensor gradFeat = Tensor.zeros(n, 36);
        backend.mlpBackward(mlp, params, trace, gradOut, grads, gradFeat);
        Tensor gradPoints = Tensor.zeros(n, 3);
        backend.triPlaneBackward(enc, points, planes, gradFeat, planeGrads, gradPoints);

        Tensor dirs = Tensor.uniform(rng, -1f, 1f, n, 3);
        Tensor sh = Tensor.zeros(n, SphericalHarmonics.OUTPUT_DIM);
        backend.sphericalHarmonicsForward(dirs, sh);

        int rays = 1500;
        int[] packed = new int[2 * rays];
        for (int r = 0; r < rays; r++) {
            packed[2 * r] = 2 * r;
            packed[2 * r + 1] = 2;
        }
        RaySamples samples = new RaySamples(packed, Tensor.uniform(rng, 0f, 30f, n), Tensor.uniform(rng, 0f, 1f, n, 3),
                Tensor.filled(0.1f, n), Tensor.uniform(rng, 0f, 2f, n));
        RenderOutput render = RenderOutput.zeros(rays);
        backend.volumeRenderForward(VolumeRenderer.training(), samples, null, render);
        Tensor gradSigma = Tensor.zeros(n);
        Tensor gradRgb = Tensor.zeros(n, 3);
        backend.volumeRenderBackward(VolumeRenderer.training(), samples, null, Tensor.uniform(rng, -1f, 1f, rays, 3),
                null, Tensor.uniform(rng, -1f, 1f, rays), gradSigma, gradRgb);

        Conv1d conv = new Conv1d(32, 16, 3, 1);
        Tensor cx = Tensor.uniform(rng, -1f, 1f, 40, 32, 8);
        Tensor cw = conv.newWeight(rng);
        Tensor cgw = Tensor.zeros(cw.shape());
        Tensor cgb = Tensor.zeros(16);
        backend.conv1dBackward(conv, cx, cw, Tensor.uniform(rng, -1f, 1f, 40, 16, 8), Tensor.zeros(40, 32, 8), cgw, cgb);

        AdamW opt = new AdamW(backend, List.of(
                new ParamGroup("grid", planes, planeGrads, AdamWConfig.syncTalk(1e-2)),
                new ParamGroup("net", params, grads, AdamWConfig.syncTalk(1e-3))));
        opt.step();

        results.add(feat.data());
        results.add(trace.output().data());
        results.add(gradFeat.data());
        results.add(gradPoints.data());
        for (Tensor g : grads) {
            results.add(g.data());
        }
        for (Tensor g : planeGrads) {
            results.add(g.data());
        }
        results.add(sh.data());
        results.add(render.image().data());
        results.add(render.depth().data());
        results.add(gradSigma.data());
        results.add(gradRgb.data());
        results.add(cgw.data());
        results.add(cgb.data());
        for (Tensor p : params) {
            results.add(p.data());
        }
        for (Tensor p : planes) {
            results.add(p.data());
        }
        return results;
    }

    @Test
    void cpuBackendIsBitReproducibleAcrossThreadCounts() {
        List<float[]> single;
        List<float[]> four;
        try (CpuBackend one = new CpuBackend(1)) {
            single = runStep(one);
        }
        try (CpuBackend many = new CpuBackend(4)) {
            four = runStep(many);
        }
        assertEquals(single.size(), four.size());
        for (int i = 0; i < single.size(); i++) {
            // assertArrayEquals on float[] compares bit patterns (floatToIntBits), so this is bit-identity
            assertArrayEquals(single.get(i), four.get(i), "result " + i + " differs between 1 and 4 threads");
        }
    }
}
