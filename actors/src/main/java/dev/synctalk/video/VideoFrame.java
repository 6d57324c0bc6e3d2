package dev.synctalk.video;

import dev.synctalk.engine.stage.Indexed;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.bytedeco.javacv.Frame;

/**
 * One decoded video frame on the constant-rate output timeline.
 *
 * @param frameIndex index on the output timeline (frame i is shown at i / fps seconds)
 * @param ptsMicros  presentation time of this output frame in microseconds, {@code round(i * 1e6 / fps)}
 * @param rgb        interleaved 8-bit RGB, row-major, {@code width * height * 3} bytes
 */
public record VideoFrame(long frameIndex, long ptsMicros, int width, int height, byte[] rgb) implements Indexed {
    public VideoFrame {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("frame " + frameIndex + ": " + width + "x" + height
                    + " RGB needs " + width * height * 3L + " bytes, got " + rgb.length);
        }
    }

    /** The interleaved RGB rows of a decoded JavaCV frame (RGB24), copied out of its buffer without row padding. */
    public static byte[] packedRgb(Frame frame) {
        int width = frame.imageWidth;
        int height = frame.imageHeight;
        int rowBytes = width * 3;
        int stride = frame.imageStride;
        ByteBuffer buffer = (ByteBuffer) frame.image[0];
        byte[] rgb = new byte[rowBytes * height];
        if (stride == rowBytes) {
            buffer.get(0, rgb, 0, rgb.length);
        } else {
            for (int y = 0; y < height; y++) {
                buffer.get(y * stride, rgb, y * rowBytes, rowBytes);
            }
        }
        return rgb;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VideoFrame f && frameIndex == f.frameIndex && ptsMicros == f.ptsMicros
                && width == f.width && height == f.height && Arrays.equals(rgb, f.rgb);
    }

    @Override
    public int hashCode() {
        return Objects.hash(frameIndex, ptsMicros, width, height) * 31 + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "VideoFrame[" + frameIndex + ", pts " + ptsMicros + " us, " + width + "x" + height + "]";
    }
}
