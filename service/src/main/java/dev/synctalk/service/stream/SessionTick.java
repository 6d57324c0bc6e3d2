package dev.synctalk.service.stream;

import dev.synctalk.engine.stage.Indexed;
import java.util.Arrays;
import java.util.Objects;

/**
 * One frame slot of a session's timeline: frame {@code frameIndex} is shown at
 * {@code frameIndex / fps} seconds of the session and plays {@code samples} (the audio it is rendered
 * from). Journaled, so a logged session says which frames were speech and when their audio came.
 *
 * @param kind          speech from the client, or idle (silence while no speech arrived in time)
 * @param arrivedMicros when the last of these samples reached the server, microseconds after the session
 *                      started; -1 for idle frames
 * @param emittedMicros when the source put the frame on the timeline, microseconds after the start
 */
public record SessionTick(long frameIndex, Kind kind, int sampleRateHz, float[] samples, long arrivedMicros,
                          long emittedMicros) implements Indexed {

    public enum Kind { IDLE, SPEECH }

    public SessionTick {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(samples, "samples");
        if (sampleRateHz <= 0) {
            throw new IllegalArgumentException("session tick " + frameIndex + ": sample rate " + sampleRateHz);
        }
    }

    public boolean speech() {
        return kind == Kind.SPEECH;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionTick t && frameIndex == t.frameIndex && kind == t.kind
                && sampleRateHz == t.sampleRateHz && arrivedMicros == t.arrivedMicros
                && emittedMicros == t.emittedMicros && Arrays.equals(samples, t.samples);
    }

    @Override
    public int hashCode() {
        return Objects.hash(frameIndex, kind, sampleRateHz, arrivedMicros, emittedMicros) * 31
                + Arrays.hashCode(samples);
    }

    @Override
    public String toString() {
        return "SessionTick[" + frameIndex + ", " + kind + ", " + samples.length + " samples]";
    }
}
