package dev.synctalk.eval;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The figures of one evaluated frame; NaN where a figure is not defined for it (no face found, a region
 * too small, cross-driven frames without ground truth). Written row by row to per_frame.csv.
 */
final class FrameScores {
    final long frame;
    final int imageId;
    final int audioId;
    double psnrFace = Double.NaN;
    double psnrHead = Double.NaN;
    double ssimHead = Double.NaN;
    double msssimHead = Double.NaN;
    double lpipsHead = Double.NaN;
    double psnrPortrait = Double.NaN;
    double ssimPortrait = Double.NaN;
    double msssimPortrait = Double.NaN;
    double lpipsPortrait = Double.NaN;
    double lmdMouth = Double.NaN;
    double lmdAll = Double.NaN;
    double openingRender = Double.NaN;
    double openingTruth = Double.NaN;
    double energyDb = Double.NaN;
    double flickerRender = Double.NaN;
    double flickerTruth = Double.NaN;

    FrameScores(long frame, int imageId, int audioId) {
        this.frame = frame;
        this.imageId = imageId;
        this.audioId = audioId;
    }

    /** The CSV columns and how each is read from a row. */
    private record Column(String name, ToDoubleFunction<FrameScores> value) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("psnr_face_db", s -> s.psnrFace), new Column("psnr_head_db", s -> s.psnrHead),
            new Column("ssim_head", s -> s.ssimHead), new Column("msssim_head", s -> s.msssimHead),
            new Column("lpips_head", s -> s.lpipsHead), new Column("psnr_portrait_db", s -> s.psnrPortrait),
            new Column("ssim_portrait", s -> s.ssimPortrait), new Column("msssim_portrait", s -> s.msssimPortrait),
            new Column("lpips_portrait", s -> s.lpipsPortrait), new Column("lmd_mouth_px", s -> s.lmdMouth),
            new Column("lmd_all_px", s -> s.lmdAll), new Column("mouth_opening_render", s -> s.openingRender),
            new Column("mouth_opening_truth", s -> s.openingTruth), new Column("audio_energy_db", s -> s.energyDb),
            new Column("flicker_render_levels", s -> s.flickerRender),
            new Column("flicker_truth_levels", s -> s.flickerTruth));

    static String csv(List<FrameScores> rows) {
        StringBuilder s = new StringBuilder("frame,img_id,aud_id");
        for (Column c : COLUMNS) {
            s.append(',').append(c.name());
        }
        s.append('\n');
        for (FrameScores r : rows) {
            s.append(r.frame).append(',').append(r.imageId).append(',').append(r.audioId);
            for (Column c : COLUMNS) {
                double v = c.value().applyAsDouble(r);
                s.append(',').append(Double.isNaN(v) ? "" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf")
                        : String.format(Locale.ROOT, "%.6g", v));
            }
            s.append('\n');
        }
        return s.toString();
    }

    static double[] series(List<FrameScores> rows, ToDoubleFunction<FrameScores> value) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = value.applyAsDouble(rows.get(i));
        }
        return out;
    }
}
