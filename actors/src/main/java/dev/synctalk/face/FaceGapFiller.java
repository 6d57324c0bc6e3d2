package dev.synctalk.face;

import java.util.ArrayList;
import java.util.List;

/**
 * Fills frames without a face: a run of at most {@code maxGapFrames} missing frames between two found
 * ones gets the points linearly interpolated by frame index; a run at the start or end of the video
 * (with only one neighbour) holds that neighbour's points. Results come out in frame order, a gap's
 * frames once the gap has closed. A longer run, or a video without any face, fails naming the frames.
 * Only the missing frames' indices and sizes are buffered, never their pixels.
 */
public final class FaceGapFiller {

    private record MissingFrame(long frameIndex, int width, int height) {
    }

    private final int maxGapFrames;
    private final String source;
    private final List<MissingFrame> gap = new ArrayList<>();
    private long gapFirst = -1;
    private long gapLast = -1;
    private long gapCount;
    private FaceLandmarks previous;
    private long framesSeen;

    /** @param source what the frames came from, for error messages (a file name, a stage name) */
    public FaceGapFiller(int maxGapFrames, String source) {
        if (maxGapFrames < 0) {
            throw new IllegalArgumentException("max-gap-frames must be >= 0, got " + maxGapFrames);
        }
        this.maxGapFrames = maxGapFrames;
        this.source = source;
    }

    /** A frame with a face: returns it, preceded by the filled frames of the gap it closes. */
    public List<FaceLandmarks> found(FaceLandmarks face) {
        framesSeen++;
        List<FaceLandmarks> out = new ArrayList<>();
        if (gapCount > 0) {
            requireShortGap(" (the face is found again in frame " + face.frameIndex() + ")");
            for (MissingFrame m : gap) {
                out.add(previous == null ? hold(face, m) : interpolate(previous, face, m));
            }
            clearGap();
        }
        out.add(face);
        previous = face;
        return out;
    }

    /** A frame without a face: buffered until the gap closes (bounded by max-gap-frames). */
    public void missing(long frameIndex, int width, int height) {
        framesSeen++;
        if (gapCount == 0) {
            gapFirst = frameIndex;
        }
        gapLast = frameIndex;
        gapCount++;
        if (gapCount > maxGapFrames) {
            // Fail now rather than when the gap ends: stages downstream that join landmarks with frames
            // cannot wait for an unbounded gap without stalling the whole graph.
            throw new IllegalStateException("no face found in frames " + gapFirst + "-" + gapLast + " of " + source
                    + ": " + gapCount + " frames in a row" + (previous == null ? " from the start of the video" : "")
                    + ", more than max-gap-frames " + maxGapFrames + " can bridge by interpolation"
                    + " (check the video and min-detection-score)");
        }
        gap.add(new MissingFrame(frameIndex, width, height));
    }

    /** End of the video: fills a short trailing gap by holding the last face, or fails. */
    public List<FaceLandmarks> finish() {
        if (gapCount == 0) {
            return List.of();
        }
        if (previous == null) {
            throw new IllegalStateException("no face found in frames " + gapFirst + "-" + gapLast + " of " + source
                    + ": none of its " + framesSeen + " frames shows a face the detector accepts"
                    + " (check the video and min-detection-score)");
        }
        requireShortGap(" (until the end of the video)");
        List<FaceLandmarks> out = new ArrayList<>();
        for (MissingFrame m : gap) {
            out.add(hold(previous, m));
        }
        clearGap();
        return out;
    }

    /** Frames currently held back waiting for the end of a gap. */
    public int buffered() {
        return gap.size();
    }

    private void requireShortGap(String context) {
        if (gapCount > maxGapFrames) {
            throw new IllegalStateException("no face found in frames " + gapFirst + "-" + gapLast + " of " + source
                    + ": " + gapCount + " frames" + context + ", more than max-gap-frames " + maxGapFrames
                    + " can bridge by interpolation");
        }
    }

    private void clearGap() {
        gap.clear();
        gapCount = 0;
        gapFirst = -1;
        gapLast = -1;
    }

    private static FaceLandmarks hold(FaceLandmarks from, MissingFrame m) {
        return new FaceLandmarks(m.frameIndex(), m.width(), m.height(), from.points().clone(), from.score(), true);
    }

    private static FaceLandmarks interpolate(FaceLandmarks before, FaceLandmarks after, MissingFrame m) {
        double t = (double) (m.frameIndex() - before.frameIndex()) / (after.frameIndex() - before.frameIndex());
        float[] a = before.points();
        float[] b = after.points();
        float[] points = new float[a.length];
        for (int i = 0; i < points.length; i++) {
            points[i] = (float) (a[i] + t * (b[i] - a[i]));
        }
        float score = (float) (before.score() + t * (after.score() - before.score()));
        return new FaceLandmarks(m.frameIndex(), m.width(), m.height(), points, score, true);
    }
}
