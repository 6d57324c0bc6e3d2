package dev.synctalk.parsing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Estimates the static background image (SyncTalk's bc.jpg) from a subsample of the video's frames.
 *
 * <p>The reference (data_utils/process.py, extract_background) takes every 20th frame and its BiSeNet parsing,
 * computes per pixel the distance to the nearest person pixel in each frame, takes the pixel's colour from
 * the frame where that distance is largest if it exceeds 5 pixels, and fills every other pixel (never seen as
 * background) with the colour of the nearest filled pixel.
 *
 * <p>Here, without a pretrained parser, the person masks come from {@link PersonSegmenter} and the estimate is
 * iterated: pass 0 segments the samples with the landmark layout prior only (a person who barely moves is in
 * the plain temporal median, so the median alone cannot be trusted); each further pass segments against the
 * background of the previous pass. A pass's background is the per-pixel, per-channel temporal median over the
 * samples where the pixel lies more than {@code marginPixels} from the person (the median rejects the odd
 * frame where the mask missed a bit of the person, where the reference's single farthest frame would take
 * it); pixels never seen that far from the person are filled from the nearest seen pixel as the reference does.
 */
public final class BackgroundEstimator {

    /**
     * @param background the estimated background
     * @param observed   1 where the background was seen in some sample, 0 where it was filled from the nearest
     *                   seen pixel
     * @param personMasks the person mask of each sample from the last pass
     */
    public record Estimate(RgbImage background, byte[] observed, List<byte[]> personMasks) {
        public double observedFraction() {
            int n = 0;
            for (byte b : observed) {
                n += b;
            }
            return (double) n / observed.length;
        }
    }

    private final PersonSegmenter segmenter;
    private final int passes;
    private final double marginPixels;

    /**
     * @param passes       segmentation passes (at least 1: the layout-prior pass; each further pass segments
     *                     against the previous background)
     * @param marginPixels how far from the person a pixel must be to count as seen background (reference: 5)
     */
    public BackgroundEstimator(PersonSegmenter segmenter, int passes, double marginPixels) {
        if (passes < 1) {
            throw new IllegalArgumentException("background passes must be at least 1, got " + passes);
        }
        this.segmenter = segmenter;
        this.passes = passes;
        this.marginPixels = marginPixels;
    }

    /** Segments the samples and estimates the background, {@code passes} times. */
    public Estimate estimate(List<RgbImage> samples, List<FaceOutline> outlines) {
        if (samples.isEmpty() || samples.size() != outlines.size()) {
            throw new IllegalArgumentException("background estimation needs one face outline per sample, got "
                    + samples.size() + " samples and " + outlines.size() + " outlines");
        }
        RgbImage background = null;
        Estimate estimate = null;
        for (int pass = 0; pass < passes; pass++) {
            List<byte[]> masks = new ArrayList<>(samples.size());
            for (int i = 0; i < samples.size(); i++) {
                masks.add(segmenter.segment(samples.get(i), background, outlines.get(i)));
            }
            estimate = fromPersonMasks(samples, masks, marginPixels);
            background = estimate.background();
        }
        return estimate;
    }

    /** The background from samples whose person masks are known (1 = person). */
    public static Estimate fromPersonMasks(List<RgbImage> samples, List<byte[]> personMasks, double marginPixels) {
        int width = samples.get(0).width();
        int height = samples.get(0).height();
        int pixels = width * height;
        List<byte[]> usable = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            RgbImage s = samples.get(i);
            if (s.width() != width || s.height() != height) {
                throw new IllegalArgumentException("sample " + i + " is " + s.width() + "x" + s.height()
                        + ", sample 0 is " + width + "x" + height);
            }
            float[] distance = Pixels.distanceToMask(personMasks.get(i), width, height);
            byte[] far = new byte[pixels];
            for (int p = 0; p < pixels; p++) {
                far[p] = (byte) (distance[p] > marginPixels ? 1 : 0);
            }
            usable.add(far);
        }
        byte[] rgb = new byte[pixels * 3];
        byte[] observed = new byte[pixels];
        int[][] values = new int[3][samples.size()];
        for (int p = 0; p < pixels; p++) {
            int n = 0;
            for (int i = 0; i < samples.size(); i++) {
                if (usable.get(i)[p] != 0) {
                    byte[] s = samples.get(i).rgb();
                    for (int c = 0; c < 3; c++) {
                        values[c][n] = s[3 * p + c] & 0xff;
                    }
                    n++;
                }
            }
            if (n == 0) {
                continue;
            }
            observed[p] = 1;
            for (int c = 0; c < 3; c++) {
                rgb[3 * p + c] = (byte) median(values[c], n);
            }
        }
        boolean any = false;
        for (byte b : observed) {
            any |= b != 0;
        }
        if (!any) {
            throw new IllegalStateException("background estimation: no pixel is farther than " + marginPixels
                    + " px from the person in any of the " + samples.size() + " sampled frames");
        }
        int[] nearest = Pixels.nearestKnown(observed, width, height);
        for (int p = 0; p < pixels; p++) {
            if (observed[p] == 0) {
                int q = nearest[p];
                System.arraycopy(rgb, 3 * q, rgb, 3 * p, 3);
            }
        }
        return new Estimate(new RgbImage(width, height, rgb), observed, List.copyOf(personMasks));
    }

    /** The plain per-pixel, per-channel temporal median. */
    public static RgbImage temporalMedian(List<RgbImage> samples) {
        List<byte[]> none = new ArrayList<>();
        for (RgbImage s : samples) {
            none.add(new byte[s.pixelCount()]);
        }
        return fromPersonMasks(samples, none, -1).background();
    }

    /** Median of the first {@code n} values (mean of the middle two for even n, rounded). */
    private static int median(int[] values, int n) {
        Arrays.sort(values, 0, n);
        return (n & 1) == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2] + 1) / 2;
    }
}
