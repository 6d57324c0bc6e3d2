package dev.synctalk.service.stream;

import dev.synctalk.encode.Mp4Writer;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.video.MediaLogging;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a session's frames with the audio of their timeline slots (speech and idle alike) into an
 * H.264 + AAC MP4: what {@code replay SESSION} makes of a logged session. The file appears under its
 * name only once complete ({@link Mp4Writer}).
 */
public final class SessionMp4Stage implements Stage {

    public record Config(
            @Param(defaultValue = "\"session.mp4\"", doc = "output file, relative to the run's outputs", output = true) Path file,
            @Param(defaultValue = "25", doc = "frames per second", min = 1, max = 240) int fps,
            @Param(defaultValue = "18", doc = "libx264 constant rate factor", min = 0, max = 51) int crf,
            @Param(defaultValue = "\"medium\"", doc = "libx264 preset (ultrafast ... veryslow)") String preset,
            @Param(defaultValue = "128000", doc = "AAC bitrate in bit/s", min = 8000, max = 1024000) int audioBitrate) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("session-mp4", "a session's frames + the audio of its timeline -> H.264 + AAC MP4", Config.class,
                    List.of(PortSpec.of("frames", RenderedFrame.class, "rendered frames in order"),
                            PortSpec.of("timeline", SessionTick.class, "the audio of each frame")),
                    List.of());
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new SessionMp4Stage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final Path target;
    private Mp4Writer writer;
    private long nextFrame;

    private SessionMp4Stage(Config config, StageContext context) {
        this.config = config;
        this.context = context;
        this.target = context.output(config.file());
        MediaLogging.quietFfmpeg();
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        RenderedFrame frame = in.get("frames", RenderedFrame.class);
        SessionTick tick = in.get("timeline", SessionTick.class);
        if (frame.frameIndex() != nextFrame) {
            throw new IllegalStateException("session-mp4 '" + context.stageName() + "': expected frame " + nextFrame
                    + ", got " + frame.frameIndex() + " (frames must arrive in order, starting at 0)");
        }
        if (writer == null) {
            writer = Mp4Writer.openStreaming(target, frame.width(), frame.height(), tick.sampleRateHz(),
                    new Mp4Writer.Settings(config.fps(), config.crf(), 0, config.audioBitrate(), config.preset()));
        }
        writer.writeFrame(frame.image().toBytes(), tick.samples());
        nextFrame++;
        context.progress().advance(1);
    }

    @Override
    public void finish(Emitter out) throws IOException {
        if (writer == null) {
            throw new IllegalStateException("session-mp4 '" + context.stageName() + "': the session has no frames to"
                    + " encode into " + target);
        }
        writer.finish();
        context.log().info("session-mp4 '{}': wrote {} ({} frames)", context.stageName(), target, nextFrame);
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }
}
