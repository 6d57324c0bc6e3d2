package dev.synctalk.sync;

import dev.synctalk.dataset.DatasetLayout;
import dev.synctalk.dataset.NpyArray;
import dev.synctalk.dataset.Split;
import dev.synctalk.encode.SpeechAudio;
import dev.synctalk.nerf.audio.AudioVisualEncoder;
import dev.synctalk.output.AtomicFiles;
import dev.synctalk.training.DatasetAudioFeatures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Audio-visual-encoder features of a dataset's speech: one row per video frame of aud.wav, the frame's
 * 80 x 16 log-mel window (exactly {@link DatasetAudioFeatures#melOf}'s) through the encoder, written as
 * {@code aud_ave.npy} [frames, D] where the reference's preprocessing puts it.
 */
public final class AveFeatures {
    private AveFeatures() {
    }

    /** Whether {@code folder} is a SyncTalk dataset (a head can be trained on it). */
    public static boolean isDataset(Path folder) {
        return Files.isRegularFile(new DatasetLayout(folder).transforms(Split.TRAIN));
    }

    /** Features [frames * D] of the speech in {@code audio} (16 kHz), on the compute's device. */
    public static float[] of(AudioVisualEncoder encoder, float[] audio, FaceSyncCompute compute) {
        DatasetAudioFeatures mel = DatasetAudioFeatures.melOf(audio, DatasetAudioFeatures.melDefaults());
        int n = mel.frameCount();
        int size = mel.frameSize();
        float[] windows = new float[n * size];
        for (int i = 0; i < n; i++) {
            System.arraycopy(mel.window(i, 1), 0, windows, i * size, size);
        }
        return compute.encode(encoder, windows, n);
    }

    /** Writes {@code aud_ave.npy} for the dataset at {@code folder} (atomically) and returns its row count. */
    public static int writeForDataset(Path folder, AudioVisualEncoder encoder, FaceSyncCompute compute)
            throws IOException {
        float[] audio = SpeechAudio.readMono(new DatasetLayout(folder).audio(), 16000);
        float[] features = of(encoder, audio, compute);
        int rows = features.length / encoder.featureDim();
        AtomicFiles.write(folder.resolve(DatasetAudioFeatures.AVE_FILE),
                NpyArray.ofFloats(new int[] {rows, encoder.featureDim()}, features).toBytes());
        return rows;
    }
}
