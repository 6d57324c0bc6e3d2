package dev.synctalk.facesync;

import dev.synctalk.gpu.tensor.Tensor;

/**
 * A non-negative 64-bit count stored exactly in a float32 tensor: four 16-bit limbs, least significant
 * first (each an integer below 2^16, exact in float32), so a trainer checkpoint stays one named tensor file.
 */
final class StepCount {
    private StepCount() {
    }

    static Tensor encode(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + value);
        }
        float[] limbs = new float[4];
        for (int i = 0; i < 4; i++) {
            limbs[i] = (value >>> (16 * i)) & 0xFFFF;
        }
        return Tensor.wrap(limbs, 4);
    }

    static long decode(Tensor t, String name, String source) {
        if (t == null) {
            throw new IllegalArgumentException(source + ": missing tensor '" + name + "'");
        }
        if (t.size() != 4) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' must hold 4 limbs, has " + t.size());
        }
        long value = 0;
        for (int i = 0; i < 4; i++) {
            float limb = t.data()[i];
            if (!(limb >= 0 && limb < 65536 && limb == Math.rint(limb))) {
                throw new IllegalArgumentException(source + ": tensor '" + name + "' limb " + i + " is " + limb
                        + ", not an integer in 0..65535");
            }
            value |= ((long) limb) << (16 * i);
        }
        return value;
    }
}
