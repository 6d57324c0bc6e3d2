package dev.synctalk.eval;

import dev.synctalk.pose.PoseGuard;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The report's figures from the per-frame scores: what each column means and when it is absent. */
final class QualityColumns {
    static final String HIGHER = "higher";
    static final String LOWER = "lower";
    static final String NEITHER = "";
    /** Where a lip-sync expert's confidence (LSE-C, SyncNet) will go; no such expert is part of the engine yet. */
    static final String SYNC_CONFIDENCE_KEY = "syncConfidence";

    /** Why landmark-based figures are absent (null when the detector ran) and MS-SSIM's scales. */
    record Context(String landmarksAbsent, String lpipsAbsent, int msssimScalesHead, int msssimScalesPortrait,
                   int maxLagFrames) {
    }

    private QualityColumns() {
    }

    static List<MetricColumn> reconstruction(List<FrameScores> rows, Context c) {
        List<MetricColumn> out = new ArrayList<>();
        String noHead = "no frame's parsing has head pixels";
        out.add(mean("psnrFace", "PSNR, head over background, within the face mask", "dB", HIGHER, rows, s -> s.psnrFace,
                noHead, "pixels of the parsing's head class"));
        out.add(mean("psnrHead", "PSNR, head region", "dB", HIGHER, rows, s -> s.psnrHead, noHead,
                "bounding box of the head class"));
        out.add(mean("ssimHead", "SSIM, head region", "", HIGHER, rows, s -> s.ssimHead, noHead + " of 11 px or more", ""));
        out.add(mean("msssimHead", "MS-SSIM, head region", "", HIGHER, rows, s -> s.msssimHead, noHead + " of 11 px or more",
                scalesNote(c.msssimScalesHead())));
        out.add(lpips("lpipsHead", "LPIPS (AlexNet), head region", rows, s -> s.lpipsHead, c));
        out.add(mean("psnrPortrait", "PSNR, portrait (render merged into the original frame)", "dB", HIGHER, rows,
                s -> s.psnrPortrait, "no frame evaluated", "whole frame"));
        out.add(mean("ssimPortrait", "SSIM, portrait", "", HIGHER, rows, s -> s.ssimPortrait, "frames smaller than 11 px",
                "whole frame"));
        out.add(mean("msssimPortrait", "MS-SSIM, portrait", "", HIGHER, rows, s -> s.msssimPortrait,
                "frames smaller than 11 px", "whole frame, " + scalesNote(c.msssimScalesPortrait())));
        out.add(lpips("lpipsPortrait", "LPIPS (AlexNet), portrait", rows, s -> s.lpipsPortrait, c));
        String noFaces = c.landmarksAbsent() != null ? c.landmarksAbsent()
                : "no frame where face-landmarks found a face in both the render and the ground truth";
        out.add(mean("lmdMouth", "LMD, mouth landmarks 48-67", "px", LOWER, rows, s -> s.lmdMouth, noFaces,
                "portrait frame vs original frame, at the dataset's size"));
        out.add(mean("lmdAll", "LMD, all 68 landmarks", "px", LOWER, rows, s -> s.lmdAll, noFaces, ""));
        out.add(correlation("mouthOpeningCorrelation", "mouth-opening correlation, render vs ground truth",
                FrameScores.series(rows, s -> s.openingRender), FrameScores.series(rows, s -> s.openingTruth),
                c.landmarksAbsent()));
        out.addAll(lag("mouthLag", "mouth-opening lag of the render behind the ground truth", "mouthLagCorrelation",
                "mouth-opening correlation at that lag", FrameScores.series(rows, s -> s.openingRender),
                FrameScores.series(rows, s -> s.openingTruth), "lag maximising corr(render[t + lag], truth[t]) over +-"
                        + c.maxLagFrames() + " frames; 0: in step with the recorded video", c));
        out.add(mean("mouthOpeningRender", "mouth opening, render (mean)", "", NEITHER, rows, s -> s.openingRender,
                noFaces(c, "render"), "inner-lip gap / outer eye-corner distance"));
        out.add(mean("mouthOpeningTruth", "mouth opening, ground truth (mean)", "", NEITHER, rows, s -> s.openingTruth,
                noFaces(c, "ground-truth"), ""));
        out.addAll(offset("Render", "render", FrameScores.series(rows, s -> s.openingRender),
                FrameScores.series(rows, s -> s.energyDb), c));
        out.addAll(offset("Truth", "ground truth", FrameScores.series(rows, s -> s.openingTruth),
                FrameScores.series(rows, s -> s.energyDb), c));
        String oneFrame = "temporal flicker needs at least 2 consecutive frames";
        out.add(mean("flickerRender", "temporal flicker outside the face, render", "levels", LOWER, rows,
                s -> s.flickerRender, oneFrame, "head over background; mean |change| per frame, 0-255"));
        out.add(mean("flickerTruth", "temporal flicker outside the face, ground truth", "levels", NEITHER, rows,
                s -> s.flickerTruth, oneFrame, "the baseline: the recorded video's own change"));
        return out;
    }

