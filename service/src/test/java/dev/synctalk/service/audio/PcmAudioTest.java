package dev.synctalk.service.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class PcmAudioTest {
    private static byte[] wav(int format, int channels, int rate, int bits, byte[] data, int fmtSize) {
        ByteBuffer b = ByteBuffer.allocate(20 + fmtSize + 8 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(12 + fmtSize + data.length).put("WAVE".getBytes()).put("fmt ".getBytes())
                .putInt(fmtSize).putShort((short) format).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits);
        if (fmtSize == 40) {
            b.putShort((short) 22).putShort((short) bits).putInt(4).putShort((short) 1).put(new byte[14]);
        }
        b.put("data".getBytes()).putInt(data.length).put(data);
        return b.array();
    }

    @Test
    void samplesSurviveTheRoundTripThroughS16le() {
        float[] samples = {0f, 0.5f, -0.5f, -1f, 32767f / 32768f};
        assertArrayEquals(samples, PcmAudio.fromS16le(PcmAudio.toS16le(samples), 0, 10));
    }

    @Test
    void aWavOfTheExpectedFormatIsRead() {
        byte[] pcm = PcmAudio.toS16le(new float[] {0.25f, -0.25f, 0.125f});
        assertArrayEquals(new float[] {0.25f, -0.25f, 0.125f}, PcmAudio.fromWav(wav(1, 1, 16_000, 16, pcm, 16), 16_000));
        assertEquals(3, PcmAudio.fromWav(wav(0xFFFE, 1, 16_000, 16, pcm, 40), 16_000).length, "WAVE_FORMAT_EXTENSIBLE PCM");
    }

    @Test
    void badAudioNamesItsCause() {
        byte[] pcm = new byte[64];
        assertTrue(assertThrows(BadAudioException.class, () -> PcmAudio.fromWav(wav(1, 1, 8_000, 16, pcm, 16), 16_000))
                .getMessage().startsWith("wrong sample rate: the WAV is at 8000 Hz"));
        assertTrue(assertThrows(BadAudioException.class, () -> PcmAudio.fromWav(wav(0x55, 1, 16_000, 16, pcm, 16), 16_000))
                .getMessage().startsWith("not PCM: the WAV holds MP3"));
        assertTrue(assertThrows(BadAudioException.class, () -> PcmAudio.fromWav(wav(1, 1, 16_000, 8, pcm, 16), 16_000))
                .getMessage().startsWith("not 16-bit PCM"));
        assertTrue(assertThrows(BadAudioException.class, () -> PcmAudio.fromS16le(new byte[3], 0, 3))
                .getMessage().startsWith("not 16-bit PCM: a chunk of 3 bytes"));
        assertTrue(assertThrows(BadAudioException.class, () -> PcmAudio.fromWav(new byte[0], 16_000))
                .getMessage().startsWith("empty upload"));
    }
}
