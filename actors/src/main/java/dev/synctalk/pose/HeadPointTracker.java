package dev.synctalk.pose;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC2;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.global.opencv_video;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_core.TermCriteria;

/**
 * The head point tracker of the Head-Sync Stabilizer. Keypoints are placed where the optical flow
 * changes most (largest magnitude of the Laplacian of Farneback flow between consecutive frames) inside
 * the rigid face region, among pixels with enough texture for Lucas-Kanade (min-eigenvalue quality), kept
 * apart by a minimum distance; they are followed frame to frame with pyramidal Lucas-Kanade and dropped
 * when the forward-backward check fails or they leave the face region. The region is a union of convex
 * polygons, so it can leave out the eyes and brows between the rigid parts around them. When fewer than a fraction of
 * the wanted keypoints are alive, new ones are seeded. Works online, one frame at a time, so memory does
 * not grow with the video (only the tracks do).
 */
public final class HeadPointTracker implements AutoCloseable {

    /**
     * @param maxPoints keypoints alive at once
     * @param minDistancePx smallest distance between keypoints
     * @param refillFraction seed new keypoints when fewer than this fraction of maxPoints are alive
     * @param forwardBackwardMaxPx largest distance between a point and its forward-then-backward tracked self
     * @param windowPx Lucas-Kanade window side
     * @param pyramidLevels Lucas-Kanade pyramid levels above the base image
     * @param minCornerQuality candidates need a min-eigenvalue of at least this fraction of the best one in the region
     */
    public record Settings(int maxPoints, double minDistancePx, double refillFraction, double forwardBackwardMaxPx,
            int windowPx, int pyramidLevels, double minCornerQuality) {
        public Settings {
            if (maxPoints < 1 || !(minDistancePx >= 0) || !(refillFraction > 0 && refillFraction <= 1)
                    || !(forwardBackwardMaxPx > 0) || windowPx < 5 || pyramidLevels < 0 || !(minCornerQuality >= 0)) {
                throw new IllegalArgumentException("bad tracker settings " + this);
            }
        }

        public static Settings defaults() {
            return new Settings(120, 6, 0.7, 0.3, 21, 3, 0.02);
        }
    }

    private static final class Live {
        final int id;
        final int firstFrame;
        float[] xy = new float[64];
        int length;

        Live(int id, int firstFrame) {
            this.id = id;
            this.firstFrame = firstFrame;
        }

        void add(float x, float y) {
            if (2 * length + 2 > xy.length) {
                xy = Arrays.copyOf(xy, xy.length * 2);
            }
            xy[2 * length] = x;
            xy[2 * length + 1] = y;
            length++;
        }

        float lastX() {
            return xy[2 * length - 2];
        }

        float lastY() {
            return xy[2 * length - 1];
        }

        PointTrack freeze() {
            return new PointTrack(id, firstFrame, Arrays.copyOf(xy, 2 * length));
        }
    }

    private static final int SEED_CROP_MARGIN_PX = 16;

    private final Settings settings;
    private final List<Live> alive = new ArrayList<>();
    private final List<PointTrack> ended = new ArrayList<>();
    private Mat previous;
    private List<float[]> previousRegion;
    private int frames;
    private int nextId;

    public HeadPointTracker(Settings settings) {
        this.settings = settings;
    }

    /** Frames seen so far. */
    public int frameCount() {
        return frames;
    }

    public int aliveCount() {
        return alive.size();
    }

    /**
     * Takes the next frame of the sequence.
     *
     * @param grey 8-bit luminance, row-major {@code width * height}
     * @param region the face region as a polygon (x, y pairs) in this image's pixels, convex
     */
    public void accept(byte[] grey, int width, int height, float[] region) {
        accept(grey, width, height, List.of(region));
    }

