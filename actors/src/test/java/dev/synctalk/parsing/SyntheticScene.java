package dev.synctalk.parsing;

import dev.synctalk.face.FaceLandmarks;
import java.util.Random;

/**
 * A static textured background with a cartoon person sliding across it, with known truth: the background
 * image, the person mask, and landmarks whose face oval matches the drawn face.
 */
final class SyntheticScene {
    static final int WIDTH = 160;
    static final int HEIGHT = 120;
    static final double FACE_A = 12;
    static final double FACE_B = 15;
    static final double FACE_CY = 40;

    private final RgbImage background;

    SyntheticScene(long seed) {
        Random random = new Random(seed);
        byte[] rgb = new byte[WIDTH * HEIGHT * 3];
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int p = y * WIDTH + x;
                rgb[3 * p] = (byte) clamp(150 + 50 * Math.sin(x / 7.0) + random.nextInt(9) - 4);
                rgb[3 * p + 1] = (byte) clamp(160 + 40 * Math.cos(y / 5.0 + x / 11.0) + random.nextInt(9) - 4);
                rgb[3 * p + 2] = (byte) clamp(110 + 30 * Math.sin((x + y) / 9.0) + random.nextInt(9) - 4);
            }
        }
        background = new RgbImage(WIDTH, HEIGHT, rgb);
    }

    RgbImage background() {
        return background;
    }

    /**
     * Face centre x of 9 sampled frames: mostly in the middle, now and then to the sides, so that the centre of
     * the background is hidden in most frames (a plain temporal median shows the person there) yet seen in some.
     */
    static final double[] FACE_X = {80, 80, 40, 80, 80, 120, 80, 60, 100};

    static FaceLandmarks landmarks(long index, double cx) {
        return SyntheticFaces.ellipse(index, WIDTH, HEIGHT, cx, FACE_CY, FACE_A, FACE_B);
    }

    /** Which part of the drawn person covers (x, y): 0 none, 1 face, 2 hair, 3 neck, 4 body. */
    static int part(double cx, int x, int y) {
        double px = x + 0.5;
        double py = y + 0.5;
        double fx = (px - cx) / FACE_A;
        double fy = (py - FACE_CY) / FACE_B;
        if (fx * fx + fy * fy <= 1) {
            return 1;
        }
        double hx = (px - cx) / (FACE_A + 4);
        double hy = (py - (FACE_CY - 3)) / (FACE_B + 4);
        if (hx * hx + hy * hy <= 1 && py < FACE_CY + 4) {
            return 2;
        }
        double chin = FACE_CY + FACE_B;
        if (py >= chin - 2 && py < chin + 8 && Math.abs(px - cx) <= 7) {
            return 3;
        }
        if (py >= chin + 8) {
            double half = Math.min(20, 8 + (py - chin - 8) * 1.5);
            return Math.abs(px - cx) <= half ? 4 : 0;
        }
        return 0;
    }

    /** The frame with the person's face centred at {@code cx}; the background gets +-4 levels of sensor noise. */
    RgbImage frame(double cx, long seed) {
        Random random = new Random(seed);
        byte[] rgb = background.rgb().clone();
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int part = part(cx, x, y);
                if (part == 0) {
                    int p = y * WIDTH + x;
                    for (int ch = 0; ch < 3; ch++) {
                        rgb[3 * p + ch] = (byte) clamp((rgb[3 * p + ch] & 0xff) + random.nextInt(9) - 4);
                    }
                    continue;
                }
                int[] c = switch (part) {
                    case 1, 3 -> new int[] {225, 175, 145};
                    case 2 -> new int[] {35, 28, 30};
                    default -> new int[] {50 + 20 * ((x / 4 + y / 4) & 1), 70, 200};
                };
                int p = y * WIDTH + x;
                for (int ch = 0; ch < 3; ch++) {
                    rgb[3 * p + ch] = (byte) clamp(c[ch] + random.nextInt(7) - 3);
                }
            }
        }
        return new RgbImage(WIDTH, HEIGHT, rgb);
    }

    static byte[] personMask(double cx) {
        byte[] mask = new byte[WIDTH * HEIGHT];
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                mask[y * WIDTH + x] = (byte) (part(cx, x, y) != 0 ? 1 : 0);
            }
        }
        return mask;
    }

    static double iou(byte[] a, byte[] b) {
        int inter = 0;
        int union = 0;
        for (int i = 0; i < a.length; i++) {
            inter += a[i] != 0 && b[i] != 0 ? 1 : 0;
            union += a[i] != 0 || b[i] != 0 ? 1 : 0;
        }
        return union == 0 ? 1 : (double) inter / union;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
