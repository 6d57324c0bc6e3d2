package dev.synctalk.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.testing.SyntheticMedia;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

class TfliteModelTest {

    static byte[] faceBlendshapesBytes() throws IOException {
        Path task = SyntheticMedia.sharedData("models/face_landmarker.task");
        try (ZipFile zip = new ZipFile(task.toFile()); InputStream in = zip.getInputStream(zip.getEntry("face_blendshapes.tflite"))) {
            return in.readAllBytes();
        }
    }

    @Test
    void readsTheFaceBlendshapesGraphWithItsOpsTensorsAndFloat16Weights() throws IOException {
        TfliteModel model = TfliteModel.read(faceBlendshapesBytes(), "face_blendshapes.tflite");
        System.out.println(model.describe().lines().findFirst().orElseThrow());
        TfliteModel.Subgraph graph = model.mainSubgraph();
        TfliteModel.Tensor input = graph.tensors().get(graph.inputs()[0]);
        TfliteModel.Tensor output = graph.tensors().get(graph.outputs()[0]);
        assertArrayEquals(new int[] {1, 146, 2}, input.shape());
        assertEquals(TensorType.FLOAT32, input.type());
        assertArrayEquals(new int[] {52}, output.shape());
        Map<String, Integer> ops = model.operatorCounts();
        assertEquals(19, ops.get("CONV_2D"));
        assertEquals(49, ops.get("DEQUANTIZE"));
        assertEquals(1, ops.get("LOGISTIC"));
        assertTrue(TfliteInterpreter.SUPPORTED.stream().map(Enum::name).toList().containsAll(ops.keySet()), ops.toString());
        // Every DEQUANTIZE reads a float16 constant: the file stores its weights in half precision.
        for (TfliteModel.Operator op : graph.operators()) {
            if (op.builtinCode() == BuiltinOperator.DEQUANTIZE.code()) {
                TfliteModel.Tensor weights = graph.tensors().get(op.inputs()[0]);
                assertEquals(TensorType.FLOAT16, weights.type(), weights.toString());
                assertEquals(weights.elementCount() * 2, model.constantData(weights).length, weights.toString());
            }
        }
        TfliteModel.Operator conv = graph.operators().stream()
                .filter(op -> op.builtinCode() == BuiltinOperator.CONV_2D.code()).findFirst().orElseThrow();
        assertTrue(conv.options() instanceof OperatorOptions.Conv2D, conv.options().toString());
    }

    @Test
    void refusesBytesThatAreNotATfliteModel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TfliteModel.read(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "notes.txt"));
        assertTrue(e.getMessage().contains("notes.txt") && e.getMessage().contains("TFL3"), e.getMessage());
    }

    @Test
    void interpreterRunsTheBlendshapeGraphToFiftyTwoProbabilities() throws IOException {
        TfliteInterpreter interpreter = new TfliteInterpreter(TfliteModel.read(faceBlendshapesBytes(), "face_blendshapes"));
        java.util.Random random = new java.util.Random(7);
        float[] points = new float[292];
        for (int i = 0; i < points.length; i++) {
            points[i] = 200 + 100 * random.nextFloat();
        }
        float[] scores = interpreter.run(points)[0];
        assertEquals(52, scores.length);
        for (float s : scores) {
            assertTrue(s >= 0 && s <= 1, "sigmoid output " + s);
        }
        // The network normalises position and scale itself: shifted and scaled points score the same.
        float[] moved = points.clone();
        for (int i = 0; i < moved.length; i++) {
            moved[i] = moved[i] * 2.5f + (i % 2 == 0 ? 40 : -30);
        }
        assertArrayEquals(scores, interpreter.run(moved)[0], 1e-4f);
    }
}