    /**
     * Takes the next frame of the sequence.
     *
     * @param grey 8-bit luminance, row-major {@code width * height}
     * @param region the face region: the union of these convex polygons (x, y pairs, this image's pixels)
     */
    public void accept(byte[] grey, int width, int height, List<float[]> region) {
        if (grey.length != width * height) {
            throw new IllegalArgumentException("frame " + frames + ": " + width + "x" + height + " needs "
                    + width * height + " bytes, got " + grey.length);
        }
        Mat current = new Mat(height, width, CV_8UC1);
        current.data().put(grey);
        if (previous != null && (previous.cols() != width || previous.rows() != height)) {
            throw new IllegalArgumentException("frame " + frames + " is " + width + "x" + height + ", earlier frames were "
                    + previous.cols() + "x" + previous.rows());
        }
        if (previous != null) {
            step(current, region);
            previous.close();
        }
        previous = current;
        previousRegion = List.copyOf(region.stream().map(float[]::clone).toList());
        frames++;
    }

    /** Every track of at least {@code minLength} frames, ended or still alive, ordered by id. */
    public List<PointTrack> tracks(int minLength) {
        List<PointTrack> out = new ArrayList<>();
        for (PointTrack t : ended) {
            if (t.length() >= minLength) {
                out.add(t);
            }
        }
        for (Live l : alive) {
            if (l.length >= minLength) {
                out.add(l.freeze());
            }
        }
        out.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return out;
    }

    private void step(Mat current, List<float[]> region) {
        int frame = frames; // sequence position of `current`
        if (!alive.isEmpty()) {
            float[] from = new float[2 * alive.size()];
            for (int i = 0; i < alive.size(); i++) {
                from[2 * i] = alive.get(i).lastX();
                from[2 * i + 1] = alive.get(i).lastY();
            }
            float[] to = trackChecked(previous, current, from);
            List<Live> kept = new ArrayList<>();
            for (int i = 0; i < alive.size(); i++) {
                Live l = alive.get(i);
                if (!Float.isNaN(to[2 * i]) && inside(region, to[2 * i], to[2 * i + 1])) {
                    l.add(to[2 * i], to[2 * i + 1]);
                    kept.add(l);
                } else {
                    ended.add(l.freeze());
                }
            }
            alive.clear();
            alive.addAll(kept);
        }
        if (alive.size() < settings.refillFraction() * settings.maxPoints()) {
            seed(current, region, frame);
        }
    }

