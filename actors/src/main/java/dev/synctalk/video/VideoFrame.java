package dev.synctalk.video;

import dev.synctalk.engine.stage.Indexed;
import java.util.Arrays;
import java.util.Objects;

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
