package dev.synctalk.parsing;

import java.util.Arrays;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Splits a person mask into head, neck and torso from the face contour and colour, the stand-in for the
 * reference's BiSeNet classes (head = face parts + ears + hair, neck = neck + necklace, torso = cloth). Every
 * boundary it draws is a smooth curve (the jaw line, an ellipse, the person's own outline, smoothed colour
 * regions), so torso images get no stepped edges.
 *
 * <ul>
 *   <li>head: the face oval, and the person above the jaw line ({@link FaceOutline#jawLineY}) inside an ellipse
 *       around the face reaching {@code hairMarginFaceWidths} face widths beyond each side; below the jaw line,
 *       hair: person pixels whose colour is more like the hair on top of the head than like the face (colour
 *       histograms in Lab), smoothed, connected to the head's hair, down to {@code hairDepthFaceHeights} face
 *       heights below the chin and never in the middle of the neck;</li>
 *   <li>neck: the rest of the person below the jaw line that is connected to the point under the chin, down to
 *       the row where the person through the chin column widens to {@code shoulderWidening} times the neck's
 *       width just under the chin (the shoulders), at most {@code neckLengthFaceHeights} face heights below the
 *       chin;</li>
 *   <li>ear lobes, earrings and strands: what is left below the jaw line in pieces that do not reach below the
 *       chin is head too;</li>
 *   <li>torso: every other person pixel; background: the rest.</li>
 * </ul>
 */
public final class RegionSplitter {

    public record Settings(double hairMarginFaceWidths, double hairDepthFaceHeights, double shoulderWidening,
                           double neckLengthFaceHeights) {
        public static Settings defaults() {
            return new Settings(0.5, 1.5, 1.6, 0.6);
        }
    }

    /** Fewer hair samples than this fraction of the face's area: no hair model (short hair, a bald head). */
    private static final double MIN_HAIR_SAMPLES_OF_FACE = 0.02;

    private final Settings settings;

    public RegionSplitter(Settings settings) {
        this.settings = settings;
    }

    public RegionMap split(byte[] person, RgbImage frame, FaceOutline face) {
        int w = frame.width();
        int h = frame.height();
        if (person.length != w * h) {
            throw new IllegalArgumentException("person mask has " + person.length + " pixels, expected " + w + "x" + h);
        }
        double fw = Math.max(face.width(), 1);
        double fh = Math.max(face.height(), 1);
        byte[] faceMask = face.rasterise(w, h);
        double[] jaw = new double[w];
        for (int x = 0; x < w; x++) {
            jaw[x] = face.jawLineY(x + 0.5, 0.3 * fw);
        }
        double cx = face.centreX();
        double cy = face.minY() + 0.45 * fh;
        double rx = (0.5 + settings.hairMarginFaceWidths()) * fw;
        double ry = fh;

        byte[] labels = new byte[w * h];
        byte[] hairAboveJaw = new byte[w * h];
        byte[] belowJaw = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                Region r = Region.BACKGROUND;
                if (faceMask[p] != 0) {
                    r = Region.HEAD;
                } else if (person[p] != 0) {
                    if (y + 0.5 < jaw[x]) {
                        double ex = (x + 0.5 - cx) / rx;
                        double ey = (y + 0.5 - cy) / ry;
                        boolean inHead = ex * ex + ey * ey <= 1;
                        r = inHead ? Region.HEAD : Region.TORSO;
                        hairAboveJaw[p] = (byte) (inHead ? 1 : 0);
                    } else {
                        r = Region.TORSO;
                        belowJaw[p] = 1;
                    }
                }
                labels[p] = r.label();
            }
        }
        addHairBelowJaw(frame, face, faceMask, hairAboveJaw, belowJaw, labels);
        markNeck(face, labels, belowJaw, w, h);
        addPiecesBesideTheFace(face, labels, belowJaw, w, h);
        return new RegionMap(w, h, labels);
    }

    /**
     * Ear lobes, earrings and strands beside the face: pieces below the jaw line that are neither neck nor
     * connected to anything reaching below the chin belong to the head.
     */
    private static void addPiecesBesideTheFace(FaceOutline face, byte[] labels, byte[] belowJaw, int w, int h) {
        byte[] rest = new byte[w * h];
        for (int p = 0; p < rest.length; p++) {
            rest[p] = (byte) (belowJaw[p] != 0 && labels[p] == Region.TORSO.label() ? 1 : 0);
        }
        int[] components = Pixels.components(rest, w, h, 8);
        int count = Arrays.stream(components).max().orElse(0);
        int[] lowestRow = new int[count + 1];
        for (int p = 0; p < components.length; p++) {
            lowestRow[components[p]] = Math.max(lowestRow[components[p]], p / w);
        }
        double chinLevel = face.chinY() + 0.1 * Math.max(face.height(), 1);
        for (int p = 0; p < components.length; p++) {
            int c = components[p];
            if (c > 0 && lowestRow[c] < chinLevel) {
                labels[p] = Region.HEAD.label();
            }
        }
    }

    /** Hair hanging below the jaw line: hair-coloured, smoothed, connected to the head's hair. */
    private void addHairBelowJaw(RgbImage frame, FaceOutline face, byte[] faceMask, byte[] hairAboveJaw,
                                 byte[] belowJaw, byte[] labels) {
        int w = frame.width();
        int h = frame.height();
        double fw = Math.max(face.width(), 1);
        double fh = Math.max(face.height(), 1);
        byte[] lab = lab(frame);
        // Hair samples: the head above the forehead line, away from the face (the top of the head).
        byte[] nearFace = Pixels.morphology(faceMask, w, h, opencv_imgproc.MORPH_DILATE, odd(0.06 * fw));
        double topLine = face.minY() + 0.2 * fh;
        ColourHistogram hair = new ColourHistogram();
        for (int y = 0; y < Math.min(h, (int) topLine); y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                if (hairAboveJaw[p] != 0 && nearFace[p] == 0) {
                    hair.add(lab, p);
                }
            }
        }
        if (hair.count() < MIN_HAIR_SAMPLES_OF_FACE * fw * fh) {
            return;
        }
        ColourHistogram skin = new ColourHistogram();
        byte[] faceCore = Pixels.morphology(faceMask, w, h, opencv_imgproc.MORPH_ERODE, odd(0.1 * fw));
        for (int p = 0; p < faceCore.length; p++) {
            if (faceCore[p] != 0) {
                skin.add(lab, p);
            }
        }
        hair.smooth();
        skin.smooth();
        double deepest = face.chinY() + settings.hairDepthFaceHeights() * fh;
        double neckCoreHalfWidth = 0.25 * face.jawAngleWidth();
        byte[] hairLike = new byte[w * h];
        for (int y = 0; y < Math.min(h, (int) Math.ceil(deepest)); y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                boolean neckCore = y + 0.5 > face.chinY() && Math.abs(x + 0.5 - face.chinX()) < neckCoreHalfWidth;
                if (belowJaw[p] != 0 && !neckCore && hair.density(lab, p) > skin.density(lab, p)
                        && hair.density(lab, p) > ColourHistogram.MIN_DENSITY) {
                    hairLike[p] = 1;
                }
            }
        }
        int smoothing = odd(0.04 * fw);
        hairLike = Pixels.morphology(hairLike, w, h, opencv_imgproc.MORPH_OPEN, smoothing);
        hairLike = Pixels.morphology(hairLike, w, h, opencv_imgproc.MORPH_CLOSE, smoothing);
        byte[] touching = Pixels.morphology(hairAboveJaw, w, h, opencv_imgproc.MORPH_DILATE, 5);
        byte[] hangingHair = Pixels.keepConnectedTo(hairLike, touching, w, h);
        // Strand tips see the background through them and match neither model: thin pieces of the body left
        // along the hanging hair go with it.
        byte[] body = new byte[w * h];
        for (int p = 0; p < Math.min(body.length, (long) w * (int) Math.ceil(deepest)); p++) {
            body[p] = (byte) (belowJaw[p] != 0 && hangingHair[p] == 0 ? 1 : 0);
        }
        byte[] solid = Pixels.morphology(body, w, h, opencv_imgproc.MORPH_OPEN, odd(0.06 * fw));
        byte[] nearHair = Pixels.morphology(hangingHair, w, h, opencv_imgproc.MORPH_DILATE, odd(0.04 * fw));
        for (int p = 0; p < labels.length; p++) {
            boolean strand = body[p] != 0 && solid[p] == 0 && nearHair[p] != 0;
            if (belowJaw[p] != 0 && (hangingHair[p] != 0 || strand)) {
                labels[p] = Region.HEAD.label();
                belowJaw[p] = 0;
            }
        }
    }

    /** The neck: what is left below the jaw line, connected to the point under the chin, above the shoulders. */
    private void markNeck(FaceOutline face, byte[] labels, byte[] belowJaw, int w, int h) {
        double fh = Math.max(face.height(), 1);
        int column = (int) Math.max(0, Math.min(w - 1, Math.floor(face.chinX())));
        int seedRow = (int) Math.floor(face.chinY() + 0.05 * fh);
        if (seedRow < 0 || seedRow >= h) {
            return;
        }
        int bottom = neckBottomRow(belowJaw, w, h, column, face, fh);
        byte[] upper = new byte[w * h];
        for (int y = 0; y <= bottom; y++) {
            System.arraycopy(belowJaw, y * w, upper, y * w, w);
        }
        int seed = seedRow * w + column;
        if (upper[seed] == 0) {
            return;
        }
        byte[] seedMask = new byte[w * h];
        seedMask[seed] = 1;
        byte[] neck = Pixels.keepConnectedTo(upper, seedMask, w, h);
        for (int p = 0; p < neck.length; p++) {
            if (neck[p] != 0) {
                labels[p] = Region.NECK.label();
            }
        }
    }

    /** The last neck row: above the row where the run through the chin column widens into the shoulders. */
    private int neckBottomRow(byte[] body, int w, int h, int column, FaceOutline face, double fh) {
        int first = (int) Math.floor(face.chinY() + 0.02 * fh);
        int reference = (int) Math.floor(face.chinY() + 0.12 * fh);
        int limit = (int) Math.min(h - 1, Math.floor(face.chinY() + settings.neckLengthFaceHeights() * fh));
        int[] widths = new int[Math.max(0, Math.min(reference, h - 1) - Math.max(first, 0) + 1)];
        int n = 0;
        for (int y = Math.max(first, 0); y <= Math.min(reference, h - 1); y++) {
            int width = runWidth(body, w, y, column);
            if (width > 0) {
                widths[n++] = width;
            }
        }
        if (n == 0) {
            return limit;
        }
        Arrays.sort(widths, 0, n);
        double neckWidth = widths[n / 2];
        for (int y = reference + 1; y <= limit; y++) {
            if (runWidth(body, w, y, column) > settings.shoulderWidening() * neckWidth) {
                return y - 1;
            }
        }
        return limit;
    }

    private static int runWidth(byte[] mask, int w, int y, int column) {
        int row = y * w;
        if (mask[row + column] == 0) {
            return 0;
        }
        int left = column;
        while (left > 0 && mask[row + left - 1] != 0) {
            left--;
        }
        int right = column;
        while (right < w - 1 && mask[row + right + 1] != 0) {
            right++;
        }
        return right - left + 1;
    }

    /** The frame in OpenCV's 8-bit Lab (L, a + 128, b + 128), interleaved. */
    private static byte[] lab(RgbImage frame) {
        try (Mat rgb = Pixels.mat(frame.rgb(), frame.width(), frame.height(), 3); Mat out = new Mat()) {
            opencv_imgproc.cvtColor(rgb, out, opencv_imgproc.COLOR_RGB2Lab);
            return Pixels.bytes(out);
        }
    }

    private static int odd(double size) {
        int s = Math.max(1, (int) Math.round(size));
        return s % 2 == 0 ? s + 1 : s;
    }

    /**
     * A normalised Lab histogram: 8 lightness bins (lighting varies), 32 x 32 bins of a and b (what separates
     * hair from skin), smoothed over neighbouring bins.
     */
    private static final class ColourHistogram {
        static final double MIN_DENSITY = 1e-4;
        private static final int L_BINS = 8;
        private static final int AB_BINS = 32;
        private double[] bins = new double[L_BINS * AB_BINS * AB_BINS];
        private long count;

        void add(byte[] lab, int p) {
            bins[bin(lab, p)]++;
            count++;
        }

        long count() {
            return count;
        }

        double density(byte[] lab, int p) {
            return bins[bin(lab, p)];
        }

        /** 3 x 3 x 3 box over neighbouring bins, then divided by the sample count. */
        void smooth() {
            double[] out = new double[bins.length];
            for (int l = 0; l < L_BINS; l++) {
                for (int a = 0; a < AB_BINS; a++) {
                    for (int b = 0; b < AB_BINS; b++) {
                        double sum = 0;
                        for (int dl = -1; dl <= 1; dl++) {
                            for (int da = -1; da <= 1; da++) {
                                for (int db = -1; db <= 1; db++) {
                                    int ll = l + dl;
                                    int aa = a + da;
                                    int bb = b + db;
                                    if (ll >= 0 && ll < L_BINS && aa >= 0 && aa < AB_BINS && bb >= 0 && bb < AB_BINS) {
                                        sum += bins[(ll * AB_BINS + aa) * AB_BINS + bb];
                                    }
                                }
                            }
                        }
                        out[(l * AB_BINS + a) * AB_BINS + b] = sum / (27.0 * Math.max(1, count));
                    }
                }
            }
            bins = out;
        }

        private static int bin(byte[] lab, int p) {
            int l = (lab[3 * p] & 0xff) * L_BINS / 256;
            int a = (lab[3 * p + 1] & 0xff) * AB_BINS / 256;
            int b = (lab[3 * p + 2] & 0xff) * AB_BINS / 256;
            return (l * AB_BINS + a) * AB_BINS + b;
        }
    }
}
