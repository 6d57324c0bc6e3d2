package dev.synctalk.face;

import dev.synctalk.video.VideoFrame;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_dnn.Net;

/**
 * MediaPipe's BlazeFace short-range detector run through OpenCV DNN, with the post-processing of its
 * face_detection_short_range graph: the frame letterboxed into a 128 x 128 square, RGB scaled to
 * [-1, 1]; 896 anchors decoded with x/y/w/h scale 128; scores clipped to +-100 and passed through a
 * sigmoid; weighted non-maximum suppression with IoU 0.3.
 */
public final class BlazeFaceDetector implements AutoCloseable {
    public static final int INPUT_SIZE = BlazeFaceAnchors.INPUT_SIZE;
    public static final float NMS_IOU = 0.3f;
    private static final int COORDS = 16;
    private static final float SCORE_CLIP = 100f;
    private static final float[] ANCHORS = BlazeFaceAnchors.shortRangeCenters();

    private final Net net;
    private final float minScore;

    BlazeFaceDetector(Net net, float minScore) {
        if (!(minScore >= 0 && minScore <= 1)) {
            throw new IllegalArgumentException("min detection score must be in [0, 1], got " + minScore);
        }
        this.net = net;
        this.minScore = minScore;
    }

    public float minScore() {
        return minScore;
    }

    /** All faces in the frame, best first, in image pixels. */
    public List<FaceDetection> detect(VideoFrame frame) {
        try (Mat rgb = DnnTensors.rgbMat(frame)) {
            return detect(rgb, frame.width(), frame.height());
        }
    }

    List<FaceDetection> detect(Mat rgb, int width, int height) {
        FaceRoi letterbox = FaceRoi.letterbox(width, height);
        Map<String, float[]> outputs;
        try (Mat blob = DnnTensors.cropBlob(rgb, letterbox, INPUT_SIZE, 1 / 127.5, 127.5)) {
            outputs = DnnTensors.forward(net, blob);
        }
        float[] scores = DnnTensors.require(outputs, "classificators", BlazeFaceAnchors.COUNT, "BlazeFace");
        float[] boxes = DnnTensors.require(outputs, "regressors", BlazeFaceAnchors.COUNT * COORDS, "BlazeFace");
        List<FaceDetection> raw = decode(scores, boxes, letterbox);
        return weightedNonMaxSuppression(raw, NMS_IOU);
    }

    /** Anchor decoding in the letterboxed square's [0, 1] coordinates, then mapped back to image pixels. */
    private List<FaceDetection> decode(float[] rawScores, float[] boxes, FaceRoi letterbox) {
        List<FaceDetection> out = new ArrayList<>();
        for (int i = 0; i < BlazeFaceAnchors.COUNT; i++) {
            float logit = Math.max(-SCORE_CLIP, Math.min(SCORE_CLIP, rawScores[i]));
            float score = DnnTensors.sigmoid(logit);
            if (score < minScore) {
                continue;
            }
            int o = i * COORDS;
            float ax = ANCHORS[2 * i];
            float ay = ANCHORS[2 * i + 1];
            float cx = boxes[o] / INPUT_SIZE + ax;
            float cy = boxes[o + 1] / INPUT_SIZE + ay;
            float w = boxes[o + 2] / INPUT_SIZE;
            float h = boxes[o + 3] / INPUT_SIZE;
            double[] topLeft = letterbox.cropPointToImage((cx - w / 2) * INPUT_SIZE, (cy - h / 2) * INPUT_SIZE, INPUT_SIZE);
            float[] keypoints = new float[2 * FaceDetection.KEYPOINTS];
            for (int k = 0; k < FaceDetection.KEYPOINTS; k++) {
                float kx = boxes[o + 4 + 2 * k] / INPUT_SIZE + ax;
                float ky = boxes[o + 5 + 2 * k] / INPUT_SIZE + ay;
                double[] p = letterbox.cropPointToImage(kx * INPUT_SIZE, ky * INPUT_SIZE, INPUT_SIZE);
                keypoints[2 * k] = (float) p[0];
                keypoints[2 * k + 1] = (float) p[1];
            }
            double pixelsPerUnit = letterbox.width();
            out.add(new FaceDetection(score, (float) topLeft[0], (float) topLeft[1], (float) (w * pixelsPerUnit),
                    (float) (h * pixelsPerUnit), keypoints));
        }
        return out;
    }

    /**
     * MediaPipe's WEIGHTED non-maximum suppression: the best remaining detection absorbs every other one
     * overlapping it by more than {@code iouThreshold}; the kept box and keypoints are the score-weighted
     * mean of the absorbed ones, the kept score is the best one's.
     */
    public static List<FaceDetection> weightedNonMaxSuppression(List<FaceDetection> detections, float iouThreshold) {
        List<FaceDetection> remaining = new ArrayList<>(detections);
        remaining.sort(Comparator.comparingDouble(FaceDetection::score).reversed());
        List<FaceDetection> kept = new ArrayList<>();
        while (!remaining.isEmpty()) {
            FaceDetection best = remaining.get(0);
            List<FaceDetection> absorbed = new ArrayList<>();
            List<FaceDetection> rest = new ArrayList<>();
            for (FaceDetection d : remaining) {
                (d == best || best.iou(d) > iouThreshold ? absorbed : rest).add(d);
            }
            kept.add(absorbed.size() == 1 ? best : weightedMean(best.score(), absorbed));
            remaining = rest;
        }
        return kept;
    }

    private static FaceDetection weightedMean(float score, List<FaceDetection> group) {
        double total = 0;
        double xMin = 0;
        double yMin = 0;
        double xMax = 0;
        double yMax = 0;
        double[] keypoints = new double[2 * FaceDetection.KEYPOINTS];
        for (FaceDetection d : group) {
            double w = d.score();
            total += w;
            xMin += w * d.xMin();
            yMin += w * d.yMin();
            xMax += w * (d.xMin() + d.width());
            yMax += w * (d.yMin() + d.height());
            for (int k = 0; k < keypoints.length; k++) {
                keypoints[k] += w * d.keypoints()[k];
            }
        }
        float[] meanKeypoints = new float[keypoints.length];
        for (int k = 0; k < keypoints.length; k++) {
            meanKeypoints[k] = (float) (keypoints[k] / total);
        }
        return new FaceDetection(score, (float) (xMin / total), (float) (yMin / total), (float) ((xMax - xMin) / total),
                (float) ((yMax - yMin) / total), meanKeypoints);
    }

    @Override
    public void close() {
        net.close();
    }
}
