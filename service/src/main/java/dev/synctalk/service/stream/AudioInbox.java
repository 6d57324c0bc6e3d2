package dev.synctalk.service.stream;

import java.util.ArrayDeque;

/**
 * Where a client's speech waits for a session's audio source: samples in [-1, 1] at the session's rate,
 * appended by the connection and taken one video frame at a time by {@link SessionAudioStage}. At most
 * {@code maxSamples} are accepted over the whole session (the service's audio length limit), so the
 * inbox never holds more than that.
 */
public final class AudioInbox {

    /** What the source takes for one frame slot. */
    public record Take(float[] samples, SessionTick.Kind kind, long arrivedNanos) {
    }

    private final int sampleRateHz;
    private final long maxSamples;
    private float[] fifo = new float[16_000];
    private int head;
    private int count;
    private long received;
    private long taken;
    private boolean ended;
    /** (end sample position, arrival time) of each offered block, for arrival times of taken chunks. */
    private final ArrayDeque<long[]> arrivals = new ArrayDeque<>();

    public AudioInbox(int sampleRateHz, long maxSamples) {
        this.sampleRateHz = sampleRateHz;
        this.maxSamples = maxSamples;
    }

    public int sampleRateHz() {
        return sampleRateHz;
    }

    /** Samples accepted so far. */
    public synchronized long received() {
        return received;
    }

    /**
     * Appends speech.
     * @throws AudioLimitException when the session's audio would exceed its limit (nothing is appended)
     */
    public synchronized void offer(float[] samples) {
        if (ended) {
            throw new IllegalStateException("the session's audio has ended; no more speech is accepted");
        }
        if (received + samples.length > maxSamples) {
            throw new AudioLimitException("the session's audio would exceed its limit of " + maxSamples / sampleRateHz
                    + " s (" + maxSamples + " samples at " + sampleRateHz + " Hz)");
        }
        if (samples.length == 0) {
            return;
        }
        if (count + samples.length > fifo.length) {
            float[] grown = new float[Math.max(fifo.length * 2, count + samples.length)];
            for (int i = 0; i < count; i++) {
                grown[i] = fifo[(head + i) % fifo.length];
            }
            fifo = grown;
            head = 0;
        }
        for (int i = 0; i < samples.length; i++) {
            fifo[(head + count + i) % fifo.length] = samples[i];
        }
        count += samples.length;
        received += samples.length;
        arrivals.add(new long[] {received, System.nanoTime()});
        notifyAll();
    }

    /** No more speech will come: the source drains what is here and then ends the session's timeline. */
    public synchronized void end() {
        ended = true;
        notifyAll();
    }

    public synchronized boolean ended() {
        return ended;
    }

    /**
     * The next frame slot of {@code frameSamples} samples, waiting at most until {@code deadlineNanos}
     * ({@link System#nanoTime()} scale; {@link Long#MAX_VALUE} waits for speech or the end):
     * a full frame of speech as soon as it is here; at the deadline, the speech that is here padded with
     * silence, or a silent idle frame when none is; after {@link #end()}, what is left (a final short
     * frame) and then null.
     */
    public synchronized Take next(int frameSamples, long deadlineNanos) throws InterruptedException {
        while (true) {
            if (count >= frameSamples) {
                return take(frameSamples, frameSamples, SessionTick.Kind.SPEECH);
            }
            if (ended) {
                return count == 0 ? null : take(count, count, SessionTick.Kind.SPEECH);
            }
            long wait = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
            if (wait <= 0) {
                return count > 0 ? take(count, frameSamples, SessionTick.Kind.SPEECH)
                        : new Take(new float[frameSamples], SessionTick.Kind.IDLE, -1);
            }
            if (wait == Long.MAX_VALUE) {
                wait();
            } else {
                long ms = wait / 1_000_000;
                wait(ms, (int) (wait % 1_000_000));
            }
        }
    }

    private Take take(int n, int length, SessionTick.Kind kind) {
        float[] out = new float[length];
        for (int i = 0; i < n; i++) {
            out[i] = fifo[(head + i) % fifo.length];
        }
        head = (head + n) % fifo.length;
        count -= n;
        taken += n;
        // the block holding the last sample taken tells when this chunk was complete
        while (!arrivals.isEmpty() && arrivals.peek()[0] < taken) {
            arrivals.poll();
        }
        long arrived = arrivals.isEmpty() ? -1 : arrivals.peek()[1];
        if (!arrivals.isEmpty() && arrivals.peek()[0] == taken) {
            arrivals.poll();
        }
        return new Take(out, kind, arrived);
    }

    /** The session's audio went past its length limit. */
    public static final class AudioLimitException extends IllegalArgumentException {
        public AudioLimitException(String message) {
            super(message);
        }
    }
}
