package dev.synctalk.service.session;

import dev.synctalk.engine.api.RunHandle;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.service.stream.AudioInbox;
import dev.synctalk.service.stream.SessionAudioStage;
import dev.synctalk.service.stream.SessionOutput;
import dev.synctalk.service.stream.StreamPacket;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One live session: a run of stream.conf fed by {@link #audio()} and delivering to one WebSocket client
 * ({@link #packets()}) and any number of MP4 players ({@link #mp4()}). Runs live in the service's runs
 * folder under the session id, journals and all.
 */
public final class Session implements SessionOutput {
    private final String id;
    private final ServedModel model;
    private final SessionAudioStage.Pace pace;
    private final AudioInbox audio;
    private final ClientQueue<StreamPacket> packets;
    private final LiveMp4 mp4;
    private final Instant createdAt = Instant.now();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong speechFrames = new AtomicLong();
    private volatile RunHandle run;
    private volatile RunResult result;
    private volatile String error;
    private final java.util.concurrent.CompletableFuture<RunResult> end = new java.util.concurrent.CompletableFuture<>();

    Session(String id, ServedModel model, SessionAudioStage.Pace pace, AudioInbox audio,
            ClientQueue<StreamPacket> packets, LiveMp4 mp4) {
        this.id = id;
        this.model = model;
        this.pace = pace;
        this.audio = audio;
        this.packets = packets;
        this.mp4 = mp4;
    }

    public String id() {
        return id;
    }

    public ServedModel model() {
        return model;
    }

    public SessionAudioStage.Pace pace() {
        return pace;
    }

    public AudioInbox audio() {
        return audio;
    }

    /** The WebSocket client's packets; null for upload sessions, which have only an MP4. */
    public ClientQueue<StreamPacket> packets() {
        return packets;
    }

    /** The live MP4; null unless the session was opened with MP4. */
    public LiveMp4 mp4() {
        return mp4;
    }

    public RunHandle run() {
        return run;
    }

    void started(RunHandle handle) {
        this.run = handle;
    }

    void ended(RunResult r) {
        this.result = r;
        if (!r.succeeded() && error == null) {
            error = r.error();
        }
        closeOutputs();
        end.complete(r);
    }

    /** Completes once the session's run has ended and its state is recorded here. */
    public java.util.concurrent.CompletionStage<RunResult> ended() {
        return end;
    }

    /** Ends the session now with an error the client is told (bad audio, a limit). */
    public void fail(String message) {
        if (error == null) {
            error = message;
        }
        audio.end();
        RunHandle h = run;
        if (h != null) {
            h.cancel();
        }
        closeOutputs();
    }

    /** The client has no more speech: the session renders what it has and ends. */
    public void endAudio() {
        audio.end();
    }

    /** Null while the session is fine. */
    public String error() {
        return error;
    }

    public boolean finished() {
        return result != null;
    }

    @Override
    public void deliver(StreamPacket packet) throws InterruptedException {
        if (!packet.isMp4Tail()) {
            frames.incrementAndGet();
            if (packet.tick().speech()) {
                speechFrames.incrementAndGet();
            }
            if (packets != null) {
                packets.put(packet);
            }
        }
        if (mp4 != null) {
            mp4.append(packet.mp4());
        }
    }

    @Override
    public void complete() {
        closeOutputs();
    }

    private void closeOutputs() {
        if (packets != null) {
            packets.close();
        }
        if (mp4 != null) {
            mp4.close();
        }
    }

    public Stats stats() {
        RunResult r = result;
        String state = r == null ? "running" : r.state().name().toLowerCase();
        ClientQueue.Stats q = packets == null ? null : packets.stats();
        return new Stats(id, model.name(), pace.name().toLowerCase(), state, createdAt.toString(), frames.get(),
                speechFrames.get(), audio.received() / (double) audio.sampleRateHz(), q, error);
    }

    /** What GET /api/sessions/{id} answers. */
    public record Stats(String id, String model, String pace, String state, String createdAt, long frames,
                        long speechFrames, double audioSeconds, ClientQueue.Stats client, String error) {
    }
}
