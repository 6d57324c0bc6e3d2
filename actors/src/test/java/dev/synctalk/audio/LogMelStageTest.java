package dev.synctalk.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogMelStageTest {
    @TempDir
    Path runDir;

    /** Speech-like test signal: two tones with a slow envelope plus seeded noise. */
    static float[] signal(int samples, long seed) {
        Random random = new Random(seed);
        float[] x = new float[samples];
        for (int t = 0; t < samples; t++) {
            double envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t / 16000.0);
            x[t] = (float) (envelope * (0.3 * Math.sin(2 * Math.PI * 220 * t / 16000.0)
                    + 0.1 * Math.sin(2 * Math.PI * 2500 * t / 16000.0)) + 0.02 * random.nextGaussian());
        }
        return x;
    }

    static List<AudioChunk> chunks(float[] x, int samplesPerChunk, int fromChunk) {
        List<AudioChunk> out = new ArrayList<>();
        for (int i = fromChunk; (long) i * samplesPerChunk < x.length; i++) {
            int start = i * samplesPerChunk;
            out.add(new AudioChunk(i, 16000, Arrays.copyOfRange(x, start, Math.min(x.length, start + samplesPerChunk))));
        }
        return out;
    }

    private LogMelStage stage(double fps) {
        LogMelStage.Config config = Configs.of(LogMelStage.Config.class, Map.of("fps", fps));
        return (LogMelStage) new LogMelStage.Type().create(config, new TestStageContext("mel", runDir));
    }

    /** The reference: mel frames of the whole signal, window i from frame (80 * i) div fps shifted back to fit. */
    private static List<MelWindow> batchWindows(float[] x, int fps) {
        float[][] mel = new LogMelSpectrogram(LogMelSpectrogram.Settings.wav2lip()).melFrames(x);
        int samplesPerFrame = 16000 / fps;
        int count = (x.length + samplesPerFrame - 1) / samplesPerFrame;
        List<MelWindow> windows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int start = Math.min(80 * i / fps, mel.length - 16);
            float[] data = new float[80 * 16];
            for (int m = 0; m < 80; m++) {
                for (int t = 0; t < 16; t++) {
                    data[m * 16 + t] = mel[start + t][m];
                }
            }
            windows.add(new MelWindow(i, data));
        }
        return windows;
    }

    @Test
    void streamingEqualsBatchForAnyChunking() throws Exception {
        int[][] cases = {{25, 16000}, {25, 16001}, {25, 16639}, {25, 5 * 640 + 5}, {50, 12345}, {20, 9000}};
        for (int[] c : cases) {
            int fps = c[0];
            float[] x = signal(c[1], c[1]);
            List<MelWindow> streamed = Collected.run(stage(fps), "in", chunks(x, 16000 / fps, 0), "windows", MelWindow.class);
            assertEquals(batchWindows(x, fps), streamed, "fps " + fps + ", " + c[1] + " samples");
        }
    }

    @Test
    void emitsWindowsWhileStreamingNotOnlyAtFinish() throws Exception {
        float[] x = signal(40 * 640, 3);
        LogMelStage stage = stage(25);
        Collected<MelWindow> out = new Collected<>("windows", MelWindow.class);
        List<AudioChunk> chunks = chunks(x, 640, 0);
        for (int i = 0; i < chunks.size(); i++) {
            stage.process(Inputs.single("in", chunks.get(i)), out);
            // Window i needs mel frames up to 3.2 i + 15, i.e. about 5 frames of audio ahead.
            assertTrue(out.messages.size() >= i - 5, "after chunk " + i + " only " + out.messages.size() + " windows");
        }
        int beforeFinish = out.messages.size();
        stage.finish(out);
        assertTrue(beforeFinish >= 34, "most windows stream out before finish: " + beforeFinish);
        assertEquals(40, out.messages.size());
    }

    @Test
    void resumedWindowsAreBitIdentical() throws Exception {
        float[] x = signal(60 * 640 + 100, 42);
        List<MelWindow> uninterrupted = Collected.run(stage(25), "in", chunks(x, 640, 0), "windows", MelWindow.class);
        int resumeAt = 37;
        int lookback = new LogMelStage.Type().lookbackFrames();
        List<MelWindow> resumed = Collected.run(stage(25), "in", chunks(x, 640, resumeAt - lookback), "windows",
                MelWindow.class);
        assertFalse(resumed.isEmpty());
        assertTrue(resumed.get(0).frameIndex() <= resumeAt, "first resumed window " + resumed.get(0).frameIndex());
        assertEquals(uninterrupted.size() - 1, resumed.get(resumed.size() - 1).frameIndex());
        for (MelWindow w : resumed) {
            assertEquals(uninterrupted.get((int) w.frameIndex()), w, "window " + w.frameIndex());
        }
    }

    @Test
    void resumedStageEmitsNothingItCannotComputeExactly() throws Exception {
        float[] x = signal(30 * 640, 5);
        List<MelWindow> uninterrupted = Collected.run(stage(25), "in", chunks(x, 640, 0), "windows", MelWindow.class);
        // Without lookback the first window's STFT context lies before the first chunk: it must be left out.
        List<MelWindow> resumed = Collected.run(stage(25), "in", chunks(x, 640, 20), "windows", MelWindow.class);
        assertTrue(resumed.get(0).frameIndex() > 20);
        for (MelWindow w : resumed) {
            assertEquals(uninterrupted.get((int) w.frameIndex()), w, "window " + w.frameIndex());
        }
    }

    @Test
    void windowCountMatchesVideoFrames() throws Exception {
        for (int frames : new int[] {5, 25, 202}) {
            float[] exact = signal(frames * 640, frames);
            assertEquals(frames, Collected.run(stage(25), "in", chunks(exact, 640, 0), "windows", MelWindow.class).size());
            float[] oneMore = signal(frames * 640 + 1, frames);
            assertEquals(frames + 1,
                    Collected.run(stage(25), "in", chunks(oneMore, 640, 0), "windows", MelWindow.class).size());
        }
    }

    @Test
    void silenceGivesTheFloorValueThroughTheStage() throws Exception {
        List<MelWindow> windows = Collected.run(stage(25), "in", chunks(new float[10 * 640], 640, 0), "windows",
                MelWindow.class);
        assertEquals(10, windows.size());
        for (MelWindow w : windows) {
            assertEquals(80, w.melBands());
            assertEquals(16, w.windowFrames());
            for (float v : w.data()) {
                assertEquals(-4f, v);
            }
        }
    }

    @Test
    void gapsInTheChunkSequenceAreRejectedWithTheMissingIndex() throws Exception {
        List<AudioChunk> chunks = new ArrayList<>(chunks(signal(10 * 640, 1), 640, 0));
        chunks.remove(4);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Collected.run(stage(25), "in", chunks, "windows", MelWindow.class));
        assertTrue(e.getMessage().contains("chunk 5 arrived, expected chunk 4"), e.getMessage());
    }

    @Test
    void audioShorterThanOneWindowIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Collected.run(stage(25), "in", chunks(signal(1925, 1), 640, 0), "windows", MelWindow.class));
        assertTrue(e.getMessage().contains("audio too short: 1925 samples"), e.getMessage());
    }

    @Test
    void wrongSampleRateIsRejected() {
        AudioChunk chunk = new AudioChunk(0, 44100, new float[640]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stage(25).process(Inputs.single("in", chunk), new Collected<>("windows", MelWindow.class)));
        assertTrue(e.getMessage().contains("44100"), e.getMessage());
    }
}
