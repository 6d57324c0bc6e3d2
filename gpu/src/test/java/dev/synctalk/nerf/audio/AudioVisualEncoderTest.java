package dev.synctalk.nerf.audio;

import dev.synctalk.gpu.conv.Conv2d;
import dev.synctalk.gpu.tensor.NamedTensorFile;
import dev.synctalk.gpu.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioVisualEncoderTest {
    private static AudioVisualEncoder encoder;
    private static Tensor mel;

    @BeforeAll
    static void build() {
        encoder = AudioVisualEncoder.randomInit(42);
        mel = Tensor.uniform(new SplittableRandom(5), -4, 4, 3, 1, 80, 16);
    }

    @Test
    void eachWindowGivesA512DimensionalFeature() {
        Tensor features = encoder.encode(mel);
        assertArrayEquals(new int[] {3, 512}, features.shape());
        int positive = 0;
        for (float v : features.data()) {
            assertTrue(Float.isFinite(v) && v >= 0, "after the last ReLU every feature is finite and >= 0: " + v);
            positive += v > 0 ? 1 : 0;
        }
        assertTrue(positive > features.size() / 10, "only " + positive + " features are non-zero");
        // windows are independent: encoding one alone gives the same bits as in the batch
        Tensor second = Tensor.wrap(java.util.Arrays.copyOfRange(mel.data(), 1280, 2560), 1, 1, 80, 16);
        assertArrayEquals(java.util.Arrays.copyOfRange(features.data(), 512, 1024), encoder.encode(second).data());
    }

    @Test
    void blockOutputShapesFollowTheStack() {
        List<float[]> outputs = encoder.blockOutputs(java.util.Arrays.copyOf(mel.data(), 1280));
        int[] expected = {32 * 80 * 16, 32 * 80 * 16, 32 * 80 * 16, 64 * 27 * 16, 64 * 27 * 16, 64 * 27 * 16,
            128 * 9 * 6, 128 * 9 * 6, 128 * 9 * 6, 256 * 3 * 3, 256 * 3 * 3, 512, 512};
        assertEquals(expected.length, outputs.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], outputs.get(i).length, "block " + i);
        }
    }

    @Test
    void residualBlocksAddTheirInputBeforeTheRelu() {
        float[] window = java.util.Arrays.copyOf(mel.data(), 1280);
        List<float[]> outputs = encoder.blockOutputs(window);
        for (int i = 0; i < encoder.layers().size(); i++) {
            AudioVisualEncoder.Layer layer = encoder.layers().get(i);
            if (!layer.block().residual()) {
                continue;
            }
            float[] input = outputs.get(i - 1);
            Conv2d conv = layer.block().conv();
            int plane = input.length / conv.inChannels();
            int side = i < 3 ? 80 : i < 6 ? 27 : i < 9 ? 9 : 3;
            int width = plane / side;
            float[] z = new float[input.length];
            conv.forward(input, layer.weight().data(), layer.bias().data(), z, side, width, 0, 1);
            layer.norm().applyInPlace(z, plane, 0, 1);
            float[] out = outputs.get(i);
            for (int k = 0; k < z.length; k++) {
                assertEquals(Math.max(0f, z[k] + input[k]), out[k], 0f, "block " + i + " element " + k);
            }
            boolean inputMatters = false;
            for (int k = 0; k < z.length; k++) {
                inputMatters |= Math.max(0f, z[k]) != out[k];
            }
            assertTrue(inputMatters, "block " + i + ": adding the input changed nothing");
        }
    }

    @Test
    void savedWeightsLoadBackToTheSameEncoder(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ave.stnt");
        encoder.save(file);
        AudioVisualEncoder loaded = AudioVisualEncoder.load(file);
        assertArrayEquals(encoder.encode(mel).data(), loaded.encode(mel).data());
        Map<String, Tensor> state = encoder.stateDict();
        assertEquals(13 * 6, state.size());
        assertArrayEquals(state.get("audio_encoder.12.conv_block.1.running_var").data(),
                loaded.stateDict().get("audio_encoder.12.conv_block.1.running_var").data());
    }

    @Test
    void checkpointKeysWithoutTheModulePrefixAreAccepted(@TempDir Path dir) throws IOException {
        Map<String, Tensor> unprefixed = new LinkedHashMap<>();
        encoder.stateDict().forEach((k, v) -> unprefixed.put(k.substring("audio_encoder.".length()), v));
        Path file = dir.resolve("bare.stnt");
        NamedTensorFile.write(unprefixed, file);
        assertArrayEquals(encoder.encode(mel).data(), AudioVisualEncoder.load(file).encode(mel).data());
    }

    @Test
    void aMissingTensorIsNamedInTheError(@TempDir Path dir) throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>(encoder.stateDict());
        state.remove("audio_encoder.7.conv_block.1.running_mean");
        Path file = dir.resolve("partial.stnt");
        NamedTensorFile.write(state, file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AudioVisualEncoder.load(file));
        assertTrue(e.getMessage().contains("audio_encoder.7.conv_block.1.running_mean"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aMisshapenTensorIsNamedInTheError(@TempDir Path dir) throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>(encoder.stateDict());
        state.put("audio_encoder.3.conv_block.0.weight", Tensor.zeros(64, 32, 3, 1));
        Path file = dir.resolve("misshapen.stnt");
        NamedTensorFile.write(state, file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AudioVisualEncoder.load(file));
        assertTrue(e.getMessage().contains("audio_encoder.3.conv_block.0.weight"), e.getMessage());
    }

    @Test
    void randomInitIsDeterministicPerSeed() {
        assertArrayEquals(encoder.layers().get(5).weight().data(),
                AudioVisualEncoder.randomInit(42).layers().get(5).weight().data());
        assertFalse(java.util.Arrays.equals(encoder.layers().get(5).weight().data(),
                AudioVisualEncoder.randomInit(43).layers().get(5).weight().data()));
    }

    @Test
    void wrongInputShapeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(Tensor.zeros(1, 1, 80, 17)));
    }
}
