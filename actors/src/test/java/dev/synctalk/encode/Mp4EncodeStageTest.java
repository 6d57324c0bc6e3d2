package dev.synctalk.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mp4EncodeStageTest {
    @TempDir
    Path tmp;

    /** A 16-bit PCM mono WAV file of a 220 Hz tone. */
    static Path wav(Path file, int samples, int rateHz) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * samples).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rateHz).putInt(rateHz * 2)
                .putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(2 * samples);
        for (int i = 0; i < samples; i++) {
            b.putShort((short) (8000 * Math.sin(2 * Math.PI * 220 * i / rateHz)));
        }
        Files.createDirectories(file.getParent());
        Files.write(file, b.array());
        return file;
    }

    static RenderedFrame frame(long index) {
        float[] rgb = new float[64 * 48 * 3];
        java.util.Arrays.fill(rgb, (index % 10) / 10f);
        return new RenderedFrame(index, 64, 48, rgb);
    }

    private Stage stage(Path audio, TestStageContext context) throws Exception {
        return new Mp4EncodeStage.Type().create(Configs.of(Mp4EncodeStage.Config.class,
                Map.of("audio", audio, "file", Path.of("talk.mp4"), "preset", "ultrafast")), context);
    }

    @Test
    void encodesTheAudioLengthOfFramesAndWarnsAboutExtraOnes() throws Exception {
        Path audio = wav(tmp.resolve("in/speech.wav"), 16_000, 16_000);
        TestStageContext context = new TestStageContext("encode", tmp.resolve("run"));
        try (Stage stage = stage(audio, context)) {
            for (int i = 0; i < 30; i++) {
                stage.process(Inputs.single("in", frame(i)), new Collected<>("none", RenderedFrame.class));
            }
            assertFalse(Files.exists(tmp.resolve("run/outputs/talk.mp4")), "nothing under the name before finish");
            stage.finish(new Collected<>("none", RenderedFrame.class));
        }
        Mp4WriterTest.Probe probe = Mp4WriterTest.probe(tmp.resolve("run/outputs/talk.mp4"));
        assertEquals(25, probe.frames());
        assertEquals("h264", probe.videoCodec());
        assertEquals("aac", probe.audioCodec());
        assertEquals(16_000, probe.sampleRate());
        assertEquals(25, context.progressTotal);
        assertTrue(context.warnings().stream().anyMatch(w -> w.contains("5 extra frames left out")), context.warnings()
                .toString());
    }

    @Test
    void framesOutOfOrderAreRefused() throws Exception {
        Path audio = wav(tmp.resolve("in/speech.wav"), 8_000, 16_000);
        try (Stage stage = stage(audio, new TestStageContext("encode", tmp.resolve("run")))) {
            stage.process(Inputs.single("in", frame(0)), new Collected<>("none", RenderedFrame.class));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> stage.process(Inputs.single("in", frame(2)), new Collected<>("none", RenderedFrame.class)));
            assertTrue(e.getMessage().contains("expected frame 1, got 2"), e.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("run/outputs/talk.mp4")));
    }

    @Test
    void missingAudioFileIsNamed() {
        Path missing = tmp.resolve("none.wav");
        java.nio.file.NoSuchFileException e = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> stage(missing, new TestStageContext("encode", tmp.resolve("run"))));
        assertEquals(missing.toString(), e.getFile());
    }
}
