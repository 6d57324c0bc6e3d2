package dev.synctalk.gpu.cuda.torso;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The CPU twin torso_loss is checked against on the GPU (TorsoParityCheck.lossReference, the trainer's
 * per-pixel chain): its gradient is the derivative of its loss, L = gradPerPixel * sum of the parts.
 */
class TorsoLossReferenceTest {

    private static double loss(float[] raw, float[] bg, float[] target, float gradPerPixel, float weight) {
        int n = raw.length / 4;
        float[] parts = new float[2 * n];
        TorsoParityCheck.lossReference(raw, bg, target, gradPerPixel, weight, parts, new float[4 * n]);
        double sum = 0;
        for (float p : parts) {
            sum += p;
        }
        return gradPerPixel * sum;
    }

    @Test
    void gradientIsTheDerivativeOfTheLoss() {
        SplittableRandom rng = new SplittableRandom(8);
        int n = 40;
        float[] raw = new float[4 * n];
        float[] bg = new float[3 * n];
        float[] target = new float[3 * n];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (float) (4 * rng.nextDouble() - 2);
        }
        for (int i = 0; i < bg.length; i++) {
            bg[i] = (float) rng.nextDouble();
            target[i] = (float) rng.nextDouble();
        }
        float gradPerPixel = 1f / n;
        float weight = 0.2f;
        float[] parts = new float[2 * n];
        float[] grad = new float[4 * n];
        TorsoParityCheck.lossReference(raw, bg, target, gradPerPixel, weight, parts, grad);
        float h = 1e-2f;
        for (int i = 0; i < raw.length; i++) {
            float[] up = raw.clone();
            float[] down = raw.clone();
            up[i] += h;
            down[i] -= h;
            double numeric = (loss(up, bg, target, gradPerPixel, weight) - loss(down, bg, target, gradPerPixel, weight))
                    / (up[i] - down[i]);
            assertEquals(numeric, grad[i], 2e-3 * Math.abs(numeric) + 2e-6, "d loss / d raw[" + i + "]");
        }
    }
}