    /** Seeds keypoints on the previous frame where the flow to the current frame changes most. */
    private void seed(Mat current, List<float[]> region, int frame) {
        int w = previous.cols();
        int h = previous.rows();
        int[] box = bounds(previousRegion, w, h);
        // Flow and cornerness only around the region (with a margin so the crop edge does not reach it):
        // on large frames with a small face most of the image is not needed.
        int cropX = Math.max(0, box[0] - SEED_CROP_MARGIN_PX);
        int cropY = Math.max(0, box[1] - SEED_CROP_MARGIN_PX);
        int cropW = Math.min(w, box[2] + SEED_CROP_MARGIN_PX + 1) - cropX;
        int cropH = Math.min(h, box[3] + SEED_CROP_MARGIN_PX + 1) - cropY;
        if (cropW < 8 || cropH < 8) {
            return;
        }
        float[] flowChange;
        float[] cornerness;
        try (Rect crop = new Rect(cropX, cropY, cropW, cropH); Mat before = new Mat(previous, crop);
                Mat after = new Mat(current, crop)) {
            flowChange = flowLaplacianMagnitude(before, after);
            cornerness = minEigen(before);
        }
        float best = 0;
        List<Integer> candidates = new ArrayList<>();
        for (int y = box[1]; y <= box[3]; y++) {
            for (int x = box[0]; x <= box[2]; x++) {
                if (inside(previousRegion, x, y)) {
                    candidates.add((y - cropY) * cropW + x - cropX);
                    best = Math.max(best, cornerness[(y - cropY) * cropW + x - cropX]);
                }
            }
        }
        float minCorner = (float) (settings.minCornerQuality() * best);
        Integer[] order = candidates.stream().filter(p -> cornerness[p] >= minCorner && cornerness[p] > 0)
                .toArray(Integer[]::new);
        // Largest flow change first; ties broken by position so the choice is deterministic.
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(flowChange[b], flowChange[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int wanted = settings.maxPoints() - alive.size();
        double minD2 = settings.minDistancePx() * settings.minDistancePx();
        List<float[]> taken = new ArrayList<>();
        for (Live l : alive) {
            taken.add(new float[] {l.xy[2 * l.length - 4], l.xy[2 * l.length - 3]}); // position on the previous frame
        }
        float[] picked = new float[2 * wanted];
        int count = 0;
        for (int i = 0; i < order.length && count < wanted; i++) {
            float x = cropX + order[i] % cropW;
            float y = cropY + order[i] / cropW;
            boolean free = true;
            for (float[] t : taken) {
                double dx = t[0] - x;
                double dy = t[1] - y;
                if (dx * dx + dy * dy < minD2) {
                    free = false;
                    break;
                }
            }
            if (free) {
                taken.add(new float[] {x, y});
                picked[2 * count] = x;
                picked[2 * count + 1] = y;
                count++;
            }
        }
        if (count == 0) {
            return;
        }
        float[] from = Arrays.copyOf(picked, 2 * count);
        float[] to = trackChecked(previous, current, from);
        for (int i = 0; i < count; i++) {
            if (!Float.isNaN(to[2 * i]) && inside(region, to[2 * i], to[2 * i + 1])) {
                Live l = new Live(nextId++, frame - 1);
                l.add(from[2 * i], from[2 * i + 1]);
                l.add(to[2 * i], to[2 * i + 1]);
                alive.add(l);
            }
        }
    }

    /** Lucas-Kanade forward and back; NaN where either direction fails or the round trip misses. */
    private float[] trackChecked(Mat from, Mat to, float[] points) {
        int n = points.length / 2;
        float[] forward = lucasKanade(from, to, points);
        float[] backward = lucasKanade(to, from, forward);
        float[] out = new float[2 * n];
        double max2 = settings.forwardBackwardMaxPx() * settings.forwardBackwardMaxPx();
        for (int i = 0; i < n; i++) {
            double dx = backward[2 * i] - points[2 * i];
            double dy = backward[2 * i + 1] - points[2 * i + 1];
            boolean ok = !Float.isNaN(forward[2 * i]) && !Float.isNaN(backward[2 * i]) && dx * dx + dy * dy <= max2
                    && forward[2 * i] >= 0 && forward[2 * i + 1] >= 0 && forward[2 * i] <= to.cols() - 1
                    && forward[2 * i + 1] <= to.rows() - 1;
            out[2 * i] = ok ? forward[2 * i] : Float.NaN;
            out[2 * i + 1] = ok ? forward[2 * i + 1] : Float.NaN;
        }
        return out;
    }

    private float[] lucasKanade(Mat from, Mat to, float[] points) {
        int n = points.length / 2;
        float[] out = new float[2 * n];
        Arrays.fill(out, Float.NaN);
        List<Integer> valid = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!Float.isNaN(points[2 * i])) {
                valid.add(i);
            }
        }
        if (valid.isEmpty()) {
            return out;
        }
        try (Mat src = new Mat(valid.size(), 1, CV_32FC2); Mat dst = new Mat(); Mat status = new Mat(); Mat err = new Mat();
                Size window = new Size(settings.windowPx(), settings.windowPx());
                TermCriteria criteria = new TermCriteria(TermCriteria.COUNT + TermCriteria.EPS, 30, 0.01)) {
            FloatBuffer in = src.createBuffer();
            for (int k = 0; k < valid.size(); k++) {
                in.put(2 * k, points[2 * valid.get(k)]);
                in.put(2 * k + 1, points[2 * valid.get(k) + 1]);
            }
            opencv_video.calcOpticalFlowPyrLK(from, to, src, dst, status, err, window, settings.pyramidLevels(), criteria,
                    0, 1e-4);
            FloatBuffer moved = dst.createBuffer();
            ByteBuffer ok = status.createBuffer();
            for (int k = 0; k < valid.size(); k++) {
                if (ok.get(k) != 0) {
                    out[2 * valid.get(k)] = moved.get(2 * k);
                    out[2 * valid.get(k) + 1] = moved.get(2 * k + 1);
                }
            }
        }
        return out;
    }

