package dev.synctalk.face;

import dev.synctalk.video.VideoFrame;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_dnn.Net;

/**
 * MediaPipe's 478-point face-mesh model through OpenCV DNN: the rotated face ROI is cropped to
 * 256 x 256 with RGB in [0, 1]; the model's points (crop pixels) are mapped back to the image with the
 * inverse of the crop, z scaled like x. The presence score is sigmoid of its face-flag logit.
 */
public final class FaceMeshLandmarker implements AutoCloseable {
    public static final int INPUT_SIZE = 256;

    /** @param points 478 x 3 in image pixels, as {@link FaceLandmarks#points()} */
    public record Mesh(float[] points, float score) {
    }

    private final Net net;

    FaceMeshLandmarker(Net net) {
        this.net = net;
    }

    public Mesh run(VideoFrame frame, FaceRoi roi) {
        try (Mat rgb = DnnTensors.rgbMat(frame)) {
            return run(rgb, roi);
        }
    }

    Mesh run(Mat rgb, FaceRoi roi) {
        Map<String, float[]> outputs;
        try (Mat blob = DnnTensors.cropBlob(rgb, roi, INPUT_SIZE, 1 / 255.0, 0)) {
            outputs = DnnTensors.forward(net, blob);
        }
        float[] crop = DnnTensors.require(outputs, "Identity", FaceLandmarks.COUNT * 3, "face mesh");
        float[] flag = DnnTensors.require(outputs, "Identity_1", 1, "face mesh");
        float[] points = new float[crop.length];
        double zScale = roi.width() / INPUT_SIZE;
        for (int i = 0; i < FaceLandmarks.COUNT; i++) {
            double[] p = roi.cropPointToImage(crop[3 * i], crop[3 * i + 1], INPUT_SIZE);
            points[3 * i] = (float) p[0];
            points[3 * i + 1] = (float) p[1];
            points[3 * i + 2] = (float) (crop[3 * i + 2] * zScale);
        }
        return new Mesh(points, DnnTensors.sigmoid(flag[0]));
    }

    @Override
    public void close() {
        net.close();
    }
}
