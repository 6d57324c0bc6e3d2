package dev.synctalk.expression;

import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.tflite.TfliteInterpreter;
import dev.synctalk.tflite.TfliteModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * MediaPipe's face blendshapes network (face_blendshapes.tflite, an MLP-Mixer) run in Java: 146 of the
 * 478 face-mesh landmarks, x and y in image pixels, in; 52 ARKit-style blendshape scores in [0, 1] out.
 * The input convention is MediaPipe's FaceBlendshapesGraph: the landmark subset below, converted from
 * normalised to pixel coordinates with the image size (LandmarksToTensorCalculator scales x by the
 * width and y by the height), shaped [1, 146, 2]. The network itself centres and scales the points.
 */
public final class BlendshapeNetwork {

    /** The 52 output categories in the network's order; index 0 is {@code _neutral}. */
    public static final List<String> NAMES = List.of(
            "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight",
            "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft", "eyeBlinkRight", "eyeLookDownLeft",
            "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight", "eyeLookOutLeft", "eyeLookOutRight",
            "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft", "eyeSquintRight", "eyeWideLeft", "eyeWideRight",
            "jawForward", "jawLeft", "jawOpen", "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight",
            "mouthFrownLeft", "mouthFrownRight", "mouthFunnel", "mouthLeft", "mouthLowerDownLeft",
            "mouthLowerDownRight", "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight",
            "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft",
            "mouthSmileRight", "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight",
            "noseSneerLeft", "noseSneerRight");

    public static final int SCORE_COUNT = 52;

    /** MediaPipe's kLandmarksSubsetIdxs: the landmarks the network reads, in its input order. */
    private static final int[] LANDMARK_SUBSET = {
        0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39,
        40, 46, 52, 53, 54, 55, 58, 61, 63, 65, 66, 67, 70, 78, 80,
        81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133,
        136, 144, 145, 146, 148, 149, 150, 152, 153, 154, 155, 157, 158, 159, 160,
        161, 162, 163, 168, 172, 173, 176, 178, 181, 185, 191, 195, 197, 234, 246,
        249, 251, 263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295,
        296, 297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324, 332, 334,
        336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382,
        384, 385, 386, 387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454,
        466, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477};

    static final String TASK_ENTRY = "face_blendshapes.tflite";

    private final TfliteInterpreter interpreter;

    private BlendshapeNetwork(TfliteInterpreter interpreter) {
        int[] in = interpreter.inputShape(0);
        int[] out = interpreter.outputShape(0);
        String source = interpreter.model().source();
        if (interpreter.inputCount() != 1 || !Arrays.equals(in, new int[] {1, LANDMARK_SUBSET.length, 2})) {
            throw new IllegalArgumentException(source + ": expected one input [1, 146, 2], found " + Arrays.toString(in));
        }
        if (Arrays.stream(out).reduce(1, (a, b) -> a * b) != SCORE_COUNT) {
            throw new IllegalArgumentException(source + ": expected 52 output scores, found " + Arrays.toString(out));
        }
        this.interpreter = interpreter;
    }

    /** Loads the network from a MediaPipe face_landmarker.task bundle (a zip) or a bare .tflite file. */
    public static BlendshapeNetwork load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("blendshape network file not found: " + file.toAbsolutePath());
        }
        byte[] bytes;
        String source;
        if (file.getFileName().toString().endsWith(".tflite")) {
            bytes = Files.readAllBytes(file);
            source = file.toString();
        } else {
            try (ZipFile zip = openZip(file)) {
                ZipEntry entry = zip.getEntry(TASK_ENTRY);
                if (entry == null) {
                    throw new IOException(file + " has no " + TASK_ENTRY + " (is it a face_landmarker.task bundle?)");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
            }
            source = file + "!" + TASK_ENTRY;
        }
        return new BlendshapeNetwork(new TfliteInterpreter(TfliteModel.read(bytes, source)));
    }

    private static ZipFile openZip(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + " is neither a .tflite model nor a .task bundle (zip): " + e.getMessage(), e);
        }
    }

    public TfliteModel model() {
        return interpreter.model();
    }

    /** The network input for one face: the 146 subset landmarks as (x, y) pixel pairs, row-major. */
    public static float[] networkInput(FaceLandmarks landmarks) {
        float[] input = new float[LANDMARK_SUBSET.length * 2];
        for (int i = 0; i < LANDMARK_SUBSET.length; i++) {
            input[2 * i] = landmarks.x(LANDMARK_SUBSET[i]);
            input[2 * i + 1] = landmarks.y(LANDMARK_SUBSET[i]);
        }
        return input;
    }

    /** The 52 scores for one face, in {@link #NAMES} order. */
    public float[] scores(FaceLandmarks landmarks) {
        return interpreter.run(networkInput(landmarks))[0];
    }

    static int[] landmarkSubset() {
        return LANDMARK_SUBSET.clone();
    }
}
