package dev.synctalk.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.SyntheticMedia;
import dev.synctalk.testing.TestStageContext;
import dev.synctalk.video.ConstantRateTimeline;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioExtractStageTest {
    @TempDir
    static Path media;
    /** 30 frames at 25 fps with a 440 Hz tone recorded at 44.1 kHz (so extraction must resample). */
    static Path clip;

    @TempDir
    Path runDir;

    @BeforeAll
    static void writeClip() throws Exception {
        clip = SyntheticMedia.clip(media.resolve("clip.mp4"), 30, 44100, 440);
    }

    private List<AudioChunk> extract(Map<String, Object> params, long seekTo, TestStageContext context) throws Exception {
        try (AudioExtractStage stage = (AudioExtractStage) new AudioExtractStage.Type()
                .create(Configs.of(AudioExtractStage.Config.class, params), context)) {
            if (seekTo > 0) {
                stage.seek(seekTo);
            }
            return Collected.drain(stage, "samples", AudioChunk.class);
        }
    }

    private List<AudioChunk> extract(Map<String, Object> params) throws Exception {
        return extract(params, 0, new TestStageContext("audio", runDir));
    }

    private static Map<String, Object> params(Object... keyValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    @Test
    void extractsMonoChunksResampledTo16kHz() throws Exception {
        List<AudioChunk> chunks = extract(params("path", clip));
        assertTrue(chunks.size() >= 29 && chunks.size() <= 31, "about 1.2 s of audio: " + chunks.size() + " chunks");
        long crossings = 0;
        float previous = 0;
        for (int i = 0; i < chunks.size(); i++) {
            AudioChunk chunk = chunks.get(i);
            assertEquals(i, chunk.frameIndex());
            assertEquals(16000, chunk.sampleRateHz());
            if (i < chunks.size() - 1) {
                assertEquals(640, chunk.samples().length, "chunk " + i);
            }
            if (i >= 5 && i < 25) {
                for (float s : chunk.samples()) {
                    if (previous < 0 && s >= 0) {
                        crossings++;
                    }
                    previous = s;
                }
            }
        }
        // 20 chunks = 0.8 s of a 440 Hz tone: about 352 upward zero crossings.
        assertEquals(352, crossings, 4);
    }

    @Test
    void videoParamMakesTheChunkCountMatchTheVideo() throws Exception {
        List<AudioChunk> chunks = extract(params("path", clip, "video", clip));
        assertEquals(30, chunks.size());
        for (AudioChunk chunk : chunks) {
            assertEquals(640, chunk.samples().length);
        }
    }

    @Test
    void shorterAudioIsZeroPaddedToTheVideoAndWarned() throws Exception {
        Path shortClip = SyntheticMedia.clip(media.resolve("short.mp4"), 12, 16000, 440);
        TestStageContext context = new TestStageContext("audio", runDir);
        List<AudioChunk> chunks = extract(params("path", shortClip, "video", clip), 0, context);
        assertEquals(30, chunks.size());
        for (float s : chunks.get(29).samples()) {
            assertEquals(0f, s);
        }
        assertTrue(context.warnings().stream().anyMatch(w -> w.contains("padded with silence")), context.warnings().toString());
    }

    @Test
    void seekStartsAtTheRequestedChunkWithIdenticalSamples() throws Exception {
        List<AudioChunk> sequential = extract(params("path", clip));
        List<AudioChunk> seeked = extract(params("path", clip), 12, new TestStageContext("audio", runDir));
        assertEquals(sequential.subList(12, sequential.size()), seeked);
    }

    @Test
    void missingFileIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> extract(params("path", runDir.resolve("speech.wav"))));
        assertTrue(e.getMessage().contains("audio file not found") && e.getMessage().contains("speech.wav"), e.getMessage());
    }

    @Test
    void videoWithoutAudioTrackIsAClearError() throws Exception {
        Path silentVideo = SyntheticMedia.variableRateClip(media.resolve("no-audio.mp4"), new long[] {0, 40_000, 80_000});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> extract(params("path", silentVideo)));
        assertTrue(e.getMessage().contains("no-audio.mp4 has no audio track: pass an audio file"), e.getMessage());
    }

    @Test
    void allZeroAudioLogsAWarning() throws Exception {
        Path silent = SyntheticMedia.clip(media.resolve("silent.mp4"), 10, 16000, 0);
        TestStageContext context = new TestStageContext("audio", runDir);
        List<AudioChunk> chunks = extract(params("path", silent), 0, context);
        assertTrue(chunks.size() >= 9);
        assertTrue(context.warnings().stream().anyMatch(w -> w.contains("all zeros")), context.warnings().toString());
    }

    @Test
    void realSampleGivesOneChunkPerVideoFrameAndOneMelWindowEach() throws Exception {
        Path sample = SyntheticMedia.sharedData("hdtf_aoc.mp4");
        long videoFrames = ConstantRateTimeline.frameCount(sample, 25);
        List<AudioChunk> chunks = extract(params("path", sample, "video", sample));
        assertEquals(videoFrames, chunks.size());
        float peak = 0;
        for (AudioChunk chunk : chunks) {
            for (float s : chunk.samples()) {
                peak = Math.max(peak, Math.abs(s));
            }
        }
        assertTrue(peak > 0.05 && peak <= 1.0, "speech at a sane level, peak " + peak);
        LogMelStage mel = (LogMelStage) new LogMelStage.Type()
                .create(Configs.of(LogMelStage.Config.class, Map.of()), new TestStageContext("mel", runDir));
        List<MelWindow> windows = Collected.run(mel, "in", chunks, "windows", MelWindow.class);
        assertEquals(videoFrames, windows.size());
    }
}
