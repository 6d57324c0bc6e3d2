package dev.synctalk.expression;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.SyntheticMedia;
import dev.synctalk.testing.TestStageContext;
import dev.synctalk.video.VideoDecodeStage;
import dev.synctalk.video.VideoFrame;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_dnn.Net;

/**
 * Test-only source of real 478-point landmarks for the sample video: MediaPipe's landmark network
 * (face_landmarks_detector.tflite from the .task bundle) through OpenCV DNN on the whole frame. The
 * HDTF clip is a tight 512x512 face crop, so the full frame resized to 256x256 is a usable ROI without
 * a detector. The production landmark stage lives in dev.synctalk.face; this only feeds the tests.
 */
final class SampleLandmarks {
    private static final int INPUT_SIZE = 256;
    private static List<FaceLandmarks> cached;
    private static List<float[]> cachedScores;

    private SampleLandmarks() {
    }

    static Path task() {
        return SyntheticMedia.sharedData("models/face_landmarker.task");
    }

    /** Landmarks of every frame of hdtf_aoc.mp4 (skips the test when the sample data is absent). */
    static synchronized List<FaceLandmarks> hdtfAoc() throws Exception {
        if (cached == null) {
            Path video = SyntheticMedia.sharedData("hdtf_aoc.mp4");
            Path model = extract(task(), "face_landmarks_detector.tflite");
            Net net = opencv_dnn.readNetFromTFLite(model.toString());
            List<VideoFrame> frames;
            try (VideoDecodeStage decode = (VideoDecodeStage) new VideoDecodeStage.Type().create(
                    Configs.of(VideoDecodeStage.Config.class, Map.of("path", video)),
                    new TestStageContext("decode", Files.createTempDirectory("landmarks")))) {
                frames = Collected.drain(decode, "frames", VideoFrame.class);
            }
            List<FaceLandmarks> out = new ArrayList<>();
            for (VideoFrame frame : frames) {
                out.add(landmarks(net, frame));
            }
            cached = List.copyOf(out);
        }
        return cached;
    }

    /** The blendshape network's 52 scores for every frame of {@link #hdtfAoc()}, computed once per test JVM. */
    static synchronized List<float[]> hdtfAocScores() throws Exception {
        if (cachedScores == null) {
            BlendshapeNetwork network = BlendshapeNetwork.load(task());
            List<float[]> scores = new ArrayList<>();
            for (FaceLandmarks f : hdtfAoc()) {
                scores.add(network.scores(f));
            }
            cachedScores = List.copyOf(scores);
        }
        return cachedScores;
    }

    private static FaceLandmarks landmarks(Net net, VideoFrame frame) {
        try (Mat rgb = new Mat(frame.height(), frame.width(), CV_8UC3, new BytePointer(frame.rgb()));
             Mat blob = opencv_dnn.blobFromImage(rgb, 1 / 255.0, new Size(INPUT_SIZE, INPUT_SIZE), new Scalar(0.0),
                     false, false, org.bytedeco.opencv.global.opencv_core.CV_32F)) {
            net.setInput(blob);
            try (Mat out = net.forward("Identity")) {
                float[] raw = new float[FaceLandmarks.COUNT * 3];
                new FloatPointer(out.data()).get(raw);
                float[] points = new float[FaceLandmarks.COUNT * 3];
                float sx = frame.width() / (float) INPUT_SIZE;
                float sy = frame.height() / (float) INPUT_SIZE;
                for (int i = 0; i < FaceLandmarks.COUNT; i++) {
                    points[3 * i] = raw[3 * i] * sx;
                    points[3 * i + 1] = raw[3 * i + 1] * sy;
                    points[3 * i + 2] = raw[3 * i + 2] * sx;
                }
                return new FaceLandmarks(frame.frameIndex(), frame.width(), frame.height(), points, 1f, false);
            }
        }
    }

    static Path extract(Path task, String entry) throws IOException {
        Path target = Files.createTempFile("mediapipe-", "-" + entry);
        target.toFile().deleteOnExit();
        try (ZipFile zip = new ZipFile(task.toFile()); InputStream in = zip.getInputStream(zip.getEntry(entry))) {
            Files.write(target, in.readAllBytes());
        }
        return target;
    }
}
