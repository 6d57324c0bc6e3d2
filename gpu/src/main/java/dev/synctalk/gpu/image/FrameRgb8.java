package dev.synctalk.gpu.image;

/**
 * A finished video frame as 8-bit RGB (HWC, interleaved), from the renderer's float image: the CPU reference of
 * gpu/src/main/cuda/frame.cu (same float operations in the same order, no fused multiply-add), and what the
 * head-render stage emits on either backend.
 * <ul>
 *   <li>{@link #quantize(float)}: round(v * 255) to the nearest (ties up), clamped to [0, 255], NaN to 0 (the
 *       same as the image package's {@code FloatImage.toByte});</li>
 *   <li>{@link #portrait}: SyncTalk's --portrait output, the render (clamped to [0, 1]) pasted into the original
 *       frame through the soft face mask, {@code head * m + original * (1 - m)}, with m = 1 - green / 255 of the
 *       reference's {@code N_face.png} and the original's bytes / 255.</li>
 * </ul>
 */
public final class FrameRgb8 {
    private FrameRgb8() {
    }

    /** One sample: nearest of round(v * 255), ties up, clamped to [0, 255]; NaN gives 0. */
    public static int quantize(float v) {
        if (Float.isNaN(v)) {
            return 0;
        }
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }

    /** Every sample of a float image [W*H*3] quantized. */
    public static byte[] quantize(float[] image) {
        byte[] out = new byte[image.length];
        for (int i = 0; i < image.length; i++) {
            out[i] = (byte) quantize(image[i]);
        }
        return out;
    }

    /**
     * The portrait frame: head [W*H*3] (floats, clamped to [0, 1] first; NaN stays NaN and gives 0), original
     * [W*H*3] and maskGreen [W*H] (the face mask's green channel) as bytes.
     */
    public static byte[] portrait(float[] head, byte[] original, byte[] maskGreen) {
        if (head.length != original.length || head.length != 3 * maskGreen.length) {
            throw new IllegalArgumentException("a portrait frame of " + maskGreen.length + " pixels needs head and original"
                    + " of " + 3L * maskGreen.length + " samples, got " + head.length + " and " + original.length);
        }
        byte[] out = new byte[head.length];
        for (int p = 0; p < maskGreen.length; p++) {
            float m = 1f - (maskGreen[p] & 0xff) / 255f;
            float keep = 1f - m;
            for (int c = 0; c < 3; c++) {
                int i = p * 3 + c;
                float o = (original[i] & 0xff) / 255f;
                out[i] = (byte) quantize(clamp01(head[i]) * m + o * keep);
            }
        }
        return out;
    }

    /** min(1, max(0, v)) as Java computes it: NaN stays NaN. */
    static float clamp01(float v) {
        return Math.min(1f, Math.max(0f, v));
    }
}
