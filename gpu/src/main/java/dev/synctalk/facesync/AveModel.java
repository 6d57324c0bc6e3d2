package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.audio.AudioVisualEncoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What {@code ave-train} trains: the audio-visual encoder ({@link AudioEncoderNet}, tensors
 * {@code audio_encoder.*}, 16c features per frame) with the face encoder and decoder it learns through
 * ({@link FaceSyncGenerator}, {@code generator.*}).
 *
 * <p>Model file ({@code ave.stnt}): those tensors and {@code ave.sizes}. {@link AudioVisualEncoder#load}
 * reads its {@code audio_encoder.*} tensors directly, which is how head-train and head-render use it.
 */
public final class AveModel extends FaceSyncModel {
    public static final String KIND = "ave";
    static final String WHAT = "audio-visual encoder checkpoint";
    static final String WRITER = "graph-definitions/train-ave.conf";

    private final AudioEncoderNet encoder;
    private final FaceSyncGenerator generator;

    private AveModel(ConvOps ops, FaceSyncSizes sizes, long seed) {
        super(KIND, ops, sizes, true);
        SplittableRandom rng = new SplittableRandom(seed);
        this.encoder = new AudioEncoderNet(params(), sizes.channels(), rng.split());
        this.generator = new FaceSyncGenerator(params(), sizes, rng.split());
    }

    /** A fresh model with deterministic weights from {@code seed}. */
    public static AveModel create(ConvOps ops, FaceSyncSizes sizes, long seed) {
        return new AveModel(ops, sizes, seed);
    }

    /** Loads a model file written by {@link #save}; errors name the file and the tensor. */
    public static AveModel load(ConvOps ops, Path file) throws IOException {
        Map<String, Tensor> tensors = ModelFile.read(file, WHAT, WRITER);
        String source = WHAT + " " + file;
        AveModel model = new AveModel(ops, FaceSyncSizes.fromTensors(tensors, KIND, source), 0);
        return ModelFile.fill(model, model.params(), tensors, source);
    }

    public AudioEncoderNet encoder() {
        return encoder;
    }

    public FaceSyncGenerator generator() {
        return generator;
    }

    /** The frozen encoder with the current weights (CPU; {@code CudnnAudioVisualEncoder} takes it to the GPU). */
    public AudioVisualEncoder toEncoder() {
        return AudioEncoderNet.toEncoder(params(), "the trained audio-visual encoder");
    }
}
