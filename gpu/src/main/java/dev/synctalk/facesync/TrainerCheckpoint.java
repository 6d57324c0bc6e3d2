package dev.synctalk.facesync;

import dev.synctalk.gpu.tensor.NamedTensorFile;
import dev.synctalk.gpu.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The training state of a Face-Sync trainer as one named tensor file, written atomically (temporary file,
 * then rename): the model's tensors under their model-file names (so a checkpoint also loads as a model),
 * the optimiser's moments ({@code optim.exp_avg.<name>}, {@code optim.exp_avg_sq.<name>}), the step count
 * ({@code trainer.step}, four exact 16-bit limbs) and trainer-specific extras. Restoring it gives the exact
 * floats back, which with the step-seeded sampling makes a resumed run bit-identical on the CPU.
 */
final class TrainerCheckpoint {
    static final String STEP = "trainer.step";

    private TrainerCheckpoint() {
    }

    static void write(Path file, Map<String, Tensor> model, ConvAdam adam, Map<String, Tensor> extras)
            throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>(model);
        adam.export(out);
        out.put(STEP, StepCount.encode(adam.steps()));
        out.putAll(extras);
        NamedTensorFile.writeAtomically(out, file);
    }

    static long step(Map<String, Tensor> tensors, String source) {
        return StepCount.decode(tensors.get(STEP), STEP, source);
    }

    /**
     * Reads a checkpoint of a {@code kind} model with {@code sizes} and returns its tensors; nothing is
     * restored yet. The error names the file and what does not fit.
     */
    static Map<String, Tensor> read(Path file, String what, String kind, FaceSyncSizes sizes) throws IOException {
        Map<String, Tensor> tensors = ModelFile.read(file, what, kind.equals(AveModel.KIND) ? "ave-train"
                : "sync-expert-train");
        String source = what + " " + file;
        FaceSyncSizes found = FaceSyncSizes.fromTensors(tensors, kind, source);
        if (!found.equals(sizes)) {
            throw new IllegalArgumentException(source + " holds a network of " + found + ", this run trains " + sizes);
        }
        return tensors;
    }

    /** Restores weights, moments and step from checked tensors: every tensor is checked before any is written. */
    static void restore(Map<String, Tensor> tensors, String source, ParamSet params, ConvAdam adam) {
        long step = step(tensors, source);
        adam.check(tensors, source);
        params.load(tensors, source);
        adam.restore(tensors, step, source);
    }
}
