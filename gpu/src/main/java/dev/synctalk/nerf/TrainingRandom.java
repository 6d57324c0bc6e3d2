package dev.synctalk.nerf;

/**
 * The trainer's random source: xoroshiro128++ whose whole state is two longs, so a checkpoint can
 * store it and a resumed run draws exactly the numbers an uninterrupted run would.
 */
public final class TrainingRandom {
    private long s0;
    private long s1;

    /** Seeds the two state words from {@code seed} with SplitMix64 (never both zero). */
    public TrainingRandom(long seed) {
        long z = seed;
        z += 0x9E3779B97F4A7C15L;
        s0 = mix(z);
        z += 0x9E3779B97F4A7C15L;
        s1 = mix(z);
        if (s0 == 0 && s1 == 0) {
            s1 = 1;
        }
    }

    private TrainingRandom(long s0, long s1) {
        this.s0 = s0;
        this.s1 = s1;
    }

    /** A generator continuing from a saved {@link #state()}. */
    public static TrainingRandom fromState(long[] state) {
        if (state.length != 2 || (state[0] == 0 && state[1] == 0)) {
            throw new IllegalArgumentException("random state must be two longs, not both zero");
        }
        return new TrainingRandom(state[0], state[1]);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long[] state() {
        return new long[] {s0, s1};
    }

    public long nextLong() {
        long a = s0;
        long b = s1;
        long result = Long.rotateLeft(a + b, 17) + a;
        b ^= a;
        s0 = Long.rotateLeft(a, 49) ^ b ^ (b << 21);
        s1 = Long.rotateLeft(b, 28);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound) (Lemire's multiply-shift on 31 random bits; bias below 2^-31 * bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, was " + bound);
        }
        return (int) (((nextLong() >>> 33) * bound) >>> 31);
    }
}
