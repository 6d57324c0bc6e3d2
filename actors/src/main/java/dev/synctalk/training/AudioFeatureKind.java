package dev.synctalk.training;

/**
 * Which per-frame audio features drive the head: {@link #MEL} the 80x16 log-mel window of each video
 * frame through the trainable {@link dev.synctalk.nerf.MelAudioNet} (computed from the dataset's aud.wav
 * as the log-mel stage computes it), {@link #AVE} pre-computed audio-visual-encoder features
 * ({@code aud_ave.npy}, [frames, D]) through {@link dev.synctalk.nerf.AveAudioNet}.
 */
public enum AudioFeatureKind {
    MEL, AVE
}
