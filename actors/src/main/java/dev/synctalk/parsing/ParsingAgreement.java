package dev.synctalk.parsing;

import dev.synctalk.face.Landmarks68;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * How well two parsings of the same video agree, so that a change to parsing shows as numbers: per frame the
 * IoU of the person masks (everything but background) of two datasets, and how each covers the landmarks'
 * face (the convex hull of the 68 landmarks in ori_imgs/N.lms) and their IoU with it.
 *
 * <pre>java -cp ... dev.synctalk.parsing.ParsingAgreement NEW_OUTPUTS OLD_OUTPUTS</pre>
 */
public final class ParsingAgreement {

    /** Means and minima over the frames both datasets have. */
    public record Summary(int frames, double meanPersonIou, double minPersonIou, double meanNewFaceCoverage,
                          double minNewFaceCoverage, double meanOldFaceCoverage, double meanNewFaceIou,
                          double meanOldFaceIou) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d frames: person IoU new/old mean %.3f (min %.3f); face hull covered"
                    + " by the new person mask mean %.4f (min %.4f), by the old %.4f; IoU with the face hull new %.3f,"
                    + " old %.3f", frames, meanPersonIou, minPersonIou, meanNewFaceCoverage, minNewFaceCoverage,
                    meanOldFaceCoverage, meanNewFaceIou, meanOldFaceIou);
        }
    }

    private ParsingAgreement() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ParsingAgreement NEW_OUTPUTS OLD_OUTPUTS  (two preprocess output folders of one video)");
            System.exit(2);
        }
        System.out.println(compare(Path.of(args[0]), Path.of(args[1])));
    }

    public static Summary compare(Path newOutputs, Path oldOutputs) throws IOException {
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; Files.isRegularFile(newOutputs.resolve("parsing/" + i + ".png")); i++) {
            Path old = oldOutputs.resolve("parsing/" + i + ".png");
            if (!Files.isRegularFile(old)) {
                break;
            }
            RegionMap a = RegionMap.fromColourImage(ParsedFrameImages.read(newOutputs.resolve("parsing/" + i + ".png"), "new parsing"));
            RegionMap b = RegionMap.fromColourImage(ParsedFrameImages.read(old, "old parsing"));
            byte[] hull = hull(Landmarks68.readLms(newOutputs.resolve("ori_imgs/" + i + ".lms")), a.width(), a.height());
            byte[] pa = person(a);
            byte[] pb = person(b);
            rows.add(new double[] {iou(pa, pb), coverage(hull, pa), coverage(hull, pb), iou(pa, hull), iou(pb, hull)});
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no frame has parsing/N.png in both " + newOutputs + " and " + oldOutputs);
        }
        return new Summary(rows.size(), mean(rows, 0), min(rows, 0), mean(rows, 1), min(rows, 1), mean(rows, 2),
                mean(rows, 3), mean(rows, 4));
    }

    /** 1 wherever the parsing is not background. */
    public static byte[] person(RegionMap regions) {
        byte[] person = new byte[regions.labels().length];
        for (int p = 0; p < person.length; p++) {
            person[p] = (byte) (regions.is(p, Region.BACKGROUND) ? 0 : 1);
        }
        return person;
    }

    /** The filled convex hull of points given as x, y pairs. */
    public static byte[] hull(float[] xy, int width, int height) {
        int[] coords = new int[xy.length];
        for (int i = 0; i < xy.length; i++) {
            coords[i] = Math.round(xy[i]);
        }
        try (IntPointer data = new IntPointer(coords);
                Mat points = new Mat(xy.length / 2, 1, opencv_core.CV_32SC2, data);
                Mat hull = new Mat();
                Mat canvas = new Mat(height, width, opencv_core.CV_8UC1, new Scalar(0));
                Scalar one = new Scalar(1)) {
            opencv_imgproc.convexHull(points, hull);
            opencv_imgproc.fillConvexPoly(canvas, hull, one);
            return Pixels.bytes(canvas);
        }
    }

    public static double iou(byte[] a, byte[] b) {
        long inter = 0;
        long union = 0;
        for (int i = 0; i < a.length; i++) {
            inter += a[i] != 0 && b[i] != 0 ? 1 : 0;
            union += a[i] != 0 || b[i] != 0 ? 1 : 0;
        }
        return union == 0 ? 1 : (double) inter / union;
    }

    /** The fraction of {@code covered} that {@code by} covers. */
    public static double coverage(byte[] covered, byte[] by) {
        long n = 0;
        long in = 0;
        for (int i = 0; i < covered.length; i++) {
            if (covered[i] != 0) {
                n++;
                in += by[i] != 0 ? 1 : 0;
            }
        }
        return n == 0 ? 1 : (double) in / n;
    }

    private static double mean(List<double[]> rows, int column) {
        return rows.stream().mapToDouble(r -> r[column]).average().orElse(Double.NaN);
    }

    private static double min(List<double[]> rows, int column) {
        return rows.stream().mapToDouble(r -> r[column]).min().orElse(Double.NaN);
    }
}
