package dev.synctalk.parsing;

/**
 * The per-frame face image the reference's face parsing writes next to each parsing image
 * (parsing/N_face.png, data_utils/face_parsing/test.py) for portrait mode.
 *
 * <p>Reference: at the 512 x 512 parsing resolution the face classes (skin, brows, eyes, glasses, nose, mouth,
 * lips; not ears or hair) are painted [255, 0, 0] in a white BGR image (blue in RGB terms); below the face,
 * in the middle two quarters of its columns, each column's lowest face pixel is extended 10 rows down (pad 5
 * either side of the lowest row + 5); then a 9x9 Gaussian blur (sigma 4, as the call passes
 * cv2.BORDER_DEFAULT) and a nearest-neighbour resize to the frame's size. Inference reads it as the soft mask
 * m = (255 - green) / 255. Here the face classes are the face oval from the landmarks.
 */
public final class PortraitFaceMask {
    /** The reference's parsing resolution. */
    public static final int PARSE_SIZE = 512;
    private static final int PAD = 5;

    private PortraitFaceMask() {
    }

    public static RgbImage of(FaceOutline face, int width, int height) {
        int s = PARSE_SIZE;
        FaceOutline scaled = face.scaled((double) s / width, (double) s / height);
        byte[] faceMask = scaled.rasterise(s, s);

        int minCol = Integer.MAX_VALUE;
        int maxCol = Integer.MIN_VALUE;
        int[] bottomRow = new int[s];
        java.util.Arrays.fill(bottomRow, -1);
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                if (faceMask[y * s + x] != 0) {
                    bottomRow[x] = y;
                    minCol = Math.min(minCol, x);
                    maxCol = Math.max(maxCol, x);
                }
            }
        }
        byte[] painted = faceMask.clone();
        if (minCol <= maxCol) {
            int quarter = (maxCol - minCol) / 4;
            int from = minCol + quarter;
            int to = minCol + 3 * quarter;
            for (int x = from; x <= to; x++) {
                if (bottomRow[x] < 0) {
                    continue;
                }
                int shifted = Math.min(bottomRow[x] + PAD, s - 1);
                int start = Math.max(shifted - PAD, 0);
                int end = Math.min(shifted + PAD, s);
                for (int y = start; y < end; y++) {
                    painted[y * s + x] = 1;
                }
            }
        }
        byte[] rgb = new byte[s * s * 3];
        for (int p = 0; p < s * s; p++) {
            boolean f = painted[p] != 0;
            rgb[3 * p] = (byte) (f ? 0 : 255);
            rgb[3 * p + 1] = (byte) (f ? 0 : 255);
            rgb[3 * p + 2] = (byte) 255;
        }
        byte[] blurred = Pixels.referenceBlur(rgb, s, s, 3, 9);
        return new RgbImage(width, height, Pixels.resizeNearest(blurred, s, s, 3, width, height));
    }

    /** The soft face weight inference uses: (255 - green) / 255 at pixel p. */
    public static double weight(RgbImage faceImage, int p) {
        return (255 - faceImage.channel(p, 1)) / 255.0;
    }
}
