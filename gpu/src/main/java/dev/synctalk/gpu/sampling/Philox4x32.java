package dev.synctalk.gpu.sampling;

/**
 * Philox4x32-10, the counter-based generator of Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3"
 * (SC11; Random123, also cuRAND's Philox): a keyed bijection of a 128-bit counter, so the n-th random number
 * is computed directly from n with no state to carry. That is what lets a GPU thread draw sample i of step s
 * on its own and a CPU twin draw the very same number ({@code philox.cu}'s {@code philox4x32_10}).
 *
 * <p>Ten rounds of: (hi0, lo0) = M0 * c0, (hi1, lo1) = M1 * c2 (32 x 32 -> 64-bit products),
 * c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0), with the key bumped by the Weyl constants (W0, W1) between
 * rounds. Checked against Random123's known-answer vectors (Philox4x32Test).
 */
public final class Philox4x32 {
    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;
    static final int ROUNDS = 10;

    private Philox4x32() {
    }

    /** The four output words for counter (c0, c1, c2, c3) and key (k0, k1). */
    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] c = {c0, c1, c2, c3};
        int key0 = k0;
        int key1 = k1;
        for (int r = 0; r < ROUNDS; r++) {
            if (r > 0) {
                key0 += W0;
                key1 += W1;
            }
            round(c, key0, key1);
        }
        return c;
    }

    /** Word 0 of {@link #block} only (what the samplers use). */
    public static int first(int c0, int c1, int c2, int c3, int k0, int k1) {
        return block(c0, c1, c2, c3, k0, k1)[0];
    }

    private static void round(int[] c, int k0, int k1) {
        long p0 = (M0 & 0xFFFFFFFFL) * (c[0] & 0xFFFFFFFFL);
        long p1 = (M1 & 0xFFFFFFFFL) * (c[2] & 0xFFFFFFFFL);
        int hi0 = (int) (p0 >>> 32);
        int lo0 = (int) p0;
        int hi1 = (int) (p1 >>> 32);
        int lo1 = (int) p1;
        int n0 = hi1 ^ c[1] ^ k0;
        int n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0;
        c[1] = lo1;
        c[2] = n2;
        c[3] = lo0;
    }

    /**
     * Uniform in [0, bound) from one 32-bit word by Lemire's multiply-shift, floor(x * bound / 2^32), the
     * kernel's {@code __umulhi(x, bound)}; the bias is below bound / 2^32.
     */
    public static int below(int word, int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, was " + bound);
        }
        return (int) (((word & 0xFFFFFFFFL) * bound) >>> 32);
    }
}