    /**
     * Cross-driven (other speech, no ground truth): the render's mouth statistics and audio-visual offset
     * against the driving audio, next to the same on the training video with its own audio.
     */
    static List<MetricColumn> crossDriven(List<FrameScores> rows, double[] trainingOpening, double[] trainingEnergy,
            Context c) {
        List<MetricColumn> out = new ArrayList<>();
        double[] opening = FrameScores.series(rows, s -> s.openingRender);
        out.addAll(statistics("Render", "render", opening, c));
        out.addAll(statistics("Training", "training video", trainingOpening, c));
        out.addAll(offset("Render", "render vs driving audio", opening, FrameScores.series(rows, s -> s.energyDb), c));
        out.addAll(offset("Training", "training video vs its audio", trainingOpening, trainingEnergy, c));
        return out;
    }

    /**
     * The lip-sync confidence column, absent until the engine has a lip-sync expert. With one, quality-eval
     * scores each frame's mouth crops against its audio window (both are at hand in process(), as for the
     * audio-visual offset) and this column becomes their mean under the same key, so reports stay comparable.
     */
    static MetricColumn syncConfidence() {
        return MetricColumn.absent(SYNC_CONFIDENCE_KEY, "lip-sync confidence (LSE-C)", "", HIGHER,
                "needs a lip-sync expert network (SyncNet); none is part of this engine yet");
    }

    static List<MetricColumn> poseGuard(PoseGuard.Result guard, String absent) {
        String label = "pose guard: rigid-landmark reprojection RMS";
        String control = "pose guard control: every rotation = the first frame's";
        if (guard == null) {
            return List.of(MetricColumn.absent("poseGuardRms", label, "px", LOWER, absent),
                    MetricColumn.absent("poseGuardControlRms", control, "px", NEITHER, absent));
        }
        return List.of(
                MetricColumn.of("poseGuardRms", label, "px", LOWER, guard.reprojectionRmsPx(), String.format(Locale.ROOT,
                        "landmarks 27-35, 36, 39, 42, 45 over %d frames with the dataset's poses", guard.frames())),
                MetricColumn.of("poseGuardControlRms", control, "px", NEITHER, guard.controlRmsPx(),
                        String.format(Locale.ROOT, "%.1fx the poses' figure; real head motion makes it worse",
                                guard.controlRatio())));
    }

    private static String noFaces(Context c, String what) {
        return c.landmarksAbsent() != null ? c.landmarksAbsent() : "face-landmarks found no face in any " + what + " frame";
    }

    private static List<MetricColumn> statistics(String suffix, String what, double[] opening, Context c) {
        String absent = c.landmarksAbsent() != null ? c.landmarksAbsent()
                : "face-landmarks found no face in any " + what + " frame";
        int n = 0;
        double sum = 0;
        for (double v : opening) {
            if (Double.isFinite(v)) {
                n++;
                sum += v;
            }
        }
        String meanKey = "mouthOpeningMean" + suffix;
        String sdKey = "mouthOpeningStd" + suffix;
        String p95Key = "mouthOpeningP95" + suffix;
        if (n == 0) {
            return List.of(MetricColumn.absent(meanKey, "mouth opening, " + what + " (mean)", "", NEITHER, absent),
                    MetricColumn.absent(sdKey, "mouth opening, " + what + " (std)", "", NEITHER, absent),
                    MetricColumn.absent(p95Key, "mouth opening, " + what + " (95th percentile)", "", NEITHER, absent));
        }
        double mean = sum / n;
        double var = 0;
        double[] finite = new double[n];
        int i = 0;
        for (double v : opening) {
            if (Double.isFinite(v)) {
                var += (v - mean) * (v - mean);
                finite[i++] = v;
            }
        }
        java.util.Arrays.sort(finite);
        double p95 = finite[(int) Math.min(n - 1, Math.ceil(0.95 * n) - 1)];
        String note = n + " of " + opening.length + " frames with a face";
        return List.of(MetricColumn.of(meanKey, "mouth opening, " + what + " (mean)", "", NEITHER, mean,
                        note + "; inner-lip gap / outer eye-corner distance"),
                MetricColumn.of(sdKey, "mouth opening, " + what + " (std)", "", NEITHER, Math.sqrt(var / n), note),
                MetricColumn.of(p95Key, "mouth opening, " + what + " (95th percentile)", "", NEITHER, p95, note));
    }

