package dev.synctalk.dataset;

/**
 * Semantic classes of the parsing masks and their colours in the PNG files. The reference paints numpy
 * arrays [255,0,0] (head), [0,255,0] (neck), [0,0,255] (torso) and white (background) and writes them with
 * cv2.imwrite, which stores arrays as BGR: in RGB the head is blue and the torso red.
 */
public enum ParsingClass {
    HEAD(0, 0, 255), NECK(0, 255, 0), TORSO(255, 0, 0), BACKGROUND(255, 255, 255),
    /** Any other colour (the reference leaves such pixels out of every class). */
    OTHER(-1, -1, -1);

    private final int red;
    private final int green;
    private final int blue;

    ParsingClass(int red, int green, int blue) {
        this.red = red;
        this.green = green;
        this.blue = blue;
    }

    /** RGB colour as 0..255 values. */
    public int[] rgb() {
        if (this == OTHER) {
            throw new IllegalStateException("OTHER has no colour");
        }
        return new int[] {red, green, blue};
    }

    /** The class of an exact RGB colour, as the reference's equality tests classify it. */
    public static ParsingClass of(int red, int green, int blue) {
        for (ParsingClass c : values()) {
            if (c.red == red && c.green == green && c.blue == blue) {
                return c;
            }
        }
        return OTHER;
    }
}
