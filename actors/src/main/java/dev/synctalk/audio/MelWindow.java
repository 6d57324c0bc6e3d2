package dev.synctalk.audio;

import dev.synctalk.features.FeatureTensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * The normalised log-mel window the audio-visual encoder sees for video frame {@code frameIndex}: laid
 * out {@code [melBands][windowFrames]} (mels x time, the AVE input 1x80x16), row-major.
 */
public record MelWindow(long frameIndex, int melBands, int windowFrames, float[] data) implements FeatureTensor {
    /** SyncTalk's AVE input: 80 mel bands x 16 mel frames. */
    public static final int AVE_MEL_BANDS = 80;
    public static final int AVE_WINDOW_FRAMES = 16;

    public MelWindow {
        Objects.requireNonNull(data, "data");
        if (melBands <= 0 || windowFrames <= 0 || data.length != melBands * windowFrames) {
            throw new IllegalArgumentException("mel window " + frameIndex + ": " + melBands + "x" + windowFrames
                    + " needs " + melBands * windowFrames + " values, got " + data.length);
        }
    }

    /** A window of the AVE's shape, 80 x 16. */
    public MelWindow(long frameIndex, float[] data) {
        this(frameIndex, AVE_MEL_BANDS, AVE_WINDOW_FRAMES, data);
    }

    @Override
    public int[] shape() {
        return new int[] {melBands, windowFrames};
    }

    /** Value of mel band {@code mel} at window frame {@code t}. */
    public float at(int mel, int t) {
        return data[mel * windowFrames + t];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MelWindow w && frameIndex == w.frameIndex && melBands == w.melBands
                && windowFrames == w.windowFrames && Arrays.equals(data, w.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(frameIndex, melBands, windowFrames) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "MelWindow[" + frameIndex + ", " + melBands + "x" + windowFrames + "]";
    }
}
