package dev.synctalk.service.audio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The one audio format the service takes: 16-bit signed little-endian PCM, mono, at the session's rate
 * (16 kHz, what the models' log-mel features are computed at). Raw over the WebSocket, or as a WAV file
 * upload. Anything else is refused with a {@link BadAudioException} that says what was wrong; the service
 * does not resample (a resampler here would be a second, untested audio path next to FFmpeg's).
 */
public final class PcmAudio {
    /** What every error message asks for. */
    public static final String EXPECTED = "16-bit signed little-endian PCM, mono, 16000 Hz";

    private PcmAudio() {
    }

    /** Raw s16le samples scaled to [-1, 1). */
    public static float[] fromS16le(byte[] bytes, int offset, int length) {
        if (length % 2 != 0) {
            throw new BadAudioException("not 16-bit PCM: a chunk of " + length + " bytes is an odd count; send "
                    + EXPECTED);
        }
        float[] out = new float[length / 2];
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < out.length; i++) {
            out[i] = in.getShort() / 32768f;
        }
        return out;
    }

    /** Samples in [-1, 1] as s16le (clipped), for clients. */
    public static byte[] toS16le(float[] samples) {
        ByteBuffer out = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : samples) {
            out.putShort((short) Math.max(-32768, Math.min(32767, Math.round(s * 32768f))));
        }
        return out.array();
    }

    /**
     * The samples of a WAV file, which must be {@link #EXPECTED} at {@code sampleRateHz}.
     * @throws BadAudioException naming the first thing that is wrong (not WAV, not PCM, wrong rate, empty...)
     */
    public static float[] fromWav(byte[] file, int sampleRateHz) {
        if (file.length == 0) {
            throw new BadAudioException("empty upload: no audio; send a WAV file of " + EXPECTED);
        }
        if (file.length < 12 || !ascii(file, 0).equals("RIFF") || !ascii(file, 8).equals("WAVE")) {
            throw new BadAudioException("not a WAV file (no RIFF/WAVE header); send a WAV file of " + EXPECTED);
        }
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int at = 12;
        boolean fmtSeen = false;
        while (at + 8 <= file.length) {
            String id = ascii(file, at);
            long size = in.getInt(at + 4) & 0xffffffffL;
            int body = at + 8;
            if (id.equals("fmt ")) {
                if (size < 16 || body + 16 > file.length) {
                    throw new BadAudioException("WAV fmt chunk is truncated (" + size + " bytes)");
                }
                int format = in.getShort(body) & 0xffff;
                int channels = in.getShort(body + 2) & 0xffff;
                int rate = in.getInt(body + 4);
                int bits = in.getShort(body + 14) & 0xffff;
                if (format == 0xFFFE && size >= 40) {
                    format = in.getShort(body + 24) & 0xffff; // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID's first two bytes
                }
                if (format != 1) {
                    throw new BadAudioException("not PCM: the WAV holds " + formatName(format) + " audio; send " + EXPECTED);
                }
                if (bits != 16) {
                    throw new BadAudioException("not 16-bit PCM: the WAV has " + bits + "-bit samples; send " + EXPECTED);
                }
                if (channels != 1) {
                    throw new BadAudioException("not mono: the WAV has " + channels + " channels; send " + EXPECTED);
                }
                if (rate != sampleRateHz) {
                    throw new BadAudioException("wrong sample rate: the WAV is at " + rate + " Hz, the service takes "
                            + sampleRateHz + " Hz (resample first, e.g. ffmpeg -i in.wav -ar " + sampleRateHz
                            + " -ac 1 -c:a pcm_s16le out.wav)");
                }
                fmtSeen = true;
            } else if (id.equals("data")) {
                if (!fmtSeen) {
                    throw new BadAudioException("WAV data comes before its fmt chunk; send " + EXPECTED);
                }
                int length = (int) Math.min(size, file.length - body);
                if (length <= 1) {
                    throw new BadAudioException("empty audio: the WAV's data chunk holds no samples");
                }
                return fromS16le(file, body, length - length % 2);
            }
            at = body + (int) Math.min(size + (size & 1), Integer.MAX_VALUE - body);
        }
        throw new BadAudioException(fmtSeen ? "empty audio: the WAV has no data chunk"
                : "not a usable WAV file: no fmt chunk; send " + EXPECTED);
    }

    private static String formatName(int format) {
        return switch (format) {
            case 3 -> "32-bit float";
            case 6 -> "A-law";
            case 7 -> "mu-law";
            case 0x55 -> "MP3";
            default -> "format " + format;
        };
    }

    private static String ascii(byte[] b, int at) {
        return at + 4 <= b.length ? new String(b, at, 4, StandardCharsets.US_ASCII) : "";
    }
}
