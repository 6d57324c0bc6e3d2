package dev.synctalk.sync;

import dev.synctalk.facesync.FaceSyncSizes;
import dev.synctalk.facesync.SyncClip;
import dev.synctalk.facesync.SyncExpert;
import dev.synctalk.facesync.SyncScoring;
import dev.synctalk.image.FloatImage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Audio-visual sync of a video by the lip-sync expert this engine trained (sync-expert-train): an analogue of
 * SyncNet's LSE-C confidence and AV offset for eval. For every window of five frames the expert's P_sync
 * with the audio window shifted by -maxOffset..maxOffset frames; averaged over the windows, the best offset
 * and its margin over the median are the offset and the confidence ({@link SyncScoring}).
 *
 * <p>Label every number with {@link #LABEL}: the expert was trained on the clips it was given (often the
 * very clip being evaluated), not on LRS2 as SyncNet was, so the values are not comparable with published
 * LSE-C/LSE-D figures, only between models judged by the same expert.
 *
 * <pre>{@code
 * try (SyncConfidence sync = SyncConfidence.load(Path.of("runs/x/outputs/sync_expert.stnt"))) {
 *     SyncConfidence.Measurement m = sync.measure(frames, landmarks68, speech16k);
 *     report.put("sync_confidence", m.confidence());   // with SyncConfidence.LABEL
 * }
 * }</pre>
 */
public final class SyncConfidence implements AutoCloseable {
    public static final String LABEL = "sync confidence of the lip-sync expert trained on these clips, not SyncNet";
    public static final int DEFAULT_MAX_OFFSET = 15;

    private final FaceSyncCompute compute;
    private final SyncExpert expert;

    private SyncConfidence(FaceSyncCompute compute, SyncExpert expert) {
        this.compute = compute;
        this.expert = expert;
    }

    /** Loads the expert (sync_expert.stnt) to run on the CPU; the error names a missing file or tensor. */
    public static SyncConfidence load(Path expertFile) throws IOException {
        FaceSyncCompute compute = FaceSyncCompute.cpu(0);
        try {
            return new SyncConfidence(compute, SyncExpert.load(compute.ops(), expertFile, false));
        } catch (IOException | RuntimeException e) {
            compute.close();
            throw e;
        }
    }

    /**
     * @param confidence    best mean P_sync over offsets minus their median (the LSE-C analogue; higher = the
     *                      mouth follows the audio more clearly)
     * @param offsetFrames  the audio offset with the best mean P_sync (0 = in sync)
     * @param pSyncInSync   mean P_sync at offset 0
     * @param windows       five-frame windows scored
     */
    public record Measurement(double confidence, int offsetFrames, double pSyncInSync, int windows) {
        public String label() {
            return LABEL;
        }
    }

    /**
     * Measures frames (RGB, any size) with their 68 landmarks and the speech (16 kHz mono) that drives them;
     * at least five frames.
     */
    public Measurement measure(List<FloatImage> frames, List<float[][]> landmarks68, float[] speech16k, int maxOffset) {
        FaceSyncSizes sizes = expert.sizes();
        SyncClip clip = SyncClips.fromFrames("measured video", frames, landmarks68, speech16k, sizes.cropHeight(),
                sizes.cropWidth(), 0);
        SyncScoring.Score s = SyncScoring.score(expert, clip, 0, clip.frames(), maxOffset, 64);
        return new Measurement(s.confidence(), s.offsetFrames(), s.meanSimilarity()[maxOffset], s.windows());
    }

    public Measurement measure(List<FloatImage> frames, List<float[][]> landmarks68, float[] speech16k) {
        return measure(frames, landmarks68, speech16k, DEFAULT_MAX_OFFSET);
    }

    @Override
    public void close() {
        expert.close();
        compute.close();
    }
}
