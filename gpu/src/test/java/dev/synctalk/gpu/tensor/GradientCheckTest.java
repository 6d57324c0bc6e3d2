package dev.synctalk.gpu.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;

class GradientCheckTest {

    @Test
    void gradientCheckRejectsAWrongGradient() {
        float[] x = {0.3f, -0.7f};
        // L = x0^2 + 3 x1; true gradient (0.6, 3), claimed (0.6, 2)
        float[] wrong = {0.6f, 2f};
        assertThrows(AssertionError.class, () -> GradientCheck.assertMatches("wrong", x, wrong,
                () -> (double) x[0] * x[0] + 3.0 * x[1], 1e-3f, new int[]{0, 1}, 1e-2));
    }

    @Test
    void gradientCheckRejectsNaN() {
        float[] x = {0.3f};
        float[] nan = {Float.NaN};
        assertThrows(AssertionError.class, () -> GradientCheck.assertMatches("nan", x, nan,
                () -> (double) x[0] * x[0], 1e-3f, new int[]{0}, 1e-2));
    }

    @Test
    void gradientCheckAcceptsTheTrueGradient() {
        float[] x = {0.3f, -0.7f};
        float[] right = {0.6f, 3f};
        GradientCheck.assertMatches("right", x, right, () -> (double) x[0] * x[0] + 3.0 * x[1], 1e-3f,
                new int[]{0, 1}, 1e-3);
    }
}
