package dev.synctalk.parsing;

/**
 * The four classes of SyncTalk's parsing images, with the colours the reference writes.
 *
 * <p>What the reference does (ZiqiaoPeng/SyncTalk, data_utils/face_parsing/test.py and data_utils/process.py):
 * BiSeNet's 19 face classes are collapsed to head (1-13: skin, brows, eyes, glasses, ears, earrings, nose,
 * mouth, lips; 17-18: hair, hat), neck (14-15: neck, necklace), torso (16: cloth) and background (0). The
 * colour array is filled with [255, 0, 0] for head, [0, 255, 0] for neck, [0, 0, 255] for torso and
 * [255, 255, 255] for background and written with cv2.imwrite, which takes arrays as BGR. So in the PNG
 * file (RGB terms) head is pure blue, neck pure green, torso pure red, background white; process.py reads
 * the files back with cv2.imread (BGR again) and tests {@code seg[..., 0] == 255} for head, and so on.
 * These are the colours below, in RGB.
 */
public enum Region {
    BACKGROUND(255, 255, 255),
    HEAD(0, 0, 255),
    NECK(0, 255, 0),
    TORSO(255, 0, 0);

    private final int red;
    private final int green;
    private final int blue;

    Region(int red, int green, int blue) {
        this.red = red;
        this.green = green;
        this.blue = blue;
    }

    public int red() {
        return red;
    }

    public int green() {
        return green;
    }

    public int blue() {
        return blue;
    }

    /** The label byte stored in a {@link RegionMap} for this region. */
    public byte label() {
        return (byte) ordinal();
    }

    private static final Region[] VALUES = values();

    public static Region ofLabel(byte label) {
        return VALUES[label];
    }

    /** The region whose reference colour is exactly this RGB, or null for any other colour. */
    public static Region ofColour(int red, int green, int blue) {
        for (Region r : VALUES) {
            if (r.red == red && r.green == green && r.blue == blue) {
                return r;
            }
        }
        return null;
    }
}
