package dev.synctalk.dataset;

import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/** Per-pixel parsing classes of one frame, row-major. */
public record ParsingMap(int width, int height, ParsingClass[] classes) {
    public ParsingMap {
        if (classes.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " parsing map needs " + width * height
                    + " classes, got " + classes.length);
        }
    }

    public static ParsingMap filled(int width, int height, ParsingClass value) {
        ParsingClass[] classes = new ParsingClass[width * height];
        Arrays.fill(classes, value);
        return new ParsingMap(width, height, classes);
    }

    /** Classifies an RGB image by exact 8-bit colour, like the reference's equality tests. */
    public static ParsingMap fromImage(FloatImage image) {
        ParsingClass[] classes = new ParsingClass[image.pixelCount()];
        for (int p = 0; p < classes.length; p++) {
            int base = p * image.channels();
            classes[p] = ParsingClass.of(FloatImage.toByte(image.data()[base]), FloatImage.toByte(image.data()[base + 1]),
                    FloatImage.toByte(image.data()[base + 2]));
        }
        return new ParsingMap(image.width(), image.height(), classes);
    }

    public static ParsingMap read(Path png) throws IOException {
        FloatImage image = ImageFiles.read(png);
        if (image.channels() < 3) {
            throw new IOException("parsing mask " + png + " is not an RGB image");
        }
        return fromImage(image);
    }

    public FloatImage toImage() {
        float[] data = new float[width * height * 3];
        for (int p = 0; p < classes.length; p++) {
            int[] rgb = (classes[p] == ParsingClass.OTHER ? ParsingClass.BACKGROUND : classes[p]).rgb();
            for (int c = 0; c < 3; c++) {
                data[p * 3 + c] = rgb[c] / 255f;
            }
        }
        return new FloatImage(width, height, 3, data);
    }

    public ParsingClass at(int x, int y) {
        return classes[y * width + x];
    }

    public void set(int x, int y, ParsingClass value) {
        classes[y * width + x] = value;
    }

    /** Mask of the pixels of one class, row-major. */
    public boolean[] mask(ParsingClass value) {
        boolean[] out = new boolean[classes.length];
        for (int p = 0; p < classes.length; p++) {
            out[p] = classes[p] == value;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParsingMap m && width == m.width && height == m.height && Arrays.equals(classes, m.classes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(classes);
    }
}
