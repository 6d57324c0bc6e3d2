package dev.synctalk.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavWriterStageTest {
    @TempDir
    Path runDir;

    private Stage stage() throws Exception {
        return new WavWriterStage.Type().create(Configs.of(WavWriterStage.Config.class, Map.of()),
                new TestStageContext("wav", runDir));
    }

    @Test
    void writesSixteenBitMonoPcmThatJavaSoundReads() throws Exception {
        Stage stage = stage();
        Collected<AudioChunk> none = new Collected<>("none", AudioChunk.class);
        for (int i = 0; i < 3; i++) {
            float[] samples = new float[640];
            for (int s = 0; s < samples.length; s++) {
                samples[s] = (float) Math.sin(2 * Math.PI * 440 * (i * 640 + s) / 16000.0) * 0.5f;
            }
            samples[0] = i == 2 ? 1.5f : samples[0];
            stage.process(Inputs.single("in", new AudioChunk(i, 16000, samples)), none);
        }
        stage.finish(none);
        Path wav = runDir.resolve("outputs/aud.wav");
        assertEquals(44 + 3 * 640 * 2, Files.size(wav));
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            AudioFormat format = in.getFormat();
            assertEquals(16000f, format.getSampleRate());
            assertEquals(1, format.getChannels());
            assertEquals(16, format.getSampleSizeInBits());
            assertEquals(AudioFormat.Encoding.PCM_SIGNED, format.getEncoding());
            assertEquals(3 * 640, in.getFrameLength());
            byte[] pcm = in.readAllBytes();
            short s1 = (short) ((pcm[3] << 8) | (pcm[2] & 0xff));
            assertEquals(Math.rint(Math.sin(2 * Math.PI * 440 / 16000.0) * 0.5f * 32768), s1, 0.0);
            short clipped = (short) ((pcm[2 * 1280 + 1] << 8) | (pcm[2 * 1280] & 0xff));
            assertEquals(Short.MAX_VALUE, clipped, "out-of-range samples clip");
        }
    }

    @Test
    void floatToPcmFollowsFfmpegScaling() {
        assertEquals(0, WavWriterStage.toPcm16(0f));
        assertEquals(16384, WavWriterStage.toPcm16(0.5f));
        assertEquals(-32768, WavWriterStage.toPcm16(-1f));
        assertEquals(32767, WavWriterStage.toPcm16(1f));
    }

    @Test
    void missingChunkIsNamed() throws Exception {
        Stage stage = stage();
        Collected<AudioChunk> none = new Collected<>("none", AudioChunk.class);
        stage.process(Inputs.single("in", new AudioChunk(0, 16000, new float[640])), none);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> stage.process(Inputs.single("in", new AudioChunk(2, 16000, new float[640])), none));
        assertTrue(e.getMessage().contains("audio chunk 1 is missing"), e.getMessage());
    }
}
