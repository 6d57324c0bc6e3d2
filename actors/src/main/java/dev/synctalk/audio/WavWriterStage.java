package dev.synctalk.audio;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.output.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/** Writes the audio chunks as a 16-bit PCM mono WAV (SyncTalk's aud.wav), atomically at finish. */
public final class WavWriterStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"aud.wav\"", doc = "WAV file, relative to the run's outputs", output = true) Path file) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("wav-writer", "writes audio chunks as a 16-bit PCM mono WAV file",
                    Config.class,
                    List.of(PortSpec.of("in", AudioChunk.class, "contiguous chunks from frame 0")),
                    List.of());
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new WavWriterStage(config, context);
        }
    }

    private final StageContext context;
    private final Path target;
    private final ByteArrayOutputStream pcm = new ByteArrayOutputStream();
    private long nextChunk;
    private int sampleRateHz;

    private WavWriterStage(Config config, StageContext context) {
        this.context = context;
        this.target = context.output(config.file());
    }

    @Override
    public void process(Inputs in, Emitter out) {
        AudioChunk chunk = (AudioChunk) in.only();
        if (chunk.frameIndex() != nextChunk) {
            throw new IllegalStateException(name() + ": audio chunk " + nextChunk + " is missing (got chunk "
                    + chunk.frameIndex() + "); " + target + " needs contiguous chunks from 0");
        }
        if (nextChunk == 0) {
            sampleRateHz = chunk.sampleRateHz();
        } else if (chunk.sampleRateHz() != sampleRateHz) {
            throw new IllegalArgumentException(name() + ": chunk " + chunk.frameIndex() + " is at " + chunk.sampleRateHz()
                    + " Hz, earlier chunks at " + sampleRateHz + " Hz");
        }
        ByteBuffer bytes = ByteBuffer.allocate(chunk.samples().length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : chunk.samples()) {
            bytes.putShort(toPcm16(s));
        }
        pcm.writeBytes(bytes.array());
        nextChunk++;
    }

    /** Float to 16-bit as FFmpeg's swresample does: scale by 32768, round half to even, clip. */
    public static short toPcm16(float sample) {
        double scaled = Math.rint(sample * 32768.0);
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, scaled));
    }

    @Override
    public void finish(Emitter out) throws Exception {
        if (nextChunk == 0) {
            throw new IllegalStateException(name() + ": no audio arrived, nothing to write to " + target);
        }
        byte[] data = pcm.toByteArray();
        AtomicFiles.write(target, wavFile(sampleRateHz, data));
        context.log().info("{}: wrote {} samples at {} Hz to {}", name(), data.length / 2, sampleRateHz, target);
    }

    /** A 16-bit PCM mono WAV file around little-endian samples. */
    public static byte[] wavFile(int sampleRateHz, byte[] pcm16le) {
        ByteBuffer file = ByteBuffer.allocate(44 + pcm16le.length).order(ByteOrder.LITTLE_ENDIAN);
        file.put(new byte[] {'R', 'I', 'F', 'F'}).putInt(36 + pcm16le.length).put(new byte[] {'W', 'A', 'V', 'E'});
        file.put(new byte[] {'f', 'm', 't', ' '}).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(sampleRateHz).putInt(sampleRateHz * 2).putShort((short) 2).putShort((short) 16);
        file.put(new byte[] {'d', 'a', 't', 'a'}).putInt(pcm16le.length);
        file.put(pcm16le);
        return file.array();
    }

    private String name() {
        return "wav-writer '" + context.stageName() + "'";
    }
}