    /** |Laplacian| of the dense Farneback flow from {@code a} to {@code b}, per pixel of {@code a}. */
    private static float[] flowLaplacianMagnitude(Mat a, Mat b) {
        int w = a.cols();
        int h = a.rows();
        float[] out = new float[w * h];
        try (Mat flow = new Mat(); Mat lap = new Mat()) {
            opencv_video.calcOpticalFlowFarneback(a, b, flow, 0.5, 3, 15, 3, 5, 1.2, 0);
            opencv_imgproc.Laplacian(flow, lap, CV_32F, 3, 1, 0, org.bytedeco.opencv.global.opencv_core.BORDER_REPLICATE);
            FloatBuffer l = lap.createBuffer();
            for (int i = 0; i < w * h; i++) {
                float lx = l.get(2 * i);
                float ly = l.get(2 * i + 1);
                out[i] = (float) Math.sqrt(lx * lx + ly * ly);
            }
        }
        return out;
    }

    private static float[] minEigen(Mat grey) {
        float[] out = new float[grey.cols() * grey.rows()];
        try (Mat eig = new Mat()) {
            opencv_imgproc.cornerMinEigenVal(grey, eig, 5, 3, org.bytedeco.opencv.global.opencv_core.BORDER_REPLICATE);
            eig.<FloatBuffer>createBuffer().get(out);
        }
        return out;
    }

    private static int[] bounds(List<float[]> polygons, int w, int h) {
        float minX = Float.MAX_VALUE;
        float minY = Float.MAX_VALUE;
        float maxX = -Float.MAX_VALUE;
        float maxY = -Float.MAX_VALUE;
        for (float[] polygon : polygons) {
            for (int i = 0; i < polygon.length; i += 2) {
                minX = Math.min(minX, polygon[i]);
                maxX = Math.max(maxX, polygon[i]);
                minY = Math.min(minY, polygon[i + 1]);
                maxY = Math.max(maxY, polygon[i + 1]);
            }
        }
        // Keep clear of the border where the LK window and the Laplacian would read outside the image.
        int margin = 3;
        return new int[] {Math.max(margin, (int) Math.floor(minX)), Math.max(margin, (int) Math.floor(minY)),
            Math.min(w - 1 - margin, (int) Math.ceil(maxX)), Math.min(h - 1 - margin, (int) Math.ceil(maxY))};
    }

    /** Point in any of the convex polygons. */
    static boolean inside(List<float[]> polygons, double x, double y) {
        for (float[] polygon : polygons) {
            if (inside(polygon, x, y)) {
                return true;
            }
        }
        return false;
    }

    /** Point in convex polygon (either winding). */
    static boolean inside(float[] polygon, double x, double y) {
        int n = polygon.length / 2;
        if (n < 3) {
            return false;
        }
        int sign = 0;
        for (int i = 0; i < n; i++) {
            double ax = polygon[2 * i];
            double ay = polygon[2 * i + 1];
            double bx = polygon[2 * ((i + 1) % n)];
            double by = polygon[2 * ((i + 1) % n) + 1];
            double cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
            int s = cross > 0 ? 1 : cross < 0 ? -1 : 0;
            if (s != 0) {
                if (sign == 0) {
                    sign = s;
                } else if (s != sign) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Convex hull (counter-clockwise in image coordinates, monotone chain) of x, y pairs. */
    static float[] convexHull(float[] points) {
        int n = points.length / 2;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> points[2 * a] != points[2 * b] ? Float.compare(points[2 * a], points[2 * b])
                : Float.compare(points[2 * a + 1], points[2 * b + 1]));
        int[] hull = new int[2 * n + 1];
        int k = 0;
        for (int pass = 0; pass < 2; pass++) {
            int start = k;
            for (int j = 0; j < n; j++) {
                int i = pass == 0 ? idx[j] : idx[n - 1 - j];
                while (k >= start + 2 && cross(points, hull[k - 2], hull[k - 1], i) <= 0) {
                    k--;
                }
                hull[k++] = i;
            }
            k--; // the last point is the first of the other chain
        }
        float[] out = new float[2 * k];
        for (int i = 0; i < k; i++) {
            out[2 * i] = points[2 * hull[i]];
            out[2 * i + 1] = points[2 * hull[i] + 1];
        }
        return out;
    }

    private static double cross(float[] p, int o, int a, int b) {
        return (double) (p[2 * a] - p[2 * o]) * (p[2 * b + 1] - p[2 * o + 1])
                - (double) (p[2 * a + 1] - p[2 * o + 1]) * (p[2 * b] - p[2 * o]);
    }

    @Override
    public void close() {
        if (previous != null) {
            previous.close();
            previous = null;
        }
    }
}
