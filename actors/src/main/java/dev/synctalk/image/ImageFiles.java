package dev.synctalk.image;

import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Reads and writes JPEG/PNG images with OpenCV's codecs (the ones cv2.imread/imwrite use, so files match
 * the Python SyncTalk preprocessing), converting OpenCV's BGR(A) order to our RGB(A).
 */
public final class ImageFiles {
    private ImageFiles() {
    }

    /** Decodes an 8-bit grey, RGB or RGBA image; channels as stored (grey stays 1 channel). */
    public static FloatImage read(Path file) throws IOException {
        return readBytes(file).toFloat();
    }

    /** As {@link #read}, keeping the 8-bit samples. */
    public static ByteImage readBytes(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "image file missing");
        }
        byte[] bytes = Files.readAllBytes(file);
        try (Mat encoded = new Mat(1, bytes.length, opencv_core.CV_8UC1)) {
            encoded.data().put(bytes, 0, bytes.length);
            try (Mat mat = opencv_imgcodecs.imdecode(encoded, opencv_imgcodecs.IMREAD_UNCHANGED)) {
                if (mat == null || mat.empty()) {
                    throw new IOException("cannot decode image " + file);
                }
                if (mat.depth() != opencv_core.CV_8U) {
                    throw new IOException("image " + file + " is not 8 bits per sample");
                }
                int channels = mat.channels();
                byte[] samples = new byte[mat.rows() * mat.cols() * channels];
                if (mat.isContinuous()) {
                    mat.data().get(samples, 0, samples.length);
                } else {
                    try (Mat dense = mat.clone()) {
                        dense.data().get(samples, 0, samples.length);
                    }
                }
                swapRedBlue(samples, channels);
                return new ByteImage(mat.cols(), mat.rows(), channels, samples);
            }
        }
    }

    /** Encodes as JPEG (quality 95, OpenCV's default) or PNG by the file name's extension. */
    public static byte[] encode(FloatImage image, String extension) {
        byte[] samples = image.toBytes();
        swapRedBlue(samples, image.channels());
        int type = switch (image.channels()) {
            case 1 -> opencv_core.CV_8UC1;
            case 3 -> opencv_core.CV_8UC3;
            case 4 -> opencv_core.CV_8UC4;
            default -> throw new IllegalArgumentException("cannot encode a " + image.channels() + "-channel image");
        };
        try (Mat mat = new Mat(image.height(), image.width(), type);
                BytePointer buffer = new BytePointer();
                IntPointer params = new IntPointer(new int[0])) {
            mat.data().put(samples, 0, samples.length);
            if (!opencv_imgcodecs.imencode("." + extension, mat, buffer, params) || buffer.limit() <= 0) {
                throw new IllegalStateException("OpenCV could not encode a " + image + " as " + extension);
            }
            byte[] out = new byte[(int) buffer.limit()];
            buffer.get(out);
            return out;
        }
    }

    /** Writes atomically; the format follows the extension of {@code file} (jpg or png). */
    public static void write(Path file, FloatImage image) throws IOException {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            throw new IllegalArgumentException("image file name needs an extension: " + file);
        }
        AtomicFiles.write(file, encode(image, name.substring(dot + 1).toLowerCase()));
    }

    private static void swapRedBlue(byte[] samples, int channels) {
        if (channels < 3) {
            return;
        }
        for (int i = 0; i + 2 < samples.length; i += channels) {
            byte r = samples[i];
            samples[i] = samples[i + 2];
            samples[i + 2] = r;
        }
    }
}
