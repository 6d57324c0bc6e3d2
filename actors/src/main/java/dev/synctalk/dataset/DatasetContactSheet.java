package dev.synctalk.dataset;

import dev.synctalk.face.Landmarks68;
import dev.synctalk.pose.HeadPose;
import dev.synctalk.preview.ContactSheet;
import dev.synctalk.video.VideoFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * A page a person can check a dataset on: frames spread over the video with their 68 landmarks, the
 * parsing regions tinted over them, and the head pose drawn as axes (x red, y green, z blue, 5 cm).
 */
final class DatasetContactSheet {
    private static final double AXIS_METRES = 0.05;
    private static final double TINT = 0.35;

    private DatasetContactSheet() {
    }

    /** Width and height of an image file. */
    static int[] imageSize(Path image) throws IOException {
        try (Mat m = opencv_imgcodecs.imread(image.toString())) {
            if (m.empty()) {
                throw new IOException("cannot read image " + image);
            }
            return new int[] {m.cols(), m.rows()};
        }
    }

    static void write(Path png, DatasetLayout layout, List<HeadPose> poses, int count) throws IOException {
        List<ContactSheet.Tile> tiles = new ArrayList<>();
        for (long index : ContactSheet.spacedFrameIndices(poses.size(), count)) {
            int id = (int) index;
            VideoFrame frame = readRgb(layout.original(id), id);
            List<ContactSheet.Overlay> overlays = new ArrayList<>();
            Path parsing = layout.parsing(id);
            if (Files.isRegularFile(parsing)) {
                overlays.add(tintedParsing(parsing));
            }
            Path lms = layout.landmarks(id);
            if (Files.isRegularFile(lms)) {
                float[] points = Landmarks68.readLms(lms);
                overlays.add((tile, t) -> {
                    for (int i = 0; i < points.length / 2; i++) {
                        opencv_imgproc.circle(tile, t.map(points[2 * i], points[2 * i + 1]), 2,
                                new Scalar(40, 40, 255, 0), -1, opencv_imgproc.LINE_AA, 0);
                    }
                });
            }
            overlays.add(poseAxes(poses.get(id)));
            tiles.add(new ContactSheet.Tile(frame, null, overlays));
        }
        ContactSheet.write(png, tiles, 4, 256);
    }

    private static VideoFrame readRgb(Path file, long index) throws IOException {
        try (Mat bgr = opencv_imgcodecs.imread(file.toString()); Mat rgb = new Mat()) {
            if (bgr.empty()) {
                throw new IOException("cannot read frame image " + file);
            }
            opencv_imgproc.cvtColor(bgr, rgb, opencv_imgproc.COLOR_BGR2RGB);
            byte[] bytes = new byte[rgb.cols() * rgb.rows() * 3];
            rgb.data().get(bytes);
            return new VideoFrame(index, 0, rgb.cols(), rgb.rows(), bytes);
        }
    }

    /** Blends the parsing colours over the frame where a region is not background. */
    private static ContactSheet.Overlay tintedParsing(Path parsingPng) {
        return (tile, t) -> {
            try (Mat parsing = opencv_imgcodecs.imread(parsingPng.toString()); Mat scaled = new Mat()) {
                if (parsing.empty()) {
                    return;
                }
                int w = (int) Math.round(parsing.cols() * t.scale());
                int h = (int) Math.round(parsing.rows() * t.scale());
                opencv_imgproc.resize(parsing, scaled, new org.bytedeco.opencv.opencv_core.Size(w, h), 0, 0,
                        opencv_imgproc.INTER_NEAREST);
                byte[] p = new byte[w * h * 3];
                scaled.data().get(p);
                int ox = (int) t.offsetX();
                int oy = (int) t.offsetY();
                org.bytedeco.javacpp.BytePointer data = tile.data();
                long step = tile.step();
                for (int y = 0; y < h && y + oy < tile.rows(); y++) {
                    for (int x = 0; x < w && x + ox < tile.cols(); x++) {
                        int i = (y * w + x) * 3;
                        boolean background = (p[i] & 0xff) == 255 && (p[i + 1] & 0xff) == 255 && (p[i + 2] & 0xff) == 255;
                        if (background) {
                            continue;
                        }
                        long at = (y + oy) * step + (long) (x + ox) * 3;
                        for (int c = 0; c < 3; c++) {
                            int base = data.get(at + c) & 0xff;
                            int tint = p[i + c] & 0xff;
                            data.put(at + c, (byte) Math.round(base * (1 - TINT) + tint * TINT));
                        }
                    }
                }
            }
        };
    }

    /** Projects the head's axes with its pose: camera point R*X + t in OpenGL axes (y up, looking down -z). */
    private static ContactSheet.Overlay poseAxes(HeadPose pose) {
        return (tile, t) -> {
            double[][] ends = {{0, 0, 0}, {AXIS_METRES, 0, 0}, {0, AXIS_METRES, 0}, {0, 0, AXIS_METRES}};
            Point[] px = new Point[4];
            for (int k = 0; k < 4; k++) {
                double[] c = new double[3];
                for (int r = 0; r < 3; r++) {
                    c[r] = pose.translation()[r];
                    for (int j = 0; j < 3; j++) {
                        c[r] += pose.rotation()[3 * r + j] * ends[k][j];
                    }
                }
                double depth = -c[2];
                if (depth <= 1e-6) {
                    return;
                }
                double u = pose.cx() + pose.focalPx() * c[0] / depth;
                double v = pose.cy() - pose.focalPx() * c[1] / depth;
                px[k] = t.map(u, v);
            }
            Scalar[] colours = {new Scalar(0, 0, 255, 0), new Scalar(0, 255, 0, 0), new Scalar(255, 0, 0, 0)};
            for (int k = 1; k < 4; k++) {
                opencv_imgproc.line(tile, px[0], px[k], colours[k - 1], 2, opencv_imgproc.LINE_AA, 0);
            }
        };
    }
}
