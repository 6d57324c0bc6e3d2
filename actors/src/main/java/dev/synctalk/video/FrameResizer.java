package dev.synctalk.video;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Brings frames of any size to the configured one: the largest centred crop with the target's aspect,
 * then an area resize (the usual choice when shrinking). Users' phone videos come in every shape; the
 * model wants one size, so odd resolutions are handled here, before anything else sees a frame.
 */
public final class FrameResizer {
    private FrameResizer() {
    }

    public static VideoFrame cropAndResize(VideoFrame frame, int width, int height) {
        if (frame.width() == width && frame.height() == height) {
            return frame;
        }
        double target = (double) width / height;
        int cropW = frame.width();
        int cropH = (int) Math.round(cropW / target);
        if (cropH > frame.height()) {
            cropH = frame.height();
            cropW = (int) Math.round(cropH * target);
        }
        int x = (frame.width() - cropW) / 2;
        int y = (frame.height() - cropH) / 2;
        byte[] rgb = new byte[width * height * 3];
        try (Mat src = new Mat(frame.height(), frame.width(), org.bytedeco.opencv.global.opencv_core.CV_8UC3);
                Rect roi = new Rect(x, y, cropW, cropH);
                Mat dst = new Mat();
                Size size = new Size(width, height)) {
            src.data().put(frame.rgb(), 0, frame.rgb().length);
            try (Mat cropped = src.apply(roi)) {
                opencv_imgproc.resize(cropped, dst, size, 0, 0, opencv_imgproc.INTER_AREA);
            }
            dst.data().get(rgb, 0, rgb.length);
        }
        return new VideoFrame(frame.frameIndex(), frame.ptsMicros(), width, height, rgb);
    }
}
