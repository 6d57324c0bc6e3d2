package dev.synctalk.face;

import dev.synctalk.testing.SyntheticMedia;
import dev.synctalk.video.MediaLogging;
import dev.synctalk.video.VideoFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point2f;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/** Real sample frames (skipping the test when the sample data is absent), one model bundle for all tests, frame edits. */
final class SampleFaces {
    static final String VIDEO = "hdtf_aoc.mp4";
    static final int VIDEO_FRAMES = 200;
    private static FaceLandmarkerBundle bundle;

    static {
        MediaLogging.quietFfmpeg();
    }

    private SampleFaces() {
    }

    static Path modelFile() {
        return SyntheticMedia.sharedData("models/face_landmarker.task");
    }

    /** Opened once per test JVM: loading the networks costs more than running them on a few frames. */
    static synchronized FaceLandmarkerBundle bundle() throws IOException {
        if (bundle == null) {
            bundle = FaceLandmarkerBundle.open(modelFile(), 0.5f);
        }
        return bundle;
    }

    /** The frames of the sample video with the given (ascending) indices, decoded in one pass. */
    static List<VideoFrame> frames(long... ascendingIndices) throws IOException {
        return frames(VIDEO, ascendingIndices);
    }

    /** Frames of a shared sample video by index (the samples are constant 25 fps, so decode order is frame order). */
    static List<VideoFrame> frames(String sample, long... ascendingIndices) throws IOException {
        Path video = SyntheticMedia.sharedData(sample);
        long[] wanted = ascendingIndices.clone();
        Arrays.sort(wanted);
        List<VideoFrame> out = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
            grabber.start();
            long index = 0;
            int next = 0;
            while (next < wanted.length) {
                Frame frame = grabber.grabImage();
                if (frame == null) {
                    throw new IOException(video + " ended before frame " + wanted[next]);
                }
                if (index == wanted[next]) {
                    out.add(new VideoFrame(index, index * 40_000, frame.imageWidth, frame.imageHeight, copyRgb(frame)));
                    next++;
                }
                index++;
            }
            grabber.stop();
        }
        return out;
    }

    static List<VideoFrame> consecutiveFrames(long first, int count) throws IOException {
        long[] indices = new long[count];
        for (int i = 0; i < count; i++) {
            indices[i] = first + i;
        }
        return frames(indices);
    }

    private static byte[] copyRgb(Frame frame) {
        ByteBuffer buffer = (ByteBuffer) frame.image[0];
        int rowBytes = frame.imageWidth * 3;
        byte[] rgb = new byte[rowBytes * frame.imageHeight];
        for (int y = 0; y < frame.imageHeight; y++) {
            buffer.position(y * frame.imageStride);
            buffer.get(rgb, y * rowBytes, rowBytes);
        }
        return rgb;
    }

    static VideoFrame grey(VideoFrame like) {
        byte[] rgb = new byte[like.rgb().length];
        Arrays.fill(rgb, (byte) 128);
        return new VideoFrame(like.frameIndex(), like.ptsMicros(), like.width(), like.height(), rgb);
    }

    static VideoFrame withIndex(VideoFrame frame, long index) {
        return new VideoFrame(index, index * 40_000, frame.width(), frame.height(), frame.rgb());
    }

    /** A canvas of the given size, grey, with each source frame scaled to {@code sides[i]} square at {@code corners[i]}. */
    static VideoFrame compose(int width, int height, List<VideoFrame> sources, int[] sides, int[][] corners) {
        try (Mat canvas = new Mat(height, width, opencv_core.CV_8UC3, new Scalar(128, 128, 128, 0))) {
            for (int i = 0; i < sources.size(); i++) {
                VideoFrame s = sources.get(i);
                try (Mat src = DnnTensors.rgbMat(s);
                        Mat scaled = new Mat();
                        Mat target = canvas.apply(new Rect(corners[i][0], corners[i][1], sides[i], sides[i]))) {
                    opencv_imgproc.resize(src, scaled, new Size(sides[i], sides[i]), 0, 0, opencv_imgproc.INTER_AREA);
                    scaled.copyTo(target);
                }
            }
            return fromMat(canvas, 0);
        }
    }

    /** The frame rotated by {@code degrees} (counter-clockwise on screen) about its centre. */
    static VideoFrame rotated(VideoFrame frame, double degrees) {
        try (Mat src = DnnTensors.rgbMat(frame);
                Mat dst = new Mat();
                Point2f centre = new Point2f(frame.width() / 2f, frame.height() / 2f);
                Mat rotation = opencv_imgproc.getRotationMatrix2D(centre, degrees, 1.0)) {
            opencv_imgproc.warpAffine(src, dst, rotation, new Size(frame.width(), frame.height()),
                    opencv_imgproc.INTER_LINEAR, opencv_core.BORDER_REPLICATE, new Scalar());
            return fromMat(dst, frame.frameIndex());
        }
    }

    private static VideoFrame fromMat(Mat rgb, long index) {
        byte[] bytes = new byte[rgb.rows() * rgb.cols() * 3];
        rgb.data().get(bytes);
        return new VideoFrame(index, index * 40_000, rgb.cols(), rgb.rows(), bytes);
    }

    static float meanY(float[] points68, int from, int toExclusive) {
        float sum = 0;
        for (int i = from; i < toExclusive; i++) {
            sum += points68[2 * i + 1];
        }
        return sum / (toExclusive - from);
    }

    static float meanX(float[] points68, int from, int toExclusive) {
        float sum = 0;
        for (int i = from; i < toExclusive; i++) {
            sum += points68[2 * i];
        }
        return sum / (toExclusive - from);
    }
}
