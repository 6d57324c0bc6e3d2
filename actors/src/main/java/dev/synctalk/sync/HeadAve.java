package dev.synctalk.sync;

import dev.synctalk.dataset.DatasetException;
import dev.synctalk.dataset.DatasetLayout;
import dev.synctalk.encode.SpeechAudio;
import dev.synctalk.nerf.audio.AudioVisualEncoder;
import dev.synctalk.training.AudioFeatureKind;
import dev.synctalk.training.DatasetAudioFeatures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The pretrained audio-visual encoder as the head uses it ({@code audio-features = ave}): head-train checks
 * that the dataset's aud_ave.npy came from it and keeps a copy next to head.ckpt ({@value #ENCODER_FILE}),
 * and head-render runs it on the log-mel windows of new speech, so a model and its encoder travel together.
 */
public final class HeadAve {
    /** The encoder's copy next to head.ckpt. */
    public static final String ENCODER_FILE = "ave_encoder.stnt";
    /** Largest relative difference between aud_ave.npy and the encoder's own features (CPU vs cuDNN is ~1e-6). */
    static final double FEATURE_TOLERANCE = 1e-3;

    private HeadAve() {
    }

    /** Loads an encoder; a missing file or a missing or misshapen tensor is named in the error. */
    public static AudioVisualEncoder loadEncoder(Path file, String who) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, who + ": audio-visual encoder checkpoint " + file
                    + " does not exist (graph-definitions/train-ave.conf writes ave.stnt)");
        }
        try {
            return AudioVisualEncoder.load(file);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(who + ": audio-visual encoder checkpoint " + e.getMessage(), e);
        }
    }

    /**
     * Checks that {@code dataset}'s aud_ave.npy holds {@code encoder}'s features of its aud.wav: same width,
     * a row per frame, and frames at the start, middle and end equal to the encoder's output within
     * {@value #FEATURE_TOLERANCE} relative. The error says how to rewrite the file.
     */
    public static void checkDatasetFeatures(Path dataset, AudioVisualEncoder encoder, Path encoderFile,
                                            FaceSyncCompute compute, String who) throws IOException {
        DatasetAudioFeatures stored = DatasetAudioFeatures.load(dataset, AudioFeatureKind.AVE);
        Path file = dataset.resolve(DatasetAudioFeatures.AVE_FILE);
        String fix = "; rewrite it with: bin/synctalk run graph-definitions/ave-features.conf -Pdataset=" + dataset
                + " -Pave=" + encoderFile;
        if (stored.frameSize() != encoder.featureDim()) {
            throw new DatasetException(who + ": " + file + " has " + stored.frameSize() + " features per frame, the"
                    + " encoder " + encoderFile + " gives " + encoder.featureDim() + fix);
        }
        float[] audio = SpeechAudio.readMono(new DatasetLayout(dataset).audio(), 16000);
        DatasetAudioFeatures mel = DatasetAudioFeatures.melOf(audio, DatasetAudioFeatures.melDefaults());
        if (mel.frameCount() != stored.frameCount()) {
            throw new DatasetException(who + ": " + file + " has " + stored.frameCount() + " rows but aud.wav has "
                    + mel.frameCount() + " frames" + fix);
        }
        int n = mel.frameCount();
        int[] frames = {0, n / 2, n - 1};
        int size = mel.frameSize();
        float[] windows = new float[frames.length * size];
        for (int k = 0; k < frames.length; k++) {
            System.arraycopy(mel.window(frames[k], 1), 0, windows, k * size, size);
        }
        float[] expected = compute.encode(encoder, windows, frames.length);
        int d = encoder.featureDim();
        for (int k = 0; k < frames.length; k++) {
            float[] row = stored.window(frames[k], 1);
            double diff = 0;
            double norm = 0;
            for (int j = 0; j < d; j++) {
                double e = expected[k * d + j];
                diff += (row[j] - e) * (row[j] - e);
                norm += e * e;
            }
            double rel = Math.sqrt(diff / Math.max(norm, 1e-30));
            if (!(rel <= FEATURE_TOLERANCE)) {
                throw new DatasetException(who + ": " + file + " was not computed by the encoder " + encoderFile
                        + " (frame " + frames[k] + " differs by " + String.format(Locale.ROOT, "%.2e", rel)
                        + " relative)" + fix);
            }
        }
    }
}
