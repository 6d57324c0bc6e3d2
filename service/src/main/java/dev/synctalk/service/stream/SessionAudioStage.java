package dev.synctalk.service.stream;

import dev.synctalk.audio.AudioChunk;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import java.util.List;

/**
 * The audio source of a live session: takes the client's speech from the session's {@link AudioInbox}
 * (a live object the service attaches to the run) one video frame at a time and puts it on the session's
 * timeline, frame {@code k} at {@code k / fps} seconds.
 *
 * <p>{@code pace = realtime}: speech goes out as soon as a whole frame of it is here; when none has
 * come {@code jitter-millis} after frame {@code k}'s time on the wall clock, frame {@code k} is idle
 * (silence: the head keeps its dataset motion with the mouth closed), so the stream never stalls and
 * speech continues the same timeline, with no jump. {@code pace = asap} (uploads): no idle frames,
 * the source waits for speech. Either way the source ends when the client has ended its audio and all
 * of it is out; it is pulled only when the graph has demand, so a slow renderer slows it.
 */
public final class SessionAudioStage implements Stage {

    public enum Pace { REALTIME, ASAP }

    public record Config(
            @Param(defaultValue = "\"audio\"", doc = "key of the session's audio inbox among the run's live objects") String inbox,
            @Param(defaultValue = "realtime", doc = "realtime (idle frames fill gaps in the speech) or asap (no idle frames)") Pace pace,
            @Param(defaultValue = "25", doc = "video frames per second: one chunk of sample-rate / fps samples per frame", min = 1, max = 240) int fps,
            @Param(defaultValue = "16000", doc = "sample rate of the session's audio, Hz", min = 8000, max = 192000) int sampleRate,
            @Param(defaultValue = "200", doc = "realtime: how long past a frame's time speech may still fill it", min = 0, max = 60000) int jitterMillis) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("session-audio", "a live session's speech (from the service) on a 25 fps timeline, idle frames between utterances",
                    Config.class, List.of(),
                    List.of(PortSpec.of("samples", AudioChunk.class, "one frame of audio per video frame"),
                            PortSpec.of("timeline", SessionTick.class, "per frame: speech or idle, its audio, timing")));
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new SessionAudioStage(config, context);
        }
    }

    private final Config config;
    private final AudioInbox inbox;
    private final int frameSamples;
    private final long frameNanos;
    private long startNanos = -1;
    /** Frame k's time on the wall clock is anchorNanos + k / fps. */
    private long anchorNanos;
    private boolean lastWasSpeech;
    private long nextFrame;

    private SessionAudioStage(Config config, StageContext context) {
        String name = "session-audio '" + context.stageName() + "'";
        if (config.fps() <= 0 || config.sampleRate() % config.fps() != 0) {
            throw new IllegalArgumentException(name + ": sample-rate " + config.sampleRate() + " / fps " + config.fps()
                    + " is not a whole number of samples per frame");
        }
        this.config = config;
        this.inbox = context.attachment(config.inbox(), AudioInbox.class);
        if (inbox.sampleRateHz() != config.sampleRate()) {
            throw new IllegalArgumentException(name + ": the session's audio is at " + inbox.sampleRateHz()
                    + " Hz, the graph expects sample-rate " + config.sampleRate());
        }
        this.frameSamples = config.sampleRate() / config.fps();
        this.frameNanos = 1_000_000_000L / config.fps();
    }

    @Override
    public boolean produce(Emitter out) throws InterruptedException {
        if (startNanos < 0) {
            startNanos = System.nanoTime();
            anchorNanos = startNanos;
        }
        long deadline = config.pace() == Pace.ASAP ? Long.MAX_VALUE
                : anchorNanos + nextFrame * frameNanos + config.jitterMillis() * 1_000_000L;
        AudioInbox.Take take = inbox.next(frameSamples, deadline);
        if (take == null) {
            return false;
        }
        long now = System.nanoTime();
        boolean speech = take.kind() == SessionTick.Kind.SPEECH;
        if (speech && !lastWasSpeech) {
            // Speech after idle: its frames get their full jitter margin from now on (the timeline's clock moves
            // back by at most the idle frames' lead), so a client streaming in bursts is not padded with silence.
            anchorNanos = Math.max(anchorNanos, now - nextFrame * frameNanos);
        }
        lastWasSpeech = speech;
        out.emit("samples", new AudioChunk(nextFrame, config.sampleRate(), take.samples()));
        out.emit("timeline", new SessionTick(nextFrame, take.kind(), config.sampleRate(), take.samples(),
                take.arrivedNanos() < 0 ? -1 : Math.max(0, (take.arrivedNanos() - startNanos) / 1000),
                (now - startNanos) / 1000));
        nextFrame++;
        return true;
    }
}
