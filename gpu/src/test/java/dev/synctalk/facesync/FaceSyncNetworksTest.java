package dev.synctalk.facesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.gpu.conv.ConvBuffer;
import dev.synctalk.gpu.conv.CpuConvOps;
import dev.synctalk.gpu.tensor.NamedTensorFile;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.audio.AudioVisualEncoder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shapes, names and files of the expert, the AVE and the generator. */
class FaceSyncNetworksTest {
    private static final FaceSyncSizes SIZES = new FaceSyncSizes(2, 24, 48);

    @TempDir
    Path dir;

    @Test
    void sizesAcceptOnlyCropsTheNetworksHalveExactly() {
        assertEquals(512, FaceSyncSizes.REFERENCE.featureDim());
        assertThrows(IllegalArgumentException.class, () -> new FaceSyncSizes(8, 32, 64));
        assertThrows(IllegalArgumentException.class, () -> new FaceSyncSizes(8, 24, 24));
        assertThrows(IllegalArgumentException.class, () -> new FaceSyncSizes(8, 12, 24));
    }

    @Test
    void trainedAveComputesWhatTheFrozenEncoderComputesFromItsFile() throws Exception {
        SplittableRandom rng = new SplittableRandom(1);
        try (CpuConvOps ops = new CpuConvOps(2); AveModel model = AveModel.create(ops, SIZES, 3)) {
            // move the weights away from the initialisation (gamma 0 makes residual blocks the identity)
            Map<String, Tensor> perturbed = new LinkedHashMap<>();
            model.params().stateDict().forEach((name, t) -> {
                float[] d = t.data().clone();
                for (int i = 0; i < d.length; i++) {
                    d[i] += name.endsWith("running_var") ? (float) rng.nextDouble(0, 0.5) : (float) rng.nextDouble(-0.1, 0.1);
                }
                perturbed.put(name, Tensor.wrap(d, t.shape()));
            });
            model.params().load(perturbed, "test");
            Path file = dir.resolve("ave.stnt");
            model.save(file);
            AudioVisualEncoder frozen = AudioVisualEncoder.load(file);
            assertEquals(SIZES.featureDim(), frozen.featureDim());
            assertEquals(2, frozen.baseChannels());
            Tensor mel = Tensor.uniform(rng, -4, 4, 3, 1, 80, 16);
            float[] expected = frozen.encode(mel).data();
            float[] actual = new float[expected.length];
            try (Tape tape = new Tape(ops); ConvBuffer in = ops.upload(mel.data())) {
                Tape.Node out = model.encoder().forward(tape, tape.input(in, 3, 1, 80, 16, false));
                assertEquals(SIZES.featureDim(), out.channels());
                ops.download(out.value(), actual);
            }
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < expected.length; i++) {
                diff += (expected[i] - actual[i]) * (expected[i] - actual[i]);
                norm += expected[i] * expected[i];
            }
            assertTrue(norm > 0, "the encoder produces features");
            assertTrue(Math.sqrt(diff / norm) < 1e-5, "folded and unfolded batch norm agree: " + Math.sqrt(diff / norm));
        }
    }

    @Test
    void expertEmbedsWindowsAndGeneratorRebuildsCrops() {
        try (CpuConvOps ops = new CpuConvOps(2); SyncExpert expert = SyncExpert.create(ops, SIZES, 1, false);
             AveModel ave = AveModel.create(ops, SIZES, 2)) {
            float[] faces = new float[3 * 15 * 24 * 48];
            java.util.Arrays.fill(faces, 0.5f);
            float[] e = expert.embedFaces(faces, 3);
            assertEquals(3 * SIZES.featureDim(), e.length);
            assertEquals(3 * SIZES.featureDim(), expert.embedAudio(new float[3 * 1280], 3).length);
            float[] crops = new float[4 * 6 * 24 * 48];
            SplittableRandom rng = new SplittableRandom(2);
            for (int i = 0; i < crops.length; i++) {
                crops[i] = (float) rng.nextDouble();
            }
            try (Tape tape = new Tape(ops); ConvBuffer in = ops.upload(crops);
                 ConvBuffer audio = ops.upload(new float[4 * SIZES.featureDim()])) {
                Tape.Node image = ave.generator().forward(tape, tape.input(in, 4, 6, 24, 48, false),
                        tape.input(audio, 4, SIZES.featureDim(), 1, 1, false));
                assertEquals(3, image.channels());
                float[] pixels = new float[(int) image.size()];
                ops.download(image.value(), pixels);
                for (float p : pixels) {
                    assertTrue(p >= 0 && p <= 1, "sigmoid output " + p);
                }
            }
        }
    }

    @Test
    void missingOrMismatchedExpertFilesNameTheFileAndTheTensor() throws Exception {
        try (CpuConvOps ops = new CpuConvOps(1)) {
            Path missing = dir.resolve("none.stnt");
            NoSuchFileException gone = assertThrows(NoSuchFileException.class, () -> SyncExpert.load(ops, missing, false));
            assertTrue(gone.getMessage().contains(missing.toString()), gone.getMessage());
            Path file = dir.resolve("expert.stnt");
            try (SyncExpert expert = SyncExpert.create(ops, SIZES, 1, false)) {
                Map<String, Tensor> tensors = new LinkedHashMap<>(expert.stateDict());
                tensors.remove("audio_encoder.3.conv_block.0.weight");
                NamedTensorFile.write(tensors, file);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SyncExpert.load(ops, file, false));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("audio_encoder.3.conv_block.0.weight"),
                    e.getMessage());
            Files.delete(file);
            try (SyncExpert expert = SyncExpert.create(ops, SIZES, 1, false)) {
                Map<String, Tensor> tensors = new LinkedHashMap<>(expert.stateDict());
                tensors.put("face_encoder.0.conv_block.0.bias", Tensor.zeros(7));
                NamedTensorFile.write(tensors, file);
            }
            e = assertThrows(IllegalArgumentException.class, () -> SyncExpert.load(ops, file, false));
            assertTrue(e.getMessage().contains("face_encoder.0.conv_block.0.bias") && e.getMessage().contains("[7]"),
                    e.getMessage());
        }
    }
}
