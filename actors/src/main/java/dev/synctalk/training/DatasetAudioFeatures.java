package dev.synctalk.training;

import dev.synctalk.audio.LogMelSpectrogram;
import dev.synctalk.audio.LogMelStage;
import dev.synctalk.dataset.DatasetException;
import dev.synctalk.dataset.NpyArray;
import dev.synctalk.encode.SpeechAudio;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The per-frame audio features of a dataset, indexed by aud_id, and the attention windows built from
 * them: [window, featureShape...] over frames i - window/2 .. i + window/2 - 1, zero rows past either
 * end (the reference's att = 2 windows).
 */
public final class DatasetAudioFeatures {
    /** The ave feature file the reference's preprocessing writes next to aud.wav. */
    public static final String AVE_FILE = "aud_ave.npy";

    private final int[] frameShape;
    private final float[][] frames;

    public DatasetAudioFeatures(int[] frameShape, float[][] frames) {
        this.frameShape = frameShape.clone();
        this.frames = frames;
    }

    /** The log-mel stage's default settings (SyncTalk's AVE input: 80 mels x 16 frames per video frame at 25 fps). */
    public static LogMelStage.Config melDefaults() {
        return new LogMelStage.Config(800, 200, 800, 80, 55, 7600, 0.97, 20, -100, 4, 16, 25, 16000);
    }

    /**
     * The windows the log-mel stage emits for a whole signal, computed in one pass: window i covers mel
     * frames [s, s + W) with s = floor(melFramesPerSecond * i / fps), shifted back to melFrames - W at the
     * end, one window per video frame the audio covers.
     */
    public static DatasetAudioFeatures melOf(float[] samples, LogMelStage.Config config) {
        LogMelSpectrogram spectrogram = new LogMelSpectrogram(config.spectrogramSettings());
        float[][] mel = spectrogram.melFrames(samples);
        int w = config.windowFrames();
        int bands = config.mels();
        int perFrame = (int) Math.round(config.sampleRate() / config.fps());
        int windows = (samples.length + perFrame - 1) / perFrame;
        if (mel.length < w) {
            throw new DatasetException("audio too short: " + samples.length + " samples give " + mel.length
                    + " mel frames, a window needs " + w);
        }
        float[][] out = new float[windows][];
        for (int i = 0; i < windows; i++) {
            long start = Math.min((long) Math.floor(spectrogram.settings().melFramesPerSecond() * (i / config.fps())),
                    mel.length - w);
            float[] data = new float[bands * w];
            for (int t = 0; t < w; t++) {
                for (int m = 0; m < bands; m++) {
                    data[m * w + t] = mel[(int) start + t][m];
                }
            }
            out[i] = data;
        }
        return new DatasetAudioFeatures(new int[] {bands, w}, out);
    }

    /** Features of a dataset folder: mel windows of aud.wav, or the rows of aud_ave.npy. */
    public static DatasetAudioFeatures load(Path datasetRoot, AudioFeatureKind kind) throws IOException {
        return switch (kind) {
            case MEL -> melOf(SpeechAudio.readMono(datasetRoot.resolve("aud.wav"), 16000), melDefaults());
            case AVE -> {
                Path file = datasetRoot.resolve(AVE_FILE);
                NpyArray array;
                try {
                    array = NpyArray.read(file);
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new DatasetException("audio-features = ave needs " + file
                            + " ([frames, D] audio-visual-encoder features); it is missing");
                }
                if (array.shape().length != 2) {
                    throw new DatasetException(file + " must be [frames, D], has shape "
                            + java.util.Arrays.toString(array.shape()));
                }
                float[][] rows = new float[array.rows()][];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = array.row(i);
                }
                yield new DatasetAudioFeatures(new int[] {array.shape()[1]}, rows);
            }
        };
    }

    public int[] frameShape() {
        return frameShape.clone();
    }

    public int frameCount() {
        return frames.length;
    }

    public int frameSize() {
        int n = 1;
        for (int d : frameShape) {
            n *= d;
        }
        return n;
    }

    /** Every audio frame's features, indexed by aud_id (the arrays themselves, not copies). */
    public float[][] frames() {
        return frames;
    }

    /** The window of frames around {@code centre}: [window * frameSize] values. */
    public float[] window(int centre, int window) {
        int size = frameSize();
        float[] data = new float[window * size];
        for (int k = 0; k < window; k++) {
            int f = centre - window / 2 + k;
            if (f >= 0 && f < frames.length) {
                System.arraycopy(frames[f], 0, data, k * size, size);
            }
        }
        return data;
    }
}
