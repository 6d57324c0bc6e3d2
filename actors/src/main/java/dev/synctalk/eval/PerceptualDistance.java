package dev.synctalk.eval;

import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.image.FloatImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * LPIPS (AlexNet, lpips v0.1) between a render and its ground truth when the weights file is there, and
 * otherwise the reason the column is absent. Colours in [0, 1] go to LPIPS's [-1, 1] as 2c - 1, as the
 * reference does before its lpips call. Runs on the CPU ({@link LpipsAlex}).
 */
public final class PerceptualDistance {
    private final LpipsAlex lpips;
    private final String absentReason;

    private PerceptualDistance(LpipsAlex lpips, String absentReason) {
        this.lpips = lpips;
        this.absentReason = absentReason;
    }

    public static PerceptualDistance of(LpipsAlex lpips) {
        return new PerceptualDistance(lpips, null);
    }

    /**
     * Loads the weights, or records why LPIPS is absent when no file is given or it does not exist. A file
     * that exists but does not hold LPIPS weights is an error (naming the file and the tensor).
     */
    public static PerceptualDistance load(Path weights) throws IOException {
        if (weights == null) {
            return new PerceptualDistance(null, "no LPIPS weights given (lpips = a named-tensor file of"
                    + " lpips.LPIPS(net='alex'), see dev.synctalk.gpu.lpips.LpipsAlex)");
        }
        if (!Files.isRegularFile(weights)) {
            return new PerceptualDistance(null, "LPIPS (AlexNet) weights not found at " + weights.toAbsolutePath()
                    + " (a named-tensor file of lpips.LPIPS(net='alex'), see dev.synctalk.gpu.lpips.LpipsAlex)");
        }
        return new PerceptualDistance(LpipsAlex.load(weights), null);
    }

    /** Why there is no LPIPS column, when there is none. */
    public Optional<String> absentReason() {
        return Optional.ofNullable(absentReason);
    }

    public boolean available() {
        return lpips != null;
    }

    /**
     * The distance, or empty when the images are smaller than AlexNet's smallest input
     * ({@link LpipsAlex#MIN_SIDE}); the weights must be loaded.
     */
    public Optional<Double> distance(FloatImage render, FloatImage truth) {
        if (lpips == null) {
            throw new IllegalStateException("LPIPS is absent: " + absentReason);
        }
        ImageChecks.requireComparable("LPIPS", render, truth);
        if (render.width() < LpipsAlex.MIN_SIDE || render.height() < LpipsAlex.MIN_SIDE) {
            return Optional.empty();
        }
        return Optional.of(lpips.distance(planar(render), planar(truth))[0]);
    }

    /** [1, 3, H, W] in [-1, 1]. */
    private static Tensor planar(FloatImage image) {
        int w = image.width();
        int h = image.height();
        int c = image.channels();
        float[] out = new float[3 * w * h];
        float[] d = image.data();
        for (int p = 0; p < w * h; p++) {
            for (int k = 0; k < 3; k++) {
                out[k * w * h + p] = 2f * d[p * c + k] - 1f;
            }
        }
        return Tensor.wrap(out, 1, 3, h, w);
    }
}
