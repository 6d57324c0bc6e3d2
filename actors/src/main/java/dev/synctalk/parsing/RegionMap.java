package dev.synctalk.parsing;

import java.util.Objects;

/** One {@link Region} label per pixel, row-major. */
public record RegionMap(int width, int height, byte[] labels) {
    public RegionMap {
        Objects.requireNonNull(labels, "labels");
        if (labels.length != width * height) {
            throw new IllegalArgumentException(width + "x" + height + " needs " + width * height + " labels, got "
                    + labels.length);
        }
    }

    public Region at(int x, int y) {
        return Region.ofLabel(labels[y * width + x]);
    }

    public boolean is(int p, Region region) {
        return labels[p] == region.label();
    }

    public int count(Region region) {
        int n = 0;
        for (byte label : labels) {
            n += label == region.label() ? 1 : 0;
        }
        return n;
    }

    /** The parsing image as the reference writes it: each pixel painted with its region's colour (RGB). */
    public RgbImage toColourImage() {
        byte[] rgb = new byte[labels.length * 3];
        for (int p = 0; p < labels.length; p++) {
            Region r = Region.ofLabel(labels[p]);
            rgb[3 * p] = (byte) r.red();
            rgb[3 * p + 1] = (byte) r.green();
            rgb[3 * p + 2] = (byte) r.blue();
        }
        return new RgbImage(width, height, rgb);
    }

    /** Reads a reference-coded parsing image back; colours other than the four count as background. */
    public static RegionMap fromColourImage(RgbImage image) {
        byte[] labels = new byte[image.pixelCount()];
        for (int p = 0; p < labels.length; p++) {
            Region r = Region.ofColour(image.channel(p, 0), image.channel(p, 1), image.channel(p, 2));
            labels[p] = (r == null ? Region.BACKGROUND : r).label();
        }
        return new RegionMap(image.width(), image.height(), labels);
    }
}
