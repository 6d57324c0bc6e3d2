package dev.synctalk.preview;

import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.face.Landmarks68;
import dev.synctalk.output.AtomicFiles;
import dev.synctalk.video.VideoFrame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A grid of frames with what preprocessing found drawn on them (landmarks; masks, pose axes and the
 * like through {@link Overlay}s), written as one PNG for a person to look at.
 */
public final class ContactSheet {
    private static final Scalar BACKGROUND = new Scalar(32, 32, 32, 0);
    private static final Scalar MESH_COLOUR = new Scalar(80, 200, 80, 0); // BGR
    private static final Scalar SUBSET_COLOUR = new Scalar(40, 40, 255, 0);
    private static final Scalar INTERPOLATED_COLOUR = new Scalar(0, 200, 255, 0);
    private static final Scalar TEXT_COLOUR = new Scalar(255, 255, 255, 0);
    private static final Scalar TEXT_SHADOW = new Scalar(0, 0, 0, 0);

    /** Maps frame pixel coordinates into the tile's pixels. */
    public record TileTransform(double scale, double offsetX, double offsetY) {
        public Point map(double x, double y) {
            return new Point((int) Math.round(offsetX + x * scale), (int) Math.round(offsetY + y * scale));
        }
    }

    /** Extra drawing on one tile (BGR, 8-bit), e.g. a parsing mask or pose axes. */
    @FunctionalInterface
    public interface Overlay {
        void draw(Mat tileBgr, TileTransform transform);
    }

    /** @param landmarks drawn when not null: the mesh small and green, the 68-point subset larger and red */
    public record Tile(VideoFrame frame, FaceLandmarks landmarks, List<Overlay> overlays) {
        public Tile(VideoFrame frame, FaceLandmarks landmarks) {
            this(frame, landmarks, List.of());
        }
    }

    private ContactSheet() {
    }

    /** {@code count} frame indices spread evenly over {@code [0, frameCount)}, first and last included. */
    public static long[] spacedFrameIndices(long frameCount, int count) {
        if (frameCount <= 0 || count <= 0) {
            return new long[0];
        }
        int n = (int) Math.min(count, frameCount);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = n == 1 ? 0 : Math.round((double) i * (frameCount - 1) / (n - 1));
        }
        return out;
    }

    /** Renders the tiles row by row, {@code columns} per row, each fitted into {@code tileWidthPx} wide cells. */
    public static void write(Path png, List<Tile> tiles, int columns, int tileWidthPx) throws IOException {
        if (tiles.isEmpty()) {
            throw new IllegalArgumentException("contact sheet " + png + ": no tiles to draw");
        }
        if (columns <= 0 || tileWidthPx <= 0) {
            throw new IllegalArgumentException("contact sheet " + png + ": columns and tile width must be positive");
        }
        VideoFrame first = tiles.get(0).frame();
        int tileHeightPx = Math.max(1, (int) Math.round((double) tileWidthPx * first.height() / first.width()));
        int rows = (tiles.size() + columns - 1) / columns;
        try (Mat sheet = new Mat(rows * tileHeightPx, columns * tileWidthPx, opencv_core.CV_8UC3, BACKGROUND)) {
            for (int i = 0; i < tiles.size(); i++) {
                Rect cell = new Rect((i % columns) * tileWidthPx, (i / columns) * tileHeightPx, tileWidthPx, tileHeightPx);
                try (Mat target = sheet.apply(cell)) {
                    drawTile(tiles.get(i), target, tileWidthPx, tileHeightPx);
                }
            }
            try (BytePointer buffer = new BytePointer()) {
                if (!opencv_imgcodecs.imencode(".png", sheet, buffer)) {
                    throw new IOException("OpenCV could not encode the contact sheet " + png);
                }
                byte[] bytes = new byte[(int) buffer.limit()];
                buffer.get(bytes);
                AtomicFiles.write(png, bytes);
            }
        }
    }

    private static void drawTile(Tile tile, Mat cell, int cellWidth, int cellHeight) {
        VideoFrame frame = tile.frame();
        double scale = Math.min((double) cellWidth / frame.width(), (double) cellHeight / frame.height());
        int w = Math.max(1, (int) Math.round(frame.width() * scale));
        int h = Math.max(1, (int) Math.round(frame.height() * scale));
        TileTransform transform = new TileTransform(scale, (cellWidth - w) / 2.0, (cellHeight - h) / 2.0);
        try (Mat rgb = new Mat(frame.height(), frame.width(), opencv_core.CV_8UC3);
                Mat bgr = new Mat();
                Mat resized = new Mat()) {
            rgb.data().put(frame.rgb(), 0, frame.rgb().length);
            opencv_imgproc.cvtColor(rgb, bgr, opencv_imgproc.COLOR_RGB2BGR);
            opencv_imgproc.resize(bgr, resized, new Size(w, h), 0, 0, opencv_imgproc.INTER_AREA);
            try (Mat region = cell.apply(new Rect((int) transform.offsetX(), (int) transform.offsetY(), w, h))) {
                resized.copyTo(region);
            }
        }
        FaceLandmarks landmarks = tile.landmarks();
        if (landmarks != null) {
            for (int i = 0; i < FaceLandmarks.COUNT; i++) {
                opencv_imgproc.circle(cell, transform.map(landmarks.x(i), landmarks.y(i)), 1, MESH_COLOUR, -1,
                        opencv_imgproc.LINE_AA, 0);
            }
            float[] subset = Landmarks68.fromMesh(landmarks);
            Scalar colour = landmarks.interpolated() ? INTERPOLATED_COLOUR : SUBSET_COLOUR;
            for (int i = 0; i < Landmarks68.COUNT; i++) {
                opencv_imgproc.circle(cell, transform.map(subset[2 * i], subset[2 * i + 1]), 2, colour, -1,
                        opencv_imgproc.LINE_AA, 0);
            }
        }
        for (Overlay overlay : tile.overlays()) {
            overlay.draw(cell, transform);
        }
        String caption = "frame " + frame.frameIndex()
                + (landmarks == null ? (tile.overlays().isEmpty() ? "  no face" : "")
                        : landmarks.interpolated() ? "  interpolated" : "");
        Point at = new Point(6, 18);
        opencv_imgproc.putText(cell, caption, at, opencv_imgproc.FONT_HERSHEY_SIMPLEX, 0.5, TEXT_SHADOW, 3,
                opencv_imgproc.LINE_AA, false);
        opencv_imgproc.putText(cell, caption, at, opencv_imgproc.FONT_HERSHEY_SIMPLEX, 0.5, TEXT_COLOUR, 1,
                opencv_imgproc.LINE_AA, false);
    }
}
