package dev.synctalk.service.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AudioInboxTest {
    private static float[] ramp(int n, float from) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = from + i * 1e-4f;
        }
        return s;
    }

    @Test
    void speechGoesOutFrameByFrameIdleFillsAtTheDeadlineAndTheEndFlushes() throws Exception {
        AudioInbox inbox = new AudioInbox(16_000, 16_000);
        long past = System.nanoTime() - 1;
        AudioInbox.Take idle = inbox.next(640, past);
        assertEquals(SessionTick.Kind.IDLE, idle.kind(), "nothing came by the deadline: silence");
        assertArrayEquals(new float[640], idle.samples());

        float[] speech = ramp(1000, 0.1f);
        inbox.offer(speech);
        AudioInbox.Take full = inbox.next(640, Long.MAX_VALUE);
        assertEquals(SessionTick.Kind.SPEECH, full.kind());
        assertArrayEquals(java.util.Arrays.copyOf(speech, 640), full.samples());
        AudioInbox.Take padded = inbox.next(640, past);
        assertEquals(SessionTick.Kind.SPEECH, padded.kind(), "speech that is here goes out padded at the deadline");
        assertArrayEquals(java.util.Arrays.copyOf(java.util.Arrays.copyOfRange(speech, 640, 1000), 640), padded.samples());

        inbox.offer(ramp(100, 0.5f));
        inbox.end();
        assertEquals(100, inbox.next(640, Long.MAX_VALUE).samples().length, "after the end: the short last frame");
        assertNull(inbox.next(640, Long.MAX_VALUE), "then the timeline ends");
    }

    @Test
    void theAudioLimitRefusesWhatGoesPastIt() {
        AudioInbox inbox = new AudioInbox(16_000, 16_000);
        inbox.offer(new float[15_000]);
        AudioInbox.AudioLimitException e = assertThrows(AudioInbox.AudioLimitException.class,
                () -> inbox.offer(new float[1_001]));
        assertEquals("the session's audio would exceed its limit of 1 s (16000 samples at 16000 Hz)", e.getMessage());
        assertEquals(15_000, inbox.received());
    }
}
