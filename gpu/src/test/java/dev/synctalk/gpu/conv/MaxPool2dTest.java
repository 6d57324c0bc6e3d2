package dev.synctalk.gpu.conv;

import dev.synctalk.gpu.tensor.GradientCheck;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MaxPool2dTest {

    @Test
    void forwardTakesTheWindowMaximaOfAlexNetsPool() {
        MaxPool2d pool = new MaxPool2d(3, 2);
        assertEquals(3, pool.outputSize(7));
        float[] x = new float[25];
        for (int i = 0; i < 25; i++) {
            x[i] = (i * 7) % 11; // a scrambled 5x5 plane
        }
        float[] y = new float[4];
        int[] argmax = new int[4];
        pool.forward(x, y, argmax, 1, 5, 5);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 3; b++) {
                        max = Math.max(max, x[(2 * i + a) * 5 + 2 * j + b]);
                    }
                }
                assertEquals(max, y[i * 2 + j]);
                assertEquals(max, x[argmax[i * 2 + j]]);
            }
        }
    }

    @Test
    void tiesRouteTheGradientToTheFirstMaximum() {
        MaxPool2d pool = new MaxPool2d(2, 2);
        float[] x = {1, 1, 1, 1};
        float[] y = new float[1];
        int[] argmax = new int[1];
        pool.forward(x, y, argmax, 1, 2, 2);
        float[] gx = new float[4];
        pool.backward(new float[] {3}, argmax, gx, 1, 2, 2);
        assertArrayEquals(new float[] {3, 0, 0, 0}, gx);
    }

    @Test
    void maxPoolGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(5);
        MaxPool2d pool = new MaxPool2d(3, 2);
        int planes = 4;
        int h = 9;
        int w = 7;
        float[] x = new float[planes * h * w];
        // distinct values at least 0.05 apart, so a finite-difference step of 1e-2 never swaps a maximum
        int[] order = rng.ints(0, Integer.MAX_VALUE).limit(x.length).toArray();
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.05f * (i + 1);
        }
        for (int i = x.length - 1; i > 0; i--) {
            int j = order[i] % (i + 1);
            float t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
        int outCount = planes * pool.outputSize(h) * pool.outputSize(w);
        float[] probe = GradientCheck.probe(rng, outCount);
        float[] y = new float[outCount];
        int[] argmax = new int[outCount];
        pool.forward(x, y, argmax, planes, h, w);
        float[] gx = new float[x.length];
        pool.backward(probe, argmax, gx, planes, h, w);
        DoubleSupplier objective = () -> {
            float[] out = new float[outCount];
            pool.forward(x, out, new int[outCount], planes, h, w);
            return GradientCheck.weightedSum(out, probe);
        };
        GradientCheck.assertMatches("max pool input", x, gx, objective, 1e-2f,
                GradientCheck.indices(rng, x.length, x.length), 1e-3);
    }
}
