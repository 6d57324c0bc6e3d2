package dev.synctalk.facesync;

import dev.synctalk.gpu.tensor.NamedTensorFile;
import dev.synctalk.gpu.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** Reading the Face-Sync model files (named tensor files) with errors that name the file and what it is. */
final class ModelFile {
    private ModelFile() {
    }

    /** Loads {@code tensors} into a freshly built network, closing it when they do not fit. */
    static <T extends AutoCloseable> T fill(T network, ParamSet params, Map<String, Tensor> tensors, String source) {
        try {
            params.load(tensors, source);
            return network;
        } catch (RuntimeException e) {
            try {
                network.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * All tensors of {@code file}; {@code what} describes it in errors ("lip-sync expert checkpoint"),
     * {@code writer} says what produces such a file.
     */
    static Map<String, Tensor> read(Path file, String what, String writer) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, what + " " + file + " does not exist (" + writer
                    + " writes it)");
        }
        try {
            return NamedTensorFile.read(file).tensors();
        } catch (IllegalArgumentException e) {
            throw new IOException(what + " " + file + " is unreadable: " + e.getMessage(), e);
        }
    }
}
