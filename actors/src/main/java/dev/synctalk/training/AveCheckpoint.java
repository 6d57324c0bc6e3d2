package dev.synctalk.training;

import dev.synctalk.gpu.tensor.NamedTensorFile;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.AudioFeatureNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pretrained weights of the AVE audio net ({@link dev.synctalk.nerf.AveAudioNet}: featureDim -> hidden1 ->
 * hidden2 -> audioDim) in a {@link NamedTensorFile}: tensors {@code audio_net.fc<k>.weight} [out, in]
 * and {@code audio_net.fc<k>.bias} [out] for k = 0, 1, 2, the net's parameters in order.
 */
public final class AveCheckpoint {
    private AveCheckpoint() {
    }

    static String name(int parameterIndex) {
        return "audio_net.fc" + parameterIndex / 2 + (parameterIndex % 2 == 0 ? ".weight" : ".bias");
    }

    /** Copies the checkpoint's tensors into {@code net}'s parameters, checking every name and size first. */
    public static void load(Path file, AudioFeatureNet net) throws IOException {
        Map<String, Tensor> tensors = NamedTensorFile.read(file).tensors();
        List<Tensor> params = net.parameters();
        for (int i = 0; i < params.size(); i++) {
            Tensor t = tensors.get(name(i));
            if (t == null) {
                throw new IOException("AVE checkpoint " + file + " has no tensor '" + name(i) + "' (has "
                        + tensors.keySet() + ")");
            }
            if (t.size() != params.get(i).size()) {
                throw new IOException("AVE checkpoint " + file + ": '" + name(i) + "' has shape "
                        + Arrays.toString(t.shape()) + " but the audio net's is " + Arrays.toString(params.get(i).shape()));
            }
        }
        if (tensors.size() != params.size()) {
            throw new IOException("AVE checkpoint " + file + " has " + tensors.size() + " tensors, the audio net "
                    + params.size());
        }
        for (int i = 0; i < params.size(); i++) {
            float[] data = tensors.get(name(i)).data();
            System.arraycopy(data, 0, params.get(i).data(), 0, data.length);
        }
    }

    /** Writes {@code net}'s parameters in this format (to export trained weights, and for tests). */
    public static void write(Path file, AudioFeatureNet net) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Tensor> params = net.parameters();
        for (int i = 0; i < params.size(); i++) {
            out.put(name(i), params.get(i).copy());
        }
        NamedTensorFile.write(out, file);
    }
}
