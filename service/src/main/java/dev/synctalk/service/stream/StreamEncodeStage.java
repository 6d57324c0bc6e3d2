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
import java.util.List;

/**
 * Encodes a session's rendered frames for its clients: each frame, joined with its timeline slot (the
 * audio it shows), becomes a JPEG with that audio, and with {@code mp4 = true} also the bytes of a live
 * fragmented MP4 ({@link FragmentedMp4Encoder}).
 */
public final class StreamEncodeStage implements Stage {

    public record Config(
            @Param(defaultValue = "0.85", doc = "JPEG quality, 0..1", min = 0, max = 1) double jpegQuality,
            @Param(defaultValue = "false", doc = "also write a live fragmented MP4 (H.264 + AAC) for players") boolean mp4,
            @Param(defaultValue = "25", doc = "frames per second", min = 1, max = 240) int fps,
            @Param(defaultValue = "23", doc = "libx264 constant rate factor of the live MP4", min = 0, max = 51) int crf,
            @Param(defaultValue = "\"veryfast\"", doc = "libx264 preset of the live MP4") String preset,
            @Param(defaultValue = "64000", doc = "AAC bitrate of the live MP4 in bit/s", min = 8000, max = 1024000) int audioBitrate) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("stream-encode", "rendered frames + their audio -> JPEG packets (and live fragmented MP4) for clients",
                    Config.class,
                    List.of(PortSpec.of("frames", RenderedFrame.class, "rendered frames"),
                            PortSpec.of("timeline", SessionTick.class, "the audio and kind of each frame")),
                    List.of(PortSpec.of("packets", StreamPacket.class, "encoded frames with their audio")));
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new StreamEncodeStage(config);
        }
    }

    private final Config config;
    private final JpegFrames jpeg;
    private FragmentedMp4Encoder mp4;
    private long nextFrame;

    private StreamEncodeStage(Config config) {
        this.config = config;
        this.jpeg = new JpegFrames((float) config.jpegQuality());
        if (config.mp4()) {
            MediaLogging.quietFfmpeg();
        }
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        long received = System.nanoTime();
        RenderedFrame frame = in.get("frames", RenderedFrame.class);
        SessionTick tick = in.get("timeline", SessionTick.class);
        byte[] rgb = frame.image().toBytes();
        nextFrame = frame.frameIndex() + 1;
        byte[] mp4Bytes = null;
        if (config.mp4()) {
            if (mp4 == null) {
                mp4 = new FragmentedMp4Encoder(frame.width(), frame.height(), tick.sampleRateHz(),
                        new Mp4Writer.Settings(config.fps(), config.crf(), 0, config.audioBitrate(), config.preset()));
            }
            mp4Bytes = mp4.encode(rgb, tick.samples());
        }
        out.emit("packets", new StreamPacket(frame.frameIndex(), frame.frameIndex() * 1_000_000L / config.fps(), tick,
                frame.width(), frame.height(), jpeg.encode(frame.width(), frame.height(), rgb), mp4Bytes, received));
    }

    @Override
    public void finish(Emitter out) throws IOException {
        if (mp4 != null) {
            byte[] tail = mp4.finish();
            if (tail.length > 0) {
                // The last fragment: an empty packet after the last frame carries it.
                out.emit("packets", StreamPacket.mp4Tail(nextFrame, tail));
            }
        }
    }

    @Override
    public void close() {
        if (mp4 != null) {
            mp4.close();
        }
    }
}
