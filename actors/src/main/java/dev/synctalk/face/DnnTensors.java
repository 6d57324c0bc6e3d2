package dev.synctalk.face;

import dev.synctalk.video.VideoFrame;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_core.StringVector;
import org.bytedeco.opencv.opencv_dnn.Net;

/** Moving pixels into and floats out of OpenCV DNN networks, shared by the detector and the landmarker. */
final class DnnTensors {
    private DnnTensors() {
    }

    /** Wraps a copy of the frame's RGB bytes in an 8-bit 3-channel Mat (channel order stays RGB). */
    static Mat rgbMat(VideoFrame frame) {
        return rgbMat(frame.rgb(), frame.width(), frame.height());
    }

    static Mat rgbMat(byte[] rgb, int width, int height) {
        Mat mat = new Mat(height, width, opencv_core.CV_8UC3);
        mat.data().put(rgb, 0, rgb.length);
        return mat;
    }

    /**
     * Crops the rotated region to {@code size} x {@code size} with bilinear sampling (zero outside the
     * image, as MediaPipe pads) and returns the NCHW float blob {@code (pixel - mean) * scale}.
     */
    static Mat cropBlob(Mat rgb, FaceRoi roi, int size, double scale, double mean) {
        double[] m = roi.cropToImage(size);
        try (DoublePointer values = new DoublePointer(m);
                Mat affine = new Mat(2, 3, opencv_core.CV_64F, values);
                Mat crop = new Mat();
                Size outSize = new Size(size, size);
                Scalar border = new Scalar(0, 0, 0, 0);
                Scalar meanScalar = new Scalar(mean, mean, mean, 0)) {
            opencv_imgproc.warpAffine(rgb, crop, affine, outSize,
                    opencv_imgproc.INTER_LINEAR | opencv_imgproc.WARP_INVERSE_MAP, opencv_core.BORDER_CONSTANT, border);
            return opencv_dnn.blobFromImage(crop, scale, outSize, meanScalar, false, false, opencv_core.CV_32F);
        }
    }

    /** Runs the network on one input blob and copies every unconnected output out by name. */
    static Map<String, float[]> forward(Net net, Mat blob) {
        net.setInput(blob);
        try (StringVector names = net.getUnconnectedOutLayersNames(); MatVector outputs = new MatVector()) {
            net.forward(outputs, names);
            Map<String, float[]> byName = new HashMap<>();
            for (long i = 0; i < names.size(); i++) {
                float[] values;
                try (Mat out = outputs.get(i); FloatPointer data = new FloatPointer(out.data())) {
                    values = new float[(int) out.total()];
                    data.get(values);
                }
                byName.put(names.get(i).getString().trim(), values);
            }
            return byName;
        }
    }

    static float[] require(Map<String, float[]> outputs, String name, int length, String model) {
        float[] values = outputs.get(name);
        if (values == null || values.length != length) {
            throw new IllegalStateException(model + ": expected output '" + name + "' with " + length + " values, got "
                    + (values == null ? "outputs " + outputs.keySet() : values.length + " values"));
        }
        return values;
    }

    static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }
}
