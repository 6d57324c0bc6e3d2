package dev.synctalk.parsing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
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

/**
 * Person versus background in one frame with MediaPipe Selfie Segmentation (selfie_segmentation.tflite, the
 * general 256 x 256 model of the npm package {@code @mediapipe/selfie_segmentation}, Apache-2.0) run by OpenCV
 * DNN: the whole frame resized to 256 x 256 RGB in [0, 1] (an NCHW blob), one 256 x 256 map of person
 * probability out, hair and body included.
 *
 * <p>The map is resized to the frame with bilinear interpolation before the 0.5 threshold, so the mask's
 * outline is a smooth curve at the frame's resolution rather than 256-grid steps. The face oval from the
 * landmarks is always person; only the parts connected to it are kept (another person or a stray blob in the
 * background is not this person), and holes smaller than {@value #MAX_HOLE_FRACTION} of the frame are filled.
 * Not thread-safe (the network holds its buffers): one instance per stage instance.
 */
public final class SelfieSegmenter implements AutoCloseable {
    public static final int INPUT_SIZE = 256;
    static final double MAX_HOLE_FRACTION = 0.005;

    private final Path modelFile;
    private final Net net;

    private SelfieSegmenter(Path modelFile, Net net) {
        this.modelFile = modelFile;
        this.net = net;
    }

    /** Loads the network; every failure names the file. */
    public static SelfieSegmenter load(Path modelFile) throws IOException {
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException("person segmentation model not found: " + modelFile.toAbsolutePath()
                    + " (MediaPipe's selfie_segmentation.tflite; npm pack @mediapipe/selfie_segmentation)");
        }
        byte[] bytes = Files.readAllBytes(modelFile);
        Net net;
        try (BytePointer buffer = new BytePointer(bytes)) {
            net = opencv_dnn.readNetFromTFLite(buffer, bytes.length);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("OpenCV could not load the person segmentation model "
                    + modelFile.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        if (net == null || net.empty()) {
            throw new IllegalArgumentException("OpenCV loaded an empty network from " + modelFile.toAbsolutePath());
        }
        return new SelfieSegmenter(modelFile, net);
    }

    public Path modelFile() {
        return modelFile;
    }

    /** The network's person probability, {@value #INPUT_SIZE} x {@value #INPUT_SIZE} floats in [0, 1], row-major. */
    public float[] probability(RgbImage frame) {
        try (Mat rgb = Pixels.mat(frame.rgb(), frame.width(), frame.height(), 3);
                Size size = new Size(INPUT_SIZE, INPUT_SIZE);
                Scalar zero = new Scalar(0, 0, 0, 0);
                Mat blob = opencv_dnn.blobFromImage(rgb, 1 / 255.0, size, zero, false, false, opencv_core.CV_32F)) {
            net.setInput(blob);
            try (StringVector names = net.getUnconnectedOutLayersNames(); MatVector outputs = new MatVector()) {
                net.forward(outputs, names);
                if (outputs.size() != 1) {
                    throw new IllegalStateException(modelFile + ": expected one output, got " + outputs.size());
                }
                try (Mat out = outputs.get(0); FloatPointer data = new FloatPointer(out.data())) {
                    if (out.total() != (long) INPUT_SIZE * INPUT_SIZE) {
                        throw new IllegalStateException(modelFile + ": expected a " + INPUT_SIZE + "x" + INPUT_SIZE
                                + " mask, got " + out.total() + " values");
                    }
                    float[] values = new float[INPUT_SIZE * INPUT_SIZE];
                    data.get(values);
                    return values;
                }
            }
        }
    }

    /** The person mask of {@code frame} (1 = person) at the frame's resolution. */
    public byte[] segment(RgbImage frame, FaceOutline face) {
        int w = frame.width();
        int h = frame.height();
        byte[] person = upsampledMask(probability(frame), w, h);
        byte[] faceMask = face.rasterise(w, h);
        for (int p = 0; p < person.length; p++) {
            person[p] |= faceMask[p];
        }
        return Pixels.fillSmallHoles(Pixels.keepConnectedTo(person, faceMask, w, h), w, h, MAX_HOLE_FRACTION);
    }

    /** Bilinear resize of the probability map to {@code w x h}, then the 0.5 threshold. */
    static byte[] upsampledMask(float[] probability, int w, int h) {
        float[] resized = new float[w * h];
        try (FloatPointer values = new FloatPointer(probability);
                Mat small = new Mat(INPUT_SIZE, INPUT_SIZE, opencv_core.CV_32F, values);
                Mat big = new Mat();
                Size size = new Size(w, h)) {
            opencv_imgproc.resize(small, big, size, 0, 0, opencv_imgproc.INTER_LINEAR);
            try (FloatPointer data = new FloatPointer(big.data())) {
                data.get(resized);
            }
        }
        byte[] mask = new byte[w * h];
        for (int p = 0; p < mask.length; p++) {
            mask[p] = (byte) (resized[p] >= 0.5f ? 1 : 0);
        }
        return mask;
    }

    @Override
    public void close() {
        net.close();
    }
}
