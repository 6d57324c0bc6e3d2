package dev.synctalk.audio;

import dev.synctalk.engine.stage.Indexed;
import java.util.Arrays;
import java.util.Objects;

/**
 * The mono audio of one video frame: chunk i holds samples {@code [i*S, (i+1)*S)} of the resampled
 * track, with {@code S = sampleRateHz / fps} (the last chunk may be shorter).
 */
public record AudioChunk(long frameIndex, int sampleRateHz, float[] samples) implements Indexed {
    public AudioChunk {
        Objects.requireNonNull(samples, "samples");
        if (sampleRateHz <= 0) {
            throw new IllegalArgumentException("audio chunk " + frameIndex + ": sample rate " + sampleRateHz);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AudioChunk c && frameIndex == c.frameIndex && sampleRateHz == c.sampleRateHz
                && Arrays.equals(samples, c.samples);
    }

    @Override
    public int hashCode() {
        return Objects.hash(frameIndex, sampleRateHz) * 31 + Arrays.hashCode(samples);
    }

    @Override
    public String toString() {
        return "AudioChunk[" + frameIndex + ", " + samples.length + " samples at " + sampleRateHz + " Hz]";
    }
}
