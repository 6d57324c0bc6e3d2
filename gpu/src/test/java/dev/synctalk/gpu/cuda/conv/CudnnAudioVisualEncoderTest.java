package dev.synctalk.gpu.cuda.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.synctalk.gpu.conv.Conv2d;
import dev.synctalk.gpu.cuda.CheckResult;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudaRuntime;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.audio.AudioVisualEncoder;

class CudnnAudioVisualEncoderTest {

    @Test
    void foldedBatchNormGivesTheSameBlockOutputOnTheCpu() {
        AudioVisualEncoder encoder = AudioVisualEncoder.randomInit(3);
        AudioVisualEncoder.Layer layer = encoder.layers().get(4); // 64 -> 64 residual block at 27 x 16
        Conv2d conv = layer.block().conv();
        Tensor x = Tensor.uniform(new SplittableRandom(4), -1, 1, 1, 64, 27, 16);
        float[] reference = conv.forward(x, layer.weight(), layer.bias()).data();
        layer.norm().applyInPlace(reference, 27 * 16, 0, 1);
        float[][] folded = CudnnAudioVisualEncoder.fold(layer);
        float[] fused = conv.forward(x, Tensor.wrap(folded[0], 64, 64, 3, 3), Tensor.wrap(folded[1], 64)).data();
        double diffSq = 0;
        double refSq = 0;
        for (int i = 0; i < reference.length; i++) {
            diffSq += Math.pow(fused[i] - reference[i], 2);
            refSq += Math.pow(reference[i], 2);
        }
        assertTrue(Math.sqrt(diffSq / refSq) < 1e-6, "folded vs unfolded normRel " + Math.sqrt(diffSq / refSq));
        assertEquals(reference.length, fused.length);
    }

    @Test
    void cudnnEncoderMatchesTheCpuEncoder() {
        assumeTrue(CudaRuntime.available(), () -> "no GPU: " + CudaRuntime.unavailableReason());
        long seed = System.nanoTime();
        try (CudaDevice device = CudaRuntime.open(0)) {
            CheckResult r = AveParityCheck.run(device, seed, 16);
            assertTrue(r.passed(), "seed " + seed + ": " + r);
        }
    }
}
