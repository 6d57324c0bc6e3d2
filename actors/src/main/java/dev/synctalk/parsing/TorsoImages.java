package dev.synctalk.parsing;

/**
 * Ground-truth and torso images as the reference writes them (data_utils/process.py, extract_torso_and_gt):
 *
 * <ul>
 *   <li>gt_imgs/N.jpg: the frame with its background pixels replaced by bc.jpg;</li>
 *   <li>torso_imgs/N.png (RGBA): the gt image with the head replaced by bc.jpg, then two vertical inpaintings
 *       so that a head rendered over it leaves no gap: where a torso column's top pixel touches the head, 9
 *       pixels upward get that pixel's colour darkened by 0.98 per row; where a neck column (the neck
 *       dilated 3 pixels vertically) touches the head, its top pixel pushed down by up to 4 rows gives the
 *       colour of 53 pixels upward, blended linearly into the mean neck colour, and those pixels are then
 *       replaced by a 5x5 Gaussian blur (sigma 4, as the reference's call passes) of the image. Alpha is 255
 *       on torso, neck and the inpainted pixels; everything else is transparent black;</li>
 *   <li>face_mask/N.png: 255 on head pixels, 0 elsewhere (the reference writes it in the same loop).</li>
 * </ul>
 * The reference indexes rows above the image top with negative numpy indices (wrapping to the bottom); here
 * inpainting simply stops at the top row.
 */
public final class TorsoImages {
    private static final int TORSO_INPAINT_ROWS = 9;
    private static final double TORSO_DARKEN_PER_ROW = 0.98;
    private static final int NECK_PUSH_DOWN = 4;
    private static final int NECK_INPAINT_ROWS = 48 + NECK_PUSH_DOWN + 1;
    private static final int NECK_DILATION_ROWS = 3;

    private TorsoImages() {
    }

    /** The frame with background pixels taken from the background image. */
    public static RgbImage groundTruth(RgbImage frame, RegionMap regions, RgbImage background) {
        checkSizes(frame, regions, background);
        byte[] rgb = frame.rgb().clone();
        byte[] bg = background.rgb();
        for (int p = 0; p < frame.pixelCount(); p++) {
            if (regions.is(p, Region.BACKGROUND)) {
                System.arraycopy(bg, 3 * p, rgb, 3 * p, 3);
            }
        }
        return new RgbImage(frame.width(), frame.height(), rgb);
    }

