package dev.synctalk.gpu.lpips;

import dev.synctalk.gpu.tensor.GradientCheck;
import dev.synctalk.gpu.tensor.NamedTensorFile;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LpipsAlexTest {
    /** Narrow widths keep the finite-difference check fast; the layer structure is AlexNet's. */
    private static final int[] SMALL = {8, 12, 16, 12, 8};

    @TempDir
    Path dir;

    private static Tensor image(SplittableRandom rng, int n, int side) {
        return Tensor.uniform(rng, -1f, 1f, n, 3, side, side);
    }

    @Test
    void lpipsGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(11);
        LpipsAlex lpips = LpipsAlex.random(SMALL, 3);
        Tensor x0 = image(rng, 2, 32);
        Tensor x1 = image(rng, 2, 32);
        float[] probe = {0.7f, -1.3f};
        Tensor grad = Tensor.zeros(x0.shape());
        lpips.distanceAndGradient(x0, x1, probe, grad);
        GradientCheck.assertMatches("lpips w.r.t. the first image", x0.data(), grad.data(), () -> {
            double[] d = lpips.distance(x0, x1);
            return probe[0] * d[0] + probe[1] * d[1];
        }, 1e-3f, GradientCheck.indices(rng, x0.size(), 48), 3e-2);
    }

    @Test
    void lpipsIsZeroForIdenticalImagesAndGrowsWithNoise() {
        SplittableRandom rng = new SplittableRandom(2);
        LpipsAlex lpips = LpipsAlex.random(LpipsAlex.ALEXNET_CHANNELS, 4);
        Tensor clean = image(rng, 1, 40);
        assertEquals(0.0, lpips.distance(clean, clean)[0], 0.0);
        double previous = 0;
        for (float amplitude : new float[] {0.05f, 0.2f, 0.8f}) {
            Tensor noisy = Tensor.zeros(clean.shape());
            SplittableRandom noise = new SplittableRandom(9);
            for (int i = 0; i < noisy.size(); i++) {
                noisy.data()[i] = clean.data()[i] + amplitude * (float) (2 * noise.nextDouble() - 1);
            }
            double d = lpips.distance(noisy, clean)[0];
            assertTrue(d > previous, "noise " + amplitude + " gave LPIPS " + d + ", not above " + previous);
            previous = d;
        }
    }

    @Test
    void weightsRoundTripThroughNamedTensorFile() throws Exception {
        LpipsAlex original = LpipsAlex.random(LpipsAlex.ALEXNET_CHANNELS, 7);
        Path file = dir.resolve("lpips_alex.stnt");
        original.write(file);
        LpipsAlex loaded = LpipsAlex.load(file);
        assertEquals(original.namedTensors().keySet(), loaded.namedTensors().keySet());
        assertTrue(original.namedTensors().containsKey("net.slice2.3.weight"));
        assertTrue(original.namedTensors().containsKey("lin4.model.1.weight"));
        for (var e : original.namedTensors().entrySet()) {
            assertArrayEquals(e.getValue().data(), loaded.namedTensors().get(e.getKey()).data(), e.getKey());
        }
        SplittableRandom rng = new SplittableRandom(1);
        Tensor a = image(rng, 1, 32);
        Tensor b = image(rng, 1, 32);
        assertEquals(original.distance(a, b)[0], loaded.distance(a, b)[0], 0.0);
    }

    @Test
    void missingTensorIsNamed() throws Exception {
        Map<String, Tensor> tensors = new LinkedHashMap<>(LpipsAlex.random(SMALL, 1).namedTensors());
        tensors.remove("lin3.model.1.weight");
        Path file = dir.resolve("partial.stnt");
        NamedTensorFile.write(tensors, file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LpipsAlex.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("lin3.model.1.weight"),
                e.getMessage());
    }

    @Test
    void negativeLinWeightsAreRejected() throws Exception {
        Map<String, Tensor> tensors = new LinkedHashMap<>(LpipsAlex.random(SMALL, 1).namedTensors());
        tensors.get("lin0.model.1.weight").data()[2] = -0.5f;
        Path file = dir.resolve("negative.stnt");
        NamedTensorFile.write(tensors, file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LpipsAlex.load(file));
        assertTrue(e.getMessage().contains("lin0.model.1.weight[2]"), e.getMessage());
    }

    @Test
    void imagesSmallerThanAlexNetsReceptiveChainAreRefused() {
        LpipsAlex lpips = LpipsAlex.random(SMALL, 1);
        Tensor small = Tensor.zeros(1, 3, 30, 30);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lpips.distance(small, small));
        assertTrue(e.getMessage().contains("at least 31x31"), e.getMessage());
    }
}
