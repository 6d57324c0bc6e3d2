package dev.synctalk.encode;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.video.MediaLogging;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Sink that encodes the frames it receives, in frame order, with the speech they were rendered from
 * into an H.264 + AAC MP4. The audio decides the length (see {@link Mp4Writer}); the file appears under
 * its name only once complete.
 */
public final class Mp4EncodeStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"video.mp4\"", doc = "output file, relative to the run's outputs", output = true) Path file,
            @Param(doc = "speech audio (wav or any FFmpeg-readable file)") Path audio,
            @Param(defaultValue = "25", doc = "frames per second", min = 1, max = 240) int fps,
            @Param(defaultValue = "16000", doc = "audio sample rate of the MP4 in Hz", min = 8000, max = 192000) int sampleRate,
            @Param(defaultValue = "18", doc = "libx264 constant rate factor when video-bitrate is 0", min = 0, max = 51) int crf,
            @Param(defaultValue = "0", doc = "video bitrate in bit/s; 0 = constant quality (crf)", min = 0) int videoBitrate,
            @Param(defaultValue = "128000", doc = "AAC bitrate in bit/s", min = 8000, max = 1000000) int audioBitrate,
            @Param(defaultValue = "\"medium\"", doc = "libx264 preset (ultrafast ... veryslow)") String preset) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("mp4-encode", "encodes frames and speech audio to an H.264 + AAC MP4",
                    Config.class,
                    List.of(PortSpec.of("in", RenderedFrame.class, "frames in index order")),
                    List.of());
        }

        @Override
        public Stage create(Config config, StageContext context) throws IOException {
            return new Mp4EncodeStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final Path target;
    private final Mp4Writer.Settings settings;
    private final float[] audio;
    private Mp4Writer writer;
    private long nextIndex;

    private Mp4EncodeStage(Config config, StageContext context) throws IOException {
        this.config = config;
        this.context = context;
        this.target = context.output(config.file());
        this.settings = new Mp4Writer.Settings(config.fps(), config.crf(), config.videoBitrate(), config.audioBitrate(),
                config.preset());
        MediaLogging.quietFfmpeg();
        this.audio = SpeechAudio.readMono(config.audio(), config.sampleRate());
        if (audio.length == 0) {
            throw new IllegalArgumentException("mp4-encode '" + context.stageName() + "': " + config.audio()
                    + " has no audio samples");
        }
        context.progress().total((long) Math.ceil((double) audio.length * config.fps() / config.sampleRate()), "frames");
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        RenderedFrame frame = (RenderedFrame) in.only();
        if (frame.frameIndex() != nextIndex) {
            // An MP4 cannot be appended to: a resumed run re-encodes from frame 0.
            throw new IllegalStateException("mp4-encode '" + context.stageName() + "': expected frame " + nextIndex
                    + ", got " + frame.frameIndex() + " (frames must arrive in order, starting at 0)");
        }
        if (writer == null) {
            writer = Mp4Writer.open(target, frame.width(), frame.height(), audio, config.sampleRate(), settings);
        }
        writer.writeFrame(frame.rgb8());
        nextIndex++;
        context.progress().advance(1);
    }

    @Override
    public void finish(Emitter out) throws IOException {
        if (writer == null) {
            throw new IllegalStateException("mp4-encode '" + context.stageName() + "': no frames arrived, nothing to"
                    + " encode into " + target);
        }
        long received = writer.framesWritten();
        writer.finish();
        if (writer.framesDropped() > 0 || received < writer.expectedFrames()) {
            context.log().warn("mp4-encode '{}': {} frames arrived for {} frames of audio; {}", context.stageName(),
                    nextIndex, writer.expectedFrames(), writer.framesDropped() > 0
                            ? writer.framesDropped() + " extra frames left out" : "the last frame repeats to the end");
        }
        context.log().info("mp4-encode '{}': wrote {} ({} frames)", context.stageName(), target,
                writer.expectedFrames());
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }
}
