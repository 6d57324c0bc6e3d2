package dev.synctalk.gpu.cuda.conv;

import java.util.Locale;
import java.util.SplittableRandom;

import dev.synctalk.gpu.cuda.CheckResult;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.ErrorStats;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.audio.AudioVisualEncoder;

/**
 * The cuDNN audio-visual encoder against the CPU one on random weights and random mel windows in the
 * normalised mel range [-4, 4]. cuDNN sums in its own order and the GPU folds the batch norm into the
 * weights, so the outputs differ in the last bits; the bound is on the norm-wise relative error,
 * {@value #NORM_REL_ERROR} (fp32 through 13 blocks lands near 1e-6). Any non-finite output fails.
 * Two batch sizes are run through one encoder, so a smaller batch after the largest is covered too.
 */
public final class AveParityCheck {
    public static final double NORM_REL_ERROR = 1e-4;

    private AveParityCheck() {
    }

    public static CheckResult run(CudaDevice device, long seed, int batch) {
        return run(device, seed, batch, AudioVisualEncoder.REFERENCE_CHANNELS);
    }

    /** As {@link #run(CudaDevice, long, int)} for an encoder of base width {@code channels} (16 x channels features). */
    public static CheckResult run(CudaDevice device, long seed, int batch, int channels) {
        String name = "cuDNN AVE (13 blocks, base " + channels + " channels, fused BN/bias/residual/ReLU) vs CPU, batch "
                + batch + " and 3, normRel bound " + NORM_REL_ERROR;
        try {
            SplittableRandom rng = new SplittableRandom(seed);
            AudioVisualEncoder cpu = AudioVisualEncoder.randomInit(rng.nextLong(), channels);
            Tensor mel = Tensor.uniform(rng, -4, 4, batch, 1, AudioVisualEncoder.MEL_BANDS, AudioVisualEncoder.WINDOW_FRAMES);
            float[] expected = cpu.encode(mel).data();
            try (CudnnAudioVisualEncoder gpu = new CudnnAudioVisualEncoder(device, cpu, batch)) {
                ErrorStats stats = ErrorStats.compare(expected, gpu.encode(mel.data(), batch));
                int small = Math.min(3, batch);
                float[] smallMel = java.util.Arrays.copyOf(mel.data(), small * 1280);
                stats = stats.merge(ErrorStats.compare(java.util.Arrays.copyOf(expected, small * cpu.featureDim()),
                        gpu.encode(smallMel, small)));
                int nonZero = 0;
                for (float v : expected) {
                    nonZero += v > 0 ? 1 : 0;
                }
                boolean ok = stats.nonFinite() == 0 && stats.normRelError() <= NORM_REL_ERROR;
                return new CheckResult(name, ok, stats + String.format(Locale.ROOT, " nonZeroFeatures=%d/%d algos=%s",
                        nonZero, expected.length, gpu.algorithms()));
            }
        } catch (RuntimeException | LinkageError e) {
            return new CheckResult(name, false, "threw " + e);
        }
    }
}
