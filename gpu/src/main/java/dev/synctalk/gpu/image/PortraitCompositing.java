package dev.synctalk.gpu.image;

/**
 * SyncTalk's portrait compositing on float RGB images with one-float-per-pixel masks in [0, 1]; the CPU
 * twin of gpu/src/main/cuda/portrait.cu (same float operations in the same order, no fused multiply-add).
 * <ul>
 *   <li>{@link #merge}: the portrait output, rendered head * m + source frame * (1 - m) with the blurred
 *       face mask m;</li>
 *   <li>{@link #neckGapFill}: preprocessing's fill of the neck region the head would cover: the region
 *       painted with the neck colour, blurred with a 5x5 Gaussian, and blended back through the mask.</li>
 * </ul>
 */
public final class PortraitCompositing {

    /** Gradients of {@link #merge} with respect to its three inputs. */
    public record MergeGradients(RgbImage gradA, RgbImage gradB, float[] gradMask) {
    }

    private PortraitCompositing() {
    }

    /** out = a * m + b * (1 - m), per pixel and channel. */
    public static RgbImage merge(RgbImage a, RgbImage b, float[] mask) {
        requireSameSize(a, b);
        a.requireMask(mask, "merge mask");
        RgbImage out = RgbImage.blank(a.width(), a.height());
        float[] ad = a.data();
        float[] bd = b.data();
        float[] od = out.data();
        for (int p = 0; p < mask.length; p++) {
            float m = mask[p];
            float keep = 1f - m;
            for (int c = 0; c < 3; c++) {
                int i = p * 3 + c;
                od[i] = ad[i] * m + bd[i] * keep;
            }
        }
        return out;
    }

    public static MergeGradients mergeBackward(RgbImage gradOut, RgbImage a, RgbImage b, float[] mask) {
        requireSameSize(a, b);
        requireSameSize(a, gradOut);
        a.requireMask(mask, "merge mask");
        RgbImage gradA = RgbImage.blank(a.width(), a.height());
        RgbImage gradB = RgbImage.blank(a.width(), a.height());
        float[] gradMask = new float[mask.length];
        for (int p = 0; p < mask.length; p++) {
            float m = mask[p];
            float keep = 1f - m;
            float dm = 0f;
            for (int c = 0; c < 3; c++) {
                int i = p * 3 + c;
                float g = gradOut.data()[i];
                gradA.data()[i] = g * m;
                gradB.data()[i] = g * keep;
                dm = dm + g * (a.data()[i] - b.data()[i]);
            }
            gradMask[p] = dm;
        }
        return new MergeGradients(gradA, gradB, gradMask);
    }

    /** image * (1 - m) + colour * m: the neck region painted with one colour. */
    public static RgbImage fillColour(RgbImage image, float[] mask, float[] rgb) {
        image.requireMask(mask, "neck mask");
        requireColour(rgb);
        RgbImage out = RgbImage.blank(image.width(), image.height());
        for (int p = 0; p < mask.length; p++) {
            float m = mask[p];
            float keep = 1f - m;
            for (int c = 0; c < 3; c++) {
                int i = p * 3 + c;
                out.data()[i] = image.data()[i] * keep + rgb[c] * m;
            }
        }
        return out;
    }

    /**
     * The neck-gap fill: {@code merge(blur(fillColour(image, m, rgb)), image, m)} with the given taps
     * (the reference uses a 5x5 Gaussian, {@code GaussianTaps.openCvDefault(5)}).
     */
    public static RgbImage neckGapFill(RgbImage image, float[] neckMask, float[] rgb, GaussianTaps taps) {
        RgbImage painted = fillColour(image, neckMask, rgb);
        return merge(GaussianBlur.blur(painted, taps), image, neckMask);
    }

    static void requireColour(float[] rgb) {
        if (rgb.length != 3) {
            throw new IllegalArgumentException("a colour has 3 channels, got " + rgb.length);
        }
    }

    private static void requireSameSize(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new IllegalArgumentException("images differ in size: " + a.width() + "x" + a.height() + " and "
                    + b.width() + "x" + b.height());
        }
    }
}
