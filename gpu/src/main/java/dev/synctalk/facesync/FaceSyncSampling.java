package dev.synctalk.facesync;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What each training step of the expert and of the AVE looks at, drawn from a generator seeded by
 * (seed, step) alone, so that any step can be recomputed (a resumed run sees the same batches) and the
 * sampler stage and the trainer agree without sharing state. Only training frames ([0, trainFrames) of
 * each clip) are drawn. A face window starting at frame t covers frames t .. t+4; its audio window is the
 * mel window of frame t (16 mel frames = 0.2 s = 5 video frames, Wav2Lip's pairing).
 *
 * <p>Expert batches are half in sync (face and audio windows of the same clip and start) and half off
 * sync; an off-sync audio window comes from another clip (a chosen fraction of them, when there are several
 * clips: with many speakers these teach the expert faces against voices, with two or three clips they are a
 * shortcut, telling voices apart) or from the same clip at least {@value #MIN_SHIFT} frames away: half of those within
 * {@value #NEAR_SHIFT} frames (the hard negatives that teach the expert the audio offset), half anywhere.
 */
public final class FaceSyncSampling {
    /** Smallest shift of an off-sync audio window within one clip, in frames (the 5). */
    public static final int MIN_SHIFT = 5;
    /** Largest shift of the "near" off-sync windows. */
    public static final int NEAR_SHIFT = 15;
    /** A clip needs this many training frames to give windows, shifted negatives and references. */
    public static final int MIN_TRAIN_FRAMES = FaceSyncSizes.WINDOW_FRAMES + 2 * MIN_SHIFT;

    private FaceSyncSampling() {
    }

    /** One expert pair: the face window of (faceClip, faceFrame .. +4) with the audio window of (audioClip, audioFrame). */
    public record ExpertSample(int faceClip, int faceFrame, int audioClip, int audioFrame, boolean inSync) {
    }

    /** One AVE sample: frames frame .. frame+4 of a clip, each with a reference frame of the same clip. */
    public record AveSample(int clip, int frame, int[] references) {
    }

    static SplittableRandom random(long seed, long step) {
        return new SplittableRandom(seed + step * 0x9E3779B97F4A7C15L);
    }

    /** Checks that every clip is long enough; the error names the clip. */
    public static void requireUsable(List<String> names, int[] trainFrames) {
        if (trainFrames.length == 0) {
            throw new IllegalArgumentException("no clips to train on");
        }
        for (int k = 0; k < trainFrames.length; k++) {
            if (trainFrames[k] < MIN_TRAIN_FRAMES) {
                throw new IllegalArgumentException("clip " + names.get(k) + " has " + trainFrames[k]
                        + " training frames; the lip-sync training needs at least " + MIN_TRAIN_FRAMES);
            }
        }
    }

    /** Windows of clip k: starts 0 .. trainFrames - 5. */
    private static int windows(int trainFrames) {
        return trainFrames - FaceSyncSizes.WINDOW_FRAMES + 1;
    }

    /** A clip drawn with probability proportional to its number of training windows. */
    private static int clip(SplittableRandom rng, int[] trainFrames) {
        long total = 0;
        for (int f : trainFrames) {
            total += windows(f);
        }
        long pick = rng.nextLong(total);
        for (int k = 0; k < trainFrames.length; k++) {
            pick -= windows(trainFrames[k]);
            if (pick < 0) {
                return k;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** A window start of clip k at least MIN_SHIFT and (when {@code near}) at most NEAR_SHIFT away from t. */
    private static int shifted(SplittableRandom rng, int trainFrames, int t, boolean near) {
        int last = windows(trainFrames) - 1;
        int lowest = near ? Math.max(0, t - NEAR_SHIFT) : 0;
        int highest = near ? Math.min(last, t + NEAR_SHIFT) : last;
        int below = Math.max(0, t - MIN_SHIFT - lowest + 1);
        int above = Math.max(0, highest - (t + MIN_SHIFT) + 1);
        if (below + above == 0) {
            return shifted(rng, trainFrames, t, false);
        }
        int pick = rng.nextInt(below + above);
        return pick < below ? lowest + pick : t + MIN_SHIFT + (pick - below);
    }

    /** Off-sync windows taken from another clip by default (when there is one). */
    public static final double DEFAULT_OTHER_CLIP_NEGATIVES = 0.5;

    /** As {@link #expertSamples(int[], int, long, long, double)} with the default share of other-clip negatives. */
    public static List<ExpertSample> expertSamples(int[] trainFrames, int batch, long seed, long step) {
        return expertSamples(trainFrames, batch, seed, step, DEFAULT_OTHER_CLIP_NEGATIVES);
    }

    /**
     * The expert's batch of step {@code step}: the first half in sync, the second half off sync, a fraction
     * {@code otherClip} of those (in expectation) with audio from another clip.
     */
    public static List<ExpertSample> expertSamples(int[] trainFrames, int batch, long seed, long step,
                                                   double otherClip) {
        SplittableRandom rng = random(seed, step);
        List<ExpertSample> out = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            int k = clip(rng, trainFrames);
            int t = rng.nextInt(windows(trainFrames[k]));
            if (i < batch / 2) {
                out.add(new ExpertSample(k, t, k, t, true));
            } else if (trainFrames.length > 1 && rng.nextDouble() < otherClip) {
                int other = clip(rng, trainFrames);
                while (other == k) {
                    other = clip(rng, trainFrames);
                }
                out.add(new ExpertSample(k, t, other, rng.nextInt(windows(trainFrames[other])), false));
            } else {
                out.add(new ExpertSample(k, t, k, shifted(rng, trainFrames[k], t, rng.nextBoolean()), false));
            }
        }
        return out;
    }

    /** The AVE's batch of step {@code step}; references lie at least MIN_SHIFT frames from their frame. */
    public static List<AveSample> aveSamples(int[] trainFrames, int batch, long seed, long step) {
        SplittableRandom rng = random(seed, step);
        List<AveSample> out = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            int k = clip(rng, trainFrames);
            int t = rng.nextInt(windows(trainFrames[k]));
            int[] references = new int[FaceSyncSizes.WINDOW_FRAMES];
            for (int j = 0; j < references.length; j++) {
                int frame = t + j;
                int lo = Math.max(0, frame - MIN_SHIFT + 1);
                int hi = Math.min(trainFrames[k] - 1, frame + MIN_SHIFT - 1);
                int excluded = hi - lo + 1;
                int pick = rng.nextInt(trainFrames[k] - excluded);
                references[j] = pick < lo ? pick : pick + excluded;
            }
            out.add(new AveSample(k, t, references));
        }
        return out;
    }
}
