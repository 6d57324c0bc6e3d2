package dev.synctalk.facesync;

import dev.synctalk.nerf.audio.AudioVisualEncoder;

import java.util.List;

/** The host arrays of one training step, built from clips and the samples {@link FaceSyncSampling} drew. */
public final class FaceSyncBatches {
    static final int MEL_FLOATS = AudioVisualEncoder.MEL_BANDS * AudioVisualEncoder.WINDOW_FRAMES;

    private FaceSyncBatches() {
    }

    /**
     * The expert's inputs: faces [size, 15, H, W] (five crops stacked on channels), mels [size, 1, 80, 16],
     * labels [size] (1 in sync, 0 off).
     */
    public record ExpertBatch(int size, float[] faces, float[] mels, float[] labels) {
    }

    /**
     * The AVE's inputs for {@code size} windows of five frames (n = 5 * size frames, sample-major):
     * generator inputs [n, 6, H, W] (masked crop, reference crop), targets [n, 3, H, W], the frames' mel
     * windows [n, 1, 80, 16], and each window's mel window for the expert [size, 1, 80, 16].
     */
    public record AveBatch(int size, float[] faceInputs, float[] targets, float[] mels, float[] expertMels) {
        public int frames() {
            return size * FaceSyncSizes.WINDOW_FRAMES;
        }
    }

    private static void requireWindow(List<SyncClip> clips, int clip, int frame, int span) {
        if (clip < 0 || clip >= clips.size()) {
            throw new IllegalArgumentException("sample names clip " + clip + " of " + clips.size());
        }
        SyncClip c = clips.get(clip);
        if (frame < 0 || frame + span > c.frames()) {
            throw new IllegalArgumentException("sample frames " + frame + ".." + (frame + span - 1) + " lie outside "
                    + c);
        }
    }

    public static ExpertBatch expert(List<SyncClip> clips, List<FaceSyncSampling.ExpertSample> samples) {
        int n = samples.size();
        int crop = clips.get(0).cropFloats();
        int window = FaceSyncSizes.WINDOW_FRAMES;
        float[] faces = new float[n * window * crop];
        float[] mels = new float[n * MEL_FLOATS];
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {
            FaceSyncSampling.ExpertSample s = samples.get(i);
            requireWindow(clips, s.faceClip(), s.faceFrame(), window);
            requireWindow(clips, s.audioClip(), s.audioFrame(), 1);
            for (int j = 0; j < window; j++) {
                clips.get(s.faceClip()).copyCrop(s.faceFrame() + j, faces, (i * window + j) * crop);
            }
            clips.get(s.audioClip()).copyMelWindow(s.audioFrame(), mels, i * MEL_FLOATS);
            labels[i] = s.inSync() ? 1f : 0f;
        }
        return new ExpertBatch(n, faces, mels, labels);
    }

    public static AveBatch ave(List<SyncClip> clips, List<FaceSyncSampling.AveSample> samples) {
        int n = samples.size();
        int crop = clips.get(0).cropFloats();
        int window = FaceSyncSizes.WINDOW_FRAMES;
        float[] inputs = new float[n * window * 2 * crop];
        float[] targets = new float[n * window * crop];
        float[] mels = new float[n * window * MEL_FLOATS];
        float[] expertMels = new float[n * MEL_FLOATS];
        for (int i = 0; i < n; i++) {
            FaceSyncSampling.AveSample s = samples.get(i);
            requireWindow(clips, s.clip(), s.frame(), window);
            SyncClip c = clips.get(s.clip());
            for (int j = 0; j < window; j++) {
                int f = i * window + j;
                int frame = s.frame() + j;
                requireWindow(clips, s.clip(), s.references()[j], 1);
                c.copyMaskedCrop(frame, inputs, 2 * f * crop);
                c.copyCrop(s.references()[j], inputs, (2 * f + 1) * crop);
                c.copyCrop(frame, targets, f * crop);
                c.copyMelWindow(frame, mels, f * MEL_FLOATS);
            }
            c.copyMelWindow(s.frame(), expertMels, i * MEL_FLOATS);
        }
        return new AveBatch(n, inputs, targets, mels, expertMels);
    }
}