    /** RGBA torso image (width * height * 4 bytes) from the ground-truth image. */
    public static byte[] torso(RgbImage groundTruth, RegionMap regions, RgbImage background) {
        checkSizes(groundTruth, regions, background);
        int w = groundTruth.width();
        int h = groundTruth.height();
        int n = w * h;
        byte[] gt = groundTruth.rgb();
        byte[] image = gt.clone();
        byte[] bg = background.rgb();
        for (int p = 0; p < n; p++) {
            if (regions.is(p, Region.HEAD)) {
                System.arraycopy(bg, 3 * p, image, 3 * p, 3);
            }
        }

        boolean[] torsoInpainted = new boolean[n];
        for (int x = 0; x < w; x++) {
            int top = topRow(regions, Region.TORSO, x);
            if (top <= 0 || !regions.is((top - 1) * w + x, Region.HEAD)) {
                continue;
            }
            int source = top * w + x;
            for (int k = 0; k < TORSO_INPAINT_ROWS && top - k >= 0; k++) {
                int p = (top - k) * w + x;
                double darken = Math.pow(TORSO_DARKEN_PER_ROW, k);
                for (int c = 0; c < 3; c++) {
                    image[3 * p + c] = (byte) (int) ((gt[3 * source + c] & 0xff) * darken);
                }
                torsoInpainted[p] = true;
            }
        }

        boolean[] neck = dilatedNeck(regions, w, h);
        double[] neckMean = new double[3];
        int neckCount = 0;
        for (int p = 0; p < n; p++) {
            if (neck[p]) {
                for (int c = 0; c < 3; c++) {
                    neckMean[c] += gt[3 * p + c] & 0xff;
                }
                neckCount++;
            }
        }
        for (int c = 0; c < 3 && neckCount > 0; c++) {
            neckMean[c] /= neckCount;
        }
        boolean[] neckInpainted = new boolean[n];
        boolean anyNeckInpaint = false;
        for (int x = 0; x < w && neckCount > 0; x++) {
            int[] count = new int[1];
            int top = topRow(neck, w, h, x, count);
            if (top <= 0 || !regions.is((top - 1) * w + x, Region.HEAD)) {
                continue;
            }
            int start = top + Math.min(count[0] - 1, NECK_PUSH_DOWN);
            int source = start * w + x;
            for (int k = 0; k < NECK_INPAINT_ROWS && start - k >= 0; k++) {
                int p = (start - k) * w + x;
                double a = 1.0 - (double) k / (NECK_INPAINT_ROWS - 1);
                for (int c = 0; c < 3; c++) {
                    image[3 * p + c] = (byte) (int) ((gt[3 * source + c] & 0xff) * a + neckMean[c] * (1 - a));
                }
                neckInpainted[p] = true;
                anyNeckInpaint = true;
            }
        }
        if (anyNeckInpaint) {
            byte[] blurred = Pixels.referenceBlur(image, w, h, 3, 5);
            for (int p = 0; p < n; p++) {
                if (neckInpainted[p]) {
                    System.arraycopy(blurred, 3 * p, image, 3 * p, 3);
                }
            }
        }

        byte[] rgba = new byte[n * 4];
        for (int p = 0; p < n; p++) {
            boolean keep = neck[p] || regions.is(p, Region.TORSO) || neckInpainted[p] || torsoInpainted[p];
            if (keep) {
                System.arraycopy(image, 3 * p, rgba, 4 * p, 3);
                rgba[4 * p + 3] = (byte) 255;
            }
        }
        return rgba;
    }

    /** The reference's face_mask image: 255 (all three channels) on head pixels. */
    public static RgbImage headMask(RegionMap regions) {
        byte[] rgb = new byte[regions.labels().length * 3];
        for (int p = 0; p < regions.labels().length; p++) {
            if (regions.is(p, Region.HEAD)) {
                rgb[3 * p] = (byte) 255;
                rgb[3 * p + 1] = (byte) 255;
                rgb[3 * p + 2] = (byte) 255;
            }
        }
        return new RgbImage(regions.width(), regions.height(), rgb);
    }

    private static int topRow(RegionMap regions, Region region, int x) {
        for (int y = 0; y < regions.height(); y++) {
            if (regions.is(y * regions.width() + x, region)) {
                return y;
            }
        }
        return -1;
    }

    /** Top set row of column x in {@code mask}, and in count[0] how many rows of that column are set. */
    private static int topRow(boolean[] mask, int w, int h, int x, int[] count) {
        int top = -1;
        for (int y = 0; y < h; y++) {
            if (mask[y * w + x]) {
                top = top < 0 ? y : top;
                count[0]++;
            }
        }
        return top;
    }

    /** The neck dilated vertically by 3 rows each way (scipy binary_dilation with a 3x1 column, 3 iterations). */
    private static boolean[] dilatedNeck(RegionMap regions, int w, int h) {
        boolean[] neck = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!regions.is(y * w + x, Region.NECK)) {
                    continue;
                }
                for (int dy = -NECK_DILATION_ROWS; dy <= NECK_DILATION_ROWS; dy++) {
                    int yy = y + dy;
                    if (yy >= 0 && yy < h) {
                        neck[yy * w + x] = true;
                    }
                }
            }
        }
        return neck;
    }

    private static void checkSizes(RgbImage image, RegionMap regions, RgbImage background) {
        if (image.width() != regions.width() || image.height() != regions.height()
                || background.width() != image.width() || background.height() != image.height()) {
            throw new IllegalArgumentException("sizes differ: image " + image.width() + "x" + image.height()
                    + ", regions " + regions.width() + "x" + regions.height() + ", background "
                    + background.width() + "x" + background.height());
        }
    }
}
