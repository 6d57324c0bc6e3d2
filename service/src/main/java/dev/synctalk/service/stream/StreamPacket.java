package dev.synctalk.service.stream;

import dev.synctalk.engine.stage.Indexed;

/**
 * One encoded frame of a session for its clients: the JPEG, the audio it was rendered from (shown at the
 * same time), and, when the session streams MP4, the fragmented-MP4 bytes the muxer wrote for it.
 *
 * @param ptsMicros     presentation time of frame and audio: {@code frameIndex * 1e6 / fps}
 * @param mp4           fragmented MP4 bytes written after this frame (often empty); null when off
 * @param renderedNanos {@link System#nanoTime()} when the encoder received the rendered frame
 * @param tick          the frame's timeline slot; null only for the MP4 tail after the last frame
 */
public record StreamPacket(long frameIndex, long ptsMicros, SessionTick tick, int width, int height, byte[] jpeg,
                           byte[] mp4, long renderedNanos) implements Indexed {

    /** The last bytes of the live MP4, after the last frame: no picture, no audio. */
    public static StreamPacket mp4Tail(long frameIndex, byte[] mp4) {
        return new StreamPacket(frameIndex, -1, null, 0, 0, new byte[0], mp4, System.nanoTime());
    }

    public boolean isMp4Tail() {
        return tick == null;
    }

    /** Bytes a client queue holds for this packet. */
    public long sizeBytes() {
        return jpeg.length + (tick == null ? 0 : 2L * tick.samples().length) + (mp4 == null ? 0 : mp4.length);
    }
}
