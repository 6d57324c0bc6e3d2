package dev.synctalk.pose;

import dev.synctalk.output.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** The stabilizer's outputs for a person to read: a JSON report and a plot of head angles before/after BA. */
final class PoseReport {
    private PoseReport() {
    }

    static String json(int frames, long firstFrameIndex, PinholeCamera camera, FocalSearch.Result focal,
            double meanLandmarkRmsPx, int tracks, BundleAdjuster.Result ba, BundleAdjuster.Settings settings,
            PoseStability before, PoseStability after, PoseGuard.Result guard, PoseGuard.Result roughGuard) {
        StringBuilder s = new StringBuilder(1024);
        s.append("{\n");
        field(s, "frames", frames);
        field(s, "firstFrameIndex", firstFrameIndex);
        field(s, "focalPx", camera.focalPx());
        field(s, "cx", camera.cx());
        field(s, "cy", camera.cy());
        s.append("  \"focalSearchGrid\": [");
        for (int i = 0; i < focal.gridFocalsPx().length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "{\"focalPx\": %.2f, \"cost\": %.6g}",
                    focal.gridFocalsPx()[i], focal.gridCosts()[i]));
        }
        s.append("],\n");
        field(s, "meanLandmarkRmsPx", meanLandmarkRmsPx);
        field(s, "tracks", tracks);
        field(s, "trackObservations", ba.observations());
        field(s, "reprojectionRmsAfterStage1Px", ba.rmsAfterPointsPx());
        field(s, "reprojectionRmsAfterStage2Px", ba.rmsAfterJointPx());
        field(s, "rejectedTracks", ba.rejectedTracks());
        s.append("  \"bundleAdjustment\": {\"pointIterations\": ").append(settings.pointIterations())
                .append(", \"pointLearningRate\": ").append(number(settings.pointLearningRate()))
                .append(", \"jointIterations\": ").append(settings.jointIterations())
                .append(", \"jointPointLearningRate\": ").append(number(settings.jointPointLearningRate()))
                .append(", \"rotationLearningRate\": ").append(number(settings.rotationLearningRate()))
                .append(", \"translationLearningRate\": ").append(number(settings.translationLearningRate()))
                .append(", \"robustScalePx\": ").append(number(settings.robustScalePx()))
                .append(", \"landmarkWeight\": ").append(number(settings.landmarkWeight()))
                .append(", \"smoothnessWeight\": ").append(number(settings.smoothnessWeight()))
                .append(", \"outlierTrackMads\": ").append(number(settings.outlierTrackMads()))
                .append(", \"outlierTrackMinPx\": ").append(number(settings.outlierTrackMinPx())).append("},\n");
        s.append(String.format(Locale.ROOT, "  \"stabilityLowerAfterBundleAdjustment\": {\"rotationStep\": %b, "
                + "\"translationStep\": %b, \"rotationJitter\": %b, \"translationJitter\": %b},%n",
                after.meanRotationStepDeg() < before.meanRotationStepDeg(),
                after.meanTranslationStepMm() < before.meanTranslationStepMm(),
                after.meanRotationJitterDeg() < before.meanRotationJitterDeg(),
                after.meanTranslationJitterMm() < before.meanTranslationJitterMm()));
        s.append("  \"poseGuard\": ").append(guardJson(guard, roughGuard)).append(",\n");
        stability(s, "beforeBundleAdjustment", before, false);
        stability(s, "afterBundleAdjustment", after, true);
        s.append("}\n");
        return s.toString();
    }

    /**
     * The pose guard as a JSON object (null with fewer than 2 frames or poses without parallax): the rigid
     * landmarks' reprojection RMS with the adjusted poses, with every rotation replaced by the first frame's
     * (the control), and with the rough poses before bundle adjustment.
     */
    static String guardJson(PoseGuard.Result guard, PoseGuard.Result roughGuard) {
        if (guard == null) {
            return "null";
        }
        return String.format(Locale.ROOT, "{\"rigidLandmarks68\": %s, \"frames\": %d, \"reprojectionRmsPx\": %.6g, "
                + "\"controlFirstRotationRmsPx\": %.6g, \"controlRatio\": %.6g, \"roughPosesRmsPx\": %s}",
                java.util.Arrays.toString(PoseGuard.RIGID_LANDMARKS), guard.frames(), guard.reprojectionRmsPx(),
                guard.controlRmsPx(), guard.controlRatio(),
                roughGuard == null ? "null" : String.format(Locale.ROOT, "%.6g", roughGuard.reprojectionRmsPx()));
    }

    /** A JSON number; null for an infinite setting (meaning "off", e.g. no robust scale). */
    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.6g", value) : "null";
    }

    private static void field(StringBuilder s, String name, double value) {
        s.append("  \"").append(name).append("\": ").append(String.format(Locale.ROOT, "%.6g", value)).append(",\n");
    }

    private static void field(StringBuilder s, String name, long value) {
        s.append("  \"").append(name).append("\": ").append(value).append(",\n");
    }

    private static void stability(StringBuilder s, String name, PoseStability p, boolean last) {
        s.append(String.format(Locale.ROOT, "  \"%s\": {\"meanRotationStepDeg\": %.6f, \"meanTranslationStepMm\": %.6f, "
                + "\"meanRotationJitterDeg\": %.6f, \"meanTranslationJitterMm\": %.6f}%s\n", name, p.meanRotationStepDeg(),
                p.meanTranslationStepMm(), p.meanRotationJitterDeg(), p.meanTranslationJitterMm(), last ? "" : ","));
    }

    static void writeJson(Path file, String json) throws IOException {
        AtomicFiles.write(file, json.getBytes(StandardCharsets.UTF_8));
    }

    /** Three panels (pitch, yaw, roll in degrees over frames): rough poses in grey, adjusted in colour. */
    static void writePlot(Path file, List<RigidPose> before, List<RigidPose> after) throws IOException {
        int width = 1000;
        int panelHeight = 220;
        int left = 60;
        int right = 20;
        int top = 30;
        BufferedImage image = new BufferedImage(width, top + 3 * panelHeight + 20, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.setColor(Color.BLACK);
            g.drawString("Head rotation (OpenGL camera, reference Euler order) per frame: grey = rough (landmarks), "
                    + "colour = after bundle adjustment", left, 18);
            String[] names = {"pitch (x)", "yaw (y)", "roll (z)"};
            Color[] colours = {new Color(200, 40, 40), new Color(30, 120, 30), new Color(30, 60, 200)};
            double[][] b = angles(before);
            double[][] a = angles(after);
            int n = before.size();
            for (int axis = 0; axis < 3; axis++) {
                double lo = Double.MAX_VALUE;
                double hi = -Double.MAX_VALUE;
                for (int k = 0; k < n; k++) {
                    lo = Math.min(lo, Math.min(b[k][axis], a[k][axis]));
                    hi = Math.max(hi, Math.max(b[k][axis], a[k][axis]));
                }
                double pad = Math.max(0.5, 0.1 * (hi - lo));
                lo -= pad;
                hi += pad;
                int y0 = top + axis * panelHeight + 10;
                int h = panelHeight - 30;
                g.setColor(new Color(245, 245, 245));
                g.fillRect(left, y0, width - left - right, h);
                g.setColor(Color.DARK_GRAY);
                g.drawRect(left, y0, width - left - right, h);
                g.drawString(names[axis], left + 6, y0 + 14);
                g.drawString(String.format(Locale.ROOT, "%.1f", hi), 4, y0 + 10);
                g.drawString(String.format(Locale.ROOT, "%.1f", lo), 4, y0 + h);
                g.drawString("frame " + (n - 1), width - right - 70, y0 + h + 14);
                g.setStroke(new BasicStroke(1.2f));
                plot(g, b, axis, lo, hi, left, y0, width - left - right, h, new Color(150, 150, 150));
                g.setStroke(new BasicStroke(1.6f));
                plot(g, a, axis, lo, hi, left, y0, width - left - right, h, colours[axis]);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        AtomicFiles.write(file, png.toByteArray());
    }

    private static void plot(Graphics2D g, double[][] values, int axis, double lo, double hi, int x0, int y0, int w, int h,
            Color colour) {
        g.setColor(colour);
        int n = values.length;
        int px = -1;
        int py = -1;
        for (int k = 0; k < n; k++) {
            int x = x0 + (n == 1 ? 0 : (int) Math.round((double) k * w / (n - 1)));
            int y = y0 + (int) Math.round((hi - values[k][axis]) / (hi - lo) * h);
            if (k > 0) {
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }
    }

    private static double[][] angles(List<RigidPose> poses) {
        double[][] out = new double[poses.size()][];
        for (int k = 0; k < poses.size(); k++) {
            out[k] = Rotations.eulerDeg(poses.get(k).toOpenGl().rotation());
        }
        return out;
    }
}
