package dev.synctalk.service.session;

/**
 * The service's limits: what one process takes on before it refuses, so a busy or hostile client cannot
 * exhaust it.
 *
 * @param maxSessions        sessions at once; the next is refused (HTTP 503)
 * @param maxAudioSeconds    speech one session may send in all (WebSocket or upload)
 * @param maxMessageBytes    largest WebSocket message (one audio chunk)
 * @param clientQueueFrames  frames waiting for one client before the slow-client policy applies
 * @param clientStallSeconds an upload whose client takes nothing this long is ended
 * @param socketSendBufferBytes the kernel's send buffer of each connection, fixed (no autotuning to
 *                           megabytes): with the queue, what a stalled client can hold of the server's memory
 */
public record ServiceLimits(int maxSessions, int maxAudioSeconds, int maxMessageBytes, int clientQueueFrames,
                            int clientStallSeconds, int socketSendBufferBytes) {
    public ServiceLimits {
        if (maxSessions < 1 || maxAudioSeconds < 1 || maxMessageBytes < 2 || clientQueueFrames < 1
                || clientStallSeconds < 1 || socketSendBufferBytes < 4096) {
            throw new IllegalArgumentException("service limits must be positive: " + maxSessions + " sessions, "
                    + maxAudioSeconds + " s of audio, " + maxMessageBytes + " bytes per message, " + clientQueueFrames
                    + " queued frames, " + clientStallSeconds + " s stall, " + socketSendBufferBytes
                    + " bytes of socket send buffer (at least 4096)");
        }
    }

    /**
     * 4 sessions, 10 minutes of audio each, 1 MiB messages (32 s of audio), 50 frames (2 s) per client, 30 s
     * stall, 256 KiB socket send buffers.
     */
    public static ServiceLimits defaults() {
        return new ServiceLimits(4, 600, 1 << 20, 50, 30, 256 << 10);
    }

    public ServiceLimits withMaxSessions(int sessions) {
        return new ServiceLimits(sessions, maxAudioSeconds, maxMessageBytes, clientQueueFrames, clientStallSeconds,
                socketSendBufferBytes);
    }

    public ServiceLimits withSocketSendBuffer(int bytes) {
        return new ServiceLimits(maxSessions, maxAudioSeconds, maxMessageBytes, clientQueueFrames, clientStallSeconds,
                bytes);
    }

    /** The largest upload: a WAV of the longest audio plus its header. */
    public long maxUploadBytes() {
        return (long) maxAudioSeconds * 16_000 * 2 + 4096;
    }
}
