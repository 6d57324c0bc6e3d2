package dev.synctalk.parsing;

/**
 * Splits a person mask into head, neck and torso from the face contour, the classical stand-in for the
 * reference's BiSeNet classes (head = face parts + hair, neck = neck + necklace, torso = cloth).
 *
 * <ul>
 *   <li>head: the face oval, plus person pixels above the jaw line (hair, ears) within a band of
 *       {@code hairMarginFaceWidths} face widths either side of the face; the jaw line is the lower face
 *       contour (cheek, chin, cheek), continued at the chin's height beyond the cheeks;</li>
 *   <li>neck: person pixels below the jaw line inside a vertical band centred on the chin, as wide as
 *       {@code neckWidthFraction} of the jaw-angle distance, down to {@code neckLengthFaceHeights} face heights
 *       below the chin or to the first row where the person run through the chin column is wider than
 *       {@code shoulderWidthFactor} neck widths (the shoulders), whichever comes first;</li>
 *   <li>torso: every other person pixel; background: the rest.</li>
 * </ul>
 */
public final class RegionSplitter {

    public record Settings(double hairMarginFaceWidths, double neckWidthFraction, double neckLengthFaceHeights,
                           double shoulderWidthFactor) {
        public static Settings defaults() {
            return new Settings(0.5, 0.7, 0.45, 3.5);
        }
    }

    private final Settings settings;

    public RegionSplitter(Settings settings) {
        this.settings = settings;
    }

    public RegionMap split(byte[] person, int width, int height, FaceOutline face) {
        if (person.length != width * height) {
            throw new IllegalArgumentException("person mask has " + person.length + " pixels, expected "
                    + width + "x" + height);
        }
        byte[] labels = new byte[width * height];
        byte[] faceMask = face.rasterise(width, height);
        double faceWidth = Math.max(face.width(), 1);
        double headLeft = face.minX() - settings.hairMarginFaceWidths() * faceWidth;
        double headRight = face.maxX() + settings.hairMarginFaceWidths() * faceWidth;
        double[] jawY = new double[width];
        for (int x = 0; x < width; x++) {
            jawY[x] = face.jawY(x + 0.5);
        }
        double neckHalfWidth = 0.5 * settings.neckWidthFraction() * face.jawAngleWidth();
        double neckCentre = face.chinX();
        int neckBottom = neckBottomRow(person, width, height, face, neckHalfWidth);

        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = y * width + x;
                Region region;
                if (faceMask[p] != 0) {
                    region = Region.HEAD;
                } else if (person[p] == 0) {
                    region = Region.BACKGROUND;
                } else if (y + 0.5 < jawY[x]) {
                    region = x + 0.5 >= headLeft && x + 0.5 <= headRight ? Region.HEAD : Region.TORSO;
                } else if (Math.abs(x + 0.5 - neckCentre) <= neckHalfWidth && y <= neckBottom) {
                    region = Region.NECK;
                } else {
                    region = Region.TORSO;
                }
                labels[p] = region.label();
            }
        }
        return new RegionMap(width, height, labels);
    }

    /** The last row of the neck: the length limit, or just above the row where the shoulders widen. */
    private int neckBottomRow(byte[] person, int width, int height, FaceOutline face, double neckHalfWidth) {
        int chinRow = (int) Math.floor(face.chinY());
        int limit = (int) Math.min(height - 1, Math.floor(face.chinY() + settings.neckLengthFaceHeights() * face.height()));
        int column = (int) Math.max(0, Math.min(width - 1, Math.round(face.chinX())));
        double shoulderRun = settings.shoulderWidthFactor() * 2 * neckHalfWidth;
        for (int y = Math.max(0, chinRow + 1); y <= limit; y++) {
            int row = y * width;
            if (person[row + column] == 0) {
                continue;
            }
            int left = column;
            while (left > 0 && person[row + left - 1] != 0) {
                left--;
            }
            int right = column;
            while (right < width - 1 && person[row + right + 1] != 0) {
                right++;
            }
            if (right - left + 1 > shoulderRun) {
                return y - 1;
            }
        }
        return limit;
    }
}
