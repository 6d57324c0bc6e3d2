package dev.synctalk.service.http;

import dev.synctalk.service.audio.PcmAudio;
import dev.synctalk.service.stream.StreamPacket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The binary WebSocket message of one frame, big-endian header then payloads:
 * <pre>
 *  0  4  magic "STK1"
 *  4  8  frame index
 * 12  8  presentation time, microseconds since the session started (frame and audio alike)
 * 20  1  kind: 0 idle, 1 speech
 * 21  2  width    23  2  height
 * 25  4  JPEG bytes (J)
 * 29  4  audio samples (N)
 * 33  J  the frame as JPEG
 * 33+J 2N the frame's audio: 16-bit signed little-endian PCM, mono, 16 kHz
 * </pre>
 */
public final class PacketWire {
    public static final int HEADER_BYTES = 33;
    private static final byte[] MAGIC = {'S', 'T', 'K', '1'};

    private PacketWire() {
    }

    /** A decoded frame message, as a client sees it. */
    public record Frame(long frameIndex, long ptsMicros, boolean speech, int width, int height, byte[] jpeg, byte[] pcm) {
        public int samples() {
            return pcm.length / 2;
        }
    }

    public static byte[] encode(StreamPacket p) {
        byte[] pcm = PcmAudio.toS16le(p.tick().samples());
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + p.jpeg().length + pcm.length).order(ByteOrder.BIG_ENDIAN);
        out.put(MAGIC).putLong(p.frameIndex()).putLong(p.ptsMicros()).put((byte) (p.tick().speech() ? 1 : 0))
                .putShort((short) p.width()).putShort((short) p.height()).putInt(p.jpeg().length)
                .putInt(pcm.length / 2).put(p.jpeg()).put(pcm);
        return out.array();
    }

    public static Frame decode(byte[] message) {
        if (message.length < HEADER_BYTES || !Arrays.equals(Arrays.copyOf(message, 4), MAGIC)) {
            throw new IllegalArgumentException("not a frame message (" + message.length + " bytes)");
        }
        ByteBuffer in = ByteBuffer.wrap(message).order(ByteOrder.BIG_ENDIAN);
        in.position(4);
        long index = in.getLong();
        long pts = in.getLong();
        boolean speech = in.get() == 1;
        int width = in.getShort() & 0xffff;
        int height = in.getShort() & 0xffff;
        int jpegBytes = in.getInt();
        int samples = in.getInt();
        if (HEADER_BYTES + jpegBytes + 2L * samples != message.length) {
            throw new IllegalArgumentException("frame message " + index + ": header says " + jpegBytes + " JPEG bytes and "
                    + samples + " samples, the message has " + message.length + " bytes");
        }
        byte[] jpeg = Arrays.copyOfRange(message, HEADER_BYTES, HEADER_BYTES + jpegBytes);
        byte[] pcm = Arrays.copyOfRange(message, HEADER_BYTES + jpegBytes, message.length);
        return new Frame(index, pts, speech, width, height, jpeg, pcm);
    }
}
