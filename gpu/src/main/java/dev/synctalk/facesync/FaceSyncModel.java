package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.tensor.NamedTensorFile;
import dev.synctalk.gpu.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the expert and the AVE model share: their sizes, their named tensors on one device, and their model
 * file (the tensors plus {@code <kind>.sizes}), written atomically.
 */
abstract class FaceSyncModel implements AutoCloseable {
    private final String kind;
    private final FaceSyncSizes sizes;
    private final ParamSet params;

    FaceSyncModel(String kind, ConvOps ops, FaceSyncSizes sizes, boolean trained) {
        this.kind = kind;
        this.sizes = sizes;
        this.params = new ParamSet(ops, trained);
    }

    public FaceSyncSizes sizes() {
        return sizes;
    }

    public ParamSet params() {
        return params;
    }

    public ConvOps ops() {
        return params.ops();
    }

    /** The weights and sizes under their file names. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>(params.stateDict());
        out.put(kind + ".sizes", sizes.toTensor());
        return out;
    }

    /** Writes the model file atomically. */
    public void save(Path file) throws IOException {
        NamedTensorFile.writeAtomically(stateDict(), file);
    }

    @Override
    public void close() {
        params.close();
    }
}
