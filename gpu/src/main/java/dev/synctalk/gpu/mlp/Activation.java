package dev.synctalk.gpu.mlp;

/**
 * Element-wise activations. Forward maps pre-activation x to y; backward maps gradY to gradX using
 * whichever of x and y the derivative is cheapest from (both are kept in an {@link MlpTrace}).
 * Layout: any flat array, element i independent of every other.
 */
public sealed interface Activation {

    float apply(float x);

    /** dy/dx at pre-activation {@code x} with output {@code y}. */
    float derivative(float x, float y);

    /** Forward over elements [start, end). */
    default void forward(float[] x, float[] y, int start, int end) {
        for (int i = start; i < end; i++) {
            y[i] = apply(x[i]);
        }
    }

    /** Backward over elements [start, end): gradX = gradY * dy/dx (overwritten). */
    default void backward(float[] x, float[] y, float[] gradY, float[] gradX, int start, int end) {
        for (int i = start; i < end; i++) {
            gradX[i] = gradY[i] * derivative(x[i], y[i]);
        }
    }

    /** No activation (linear output layers). */
    record Identity() implements Activation {
        public float apply(float x) { return x; }
        public float derivative(float x, float y) { return 1f; }
    }

    /** max(0, x); gradient 0 at x = 0 as torch. */
    record Relu() implements Activation {
        public float apply(float x) { return x > 0 ? x : 0f; }
        public float derivative(float x, float y) { return x > 0 ? 1f : 0f; }
    }

    /** x for x > 0, slope * x otherwise (SyncTalk's audio nets use slope 0.02). */
    record LeakyRelu(float slope) implements Activation {
        public float apply(float x) { return x > 0 ? x : slope * x; }
        public float derivative(float x, float y) { return x > 0 ? 1f : slope; }
    }

    /** 1 / (1 + e^-x). */
    record Sigmoid() implements Activation {
        public float apply(float x) { return (float) (1.0 / (1.0 + Math.exp(-x))); }
        public float derivative(float x, float y) { return y * (1 - y); }
    }

    /** torch.nn.Softplus(beta 1, threshold 20): log(1 + e^x), linear above 20. */
    record Softplus() implements Activation {
        static final float THRESHOLD = 20f;
        public float apply(float x) { return x > THRESHOLD ? x : (float) Math.log1p(Math.exp(x)); }
        public float derivative(float x, float y) {
            if (x > THRESHOLD) {
                return 1f;
            }
            double z = Math.exp(x);
            return (float) (z / (z + 1));
        }
    }

    /**
     * torch-ngp's trunc_exp: exp(x) forward, but the backward uses exp(min(x, 15)) so a large density
     * logit cannot blow the gradient up.
     */
    record TruncExp() implements Activation {
        static final float CLAMP = 15f;
        public float apply(float x) { return (float) Math.exp(x); }
        public float derivative(float x, float y) { return (float) Math.exp(Math.min(x, CLAMP)); }
    }

    /**
     * SyncTalk's colour output: sigmoid(x) * (1 + 2 * 0.001) - 0.001, so that 0 and 1 are reachable
     * without infinite logits.
     */
    record ScaledSigmoid() implements Activation {
        public static final float MARGIN = 0.001f;
        public float apply(float x) { return (float) (1.0 / (1.0 + Math.exp(-x))) * (1 + 2 * MARGIN) - MARGIN; }
        public float derivative(float x, float y) {
            float s = (float) (1.0 / (1.0 + Math.exp(-x)));
            return s * (1 - s) * (1 + 2 * MARGIN);
        }
    }
}
