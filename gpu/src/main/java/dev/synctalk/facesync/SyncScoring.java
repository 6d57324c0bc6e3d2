package dev.synctalk.facesync;

import java.util.Arrays;

/**
 * What the lip-sync expert says about a stretch of a clip: how well it tells in-sync pairs from pairs
 * shifted by {@value FaceSyncSampling#MIN_SHIFT} to maxOffset frames, and which audio offset fits the
 * faces best, the way SyncNet's evaluation finds the audio-visual offset and its confidence (LSE-C):
 * for each offset o in [-maxOffset, maxOffset] the mean over the face windows t of
 * P_sync(face window t, audio window t + o); the offset is the o with the largest mean, the confidence
 * the largest mean minus the median of the means. Face windows start at frames [first, end - 5]; the
 * audio windows may come from anywhere in the clip (a shifted window reaches outside [first, end)).
 */
public final class SyncScoring {
    private SyncScoring() {
    }

    /**
     * @param windows          face windows scored
     * @param inSyncAccuracy   fraction of face windows whose own audio window gets P_sync &gt; 0.5
     * @param offSyncAccuracy  fraction of pairs shifted by 5..maxOffset frames that get P_sync &lt; 0.5
     * @param offsetFrames     the audio offset with the highest mean P_sync (0 = in sync; positive = the
     *                         faces match audio from later frames)
     * @param confidence       highest mean P_sync minus the median over offsets (the LSE-C analogue)
     * @param meanSimilarity   mean P_sync per offset, index o + maxOffset
     */
    public record Score(int windows, double inSyncAccuracy, double offSyncAccuracy, int offsetFrames, double confidence,
                        double[] meanSimilarity, int maxOffset) {
        /** The mean of the in-sync and off-sync accuracies (chance is 0.5). */
        public double balancedAccuracy() {
            return (inSyncAccuracy + offSyncAccuracy) / 2;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%d windows: in-sync accuracy %.3f, off-sync accuracy %.3f,"
                    + " offset %+d frames, confidence %.3f", windows, inSyncAccuracy, offSyncAccuracy, offsetFrames,
                    confidence);
        }
    }

    /** Scores face windows starting in [first, end - 5] of {@code clip}; embeddings go through the expert in batches. */
    public static Score score(SyncExpert expert, SyncClip clip, int first, int end, int maxOffset, int batch) {
        int window = FaceSyncSizes.WINDOW_FRAMES;
        int lastStart = end - window;
        if (first < 0 || lastStart < first || end > clip.frames()) {
            throw new IllegalArgumentException(clip + ": frames [" + first + ", " + end + ") hold no " + window
                    + "-frame window");
        }
        if (clip.cropHeight() != expert.sizes().cropHeight()) {
            throw new IllegalArgumentException(clip + " has " + clip.cropHeight() + "x" + clip.cropWidth()
                    + " crops, the expert judges " + expert.sizes().cropHeight() + "x" + expert.sizes().cropWidth());
        }
        int dim = expert.embeddingDim();
        int faces = lastStart - first + 1;
        float[] faceEmbeddings = new float[faces * dim];
        int crop = clip.cropFloats();
        for (int s = 0; s < faces; s += batch) {
            int n = Math.min(batch, faces - s);
            float[] input = new float[n * window * crop];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < window; j++) {
                    clip.copyCrop(first + s + i + j, input, (i * window + j) * crop);
                }
            }
            System.arraycopy(expert.embedFaces(input, n), 0, faceEmbeddings, s * dim, n * dim);
        }
        int audioFirst = Math.max(0, first - maxOffset);
        int audioEnd = Math.min(clip.frames(), lastStart + maxOffset + 1);
        int audios = audioEnd - audioFirst;
        float[] audioEmbeddings = new float[audios * dim];
        for (int s = 0; s < audios; s += batch) {
            int n = Math.min(batch, audios - s);
            System.arraycopy(expert.embedAudio(clip.melWindows(audioFirst + s, audioFirst + s + n), n), 0,
                    audioEmbeddings, s * dim, n * dim);
        }
        double[] sum = new double[2 * maxOffset + 1];
        int[] count = new int[2 * maxOffset + 1];
        int inSyncRight = 0;
        int offRight = 0;
        int offPairs = 0;
        for (int t = first; t <= lastStart; t++) {
            for (int o = -maxOffset; o <= maxOffset; o++) {
                int a = t + o;
                if (a < audioFirst || a >= audioEnd) {
                    continue;
                }
                double p = SyncLoss.probability(faceEmbeddings, (t - first) * dim, audioEmbeddings, (a - audioFirst) * dim,
                        dim);
                sum[o + maxOffset] += p;
                count[o + maxOffset]++;
                if (o == 0) {
                    inSyncRight += p > 0.5 ? 1 : 0;
                } else if (Math.abs(o) >= FaceSyncSampling.MIN_SHIFT) {
                    offRight += p < 0.5 ? 1 : 0;
                    offPairs++;
                }
            }
        }
        double[] mean = new double[sum.length];
        int best = maxOffset;
        for (int k = 0; k < mean.length; k++) {
            mean[k] = count[k] == 0 ? Double.NaN : sum[k] / count[k];
            // ties go to the offset nearest zero
            if (!Double.isNaN(mean[k]) && (mean[k] > mean[best]
                    || mean[k] == mean[best] && Math.abs(k - maxOffset) < Math.abs(best - maxOffset))) {
                best = k;
            }
        }
        double[] valid = Arrays.stream(mean).filter(v -> !Double.isNaN(v)).sorted().toArray();
        double median = valid.length % 2 == 1 ? valid[valid.length / 2]
                : (valid[valid.length / 2 - 1] + valid[valid.length / 2]) / 2;
        return new Score(faces, (double) inSyncRight / faces, offPairs == 0 ? Double.NaN : (double) offRight / offPairs,
                best - maxOffset, mean[best] - median, mean, maxOffset);
    }
}