    private static List<MetricColumn> offset(String suffix, String what, double[] opening, double[] energy, Context c) {
        return lag("avOffset" + suffix, "audio-visual offset, " + what, "avCorrelation" + suffix,
                "mouth-opening / audio-energy correlation at that offset, " + what, opening, energy,
                "lag maximising corr(opening[t + lag], energy[t]) over +-" + c.maxLagFrames()
                        + " frames; positive: the mouth follows the sound", c);
    }

    /** A lag column (no better direction: 0 is right) and the correlation at that lag. */
    private static List<MetricColumn> lag(String lagKey, String lagLabel, String rKey, String rLabel, double[] visual,
            double[] reference, String note, Context c) {
        if (c.landmarksAbsent() != null) {
            return List.of(MetricColumn.absent(lagKey, lagLabel, "frames", NEITHER, c.landmarksAbsent()),
                    MetricColumn.absent(rKey, rLabel, "", HIGHER, c.landmarksAbsent()));
        }
        try {
            LagCorrelation o = LagCorrelation.find(visual, reference, c.maxLagFrames());
            if (o.correlation() <= 0) {
                note += "; no positive correlation at any lag: the mouth does not follow this series";
            } else if (Math.abs(o.lagFrames()) == c.maxLagFrames()) {
                note += "; at the edge of the searched range: the true lag may lie beyond it";
            }
            return List.of(MetricColumn.of(lagKey, lagLabel, "frames", NEITHER, o.lagFrames(), note),
                    MetricColumn.of(rKey, rLabel, "", HIGHER, o.correlation(), ""));
        } catch (UndefinedMetricException e) {
            return List.of(MetricColumn.absent(lagKey, lagLabel, "frames", NEITHER, e.getMessage()),
                    MetricColumn.absent(rKey, rLabel, "", HIGHER, e.getMessage()));
        }
    }

    private static MetricColumn correlation(String key, String label, double[] a, double[] b, String landmarksAbsent) {
        if (landmarksAbsent != null) {
            return MetricColumn.absent(key, label, "", HIGHER, landmarksAbsent);
        }
        try {
            return MetricColumn.of(key, label, "", HIGHER, Correlation.pearson(a, b), "Pearson, over frames with a face"
                    + " in both");
        } catch (UndefinedMetricException e) {
            return MetricColumn.absent(key, label, "", HIGHER, e.getMessage());
        }
    }

    private static MetricColumn lpips(String key, String label, List<FrameScores> rows, ToDoubleFunction<FrameScores> f,
            Context c) {
        if (c.lpipsAbsent() != null) {
            return MetricColumn.absent(key, label, "", LOWER, c.lpipsAbsent());
        }
        return mean(key, label, "", LOWER, rows, f, "images smaller than AlexNet's 31 px", "inputs 2c - 1, lpips v0.1");
    }

    /** The mean over the frames where the figure is defined (an infinite PSNR makes the mean infinite). */
    static MetricColumn mean(String key, String label, String unit, String better, List<FrameScores> rows,
            ToDoubleFunction<FrameScores> f, String absentReason, String note) {
        double sum = 0;
        int n = 0;
        for (FrameScores s : rows) {
            double v = f.applyAsDouble(s);
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        if (n == 0) {
            return MetricColumn.absent(key, label, unit, better, absentReason);
        }
        String counted = "mean over " + n + " of " + rows.size() + " frames";
        return MetricColumn.of(key, label, unit, better, sum / n, note.isEmpty() ? counted : note + "; " + counted);
    }

    private static String scalesNote(int scales) {
        return scales >= Ssim.MS_SSIM_WEIGHTS.length ? "5 scales" : scales
                + " scales (images under 161 px: weights renormalised, not the standard 5-scale figure)";
    }
}
