package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.ConvBuffer;
import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.audio.AudioVisualEncoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The lip-sync expert (a SyncNet-style discriminator, Wav2Lip's SyncNet_color): a face tower over a window
 * of five lower-face crops ({@link FaceWindowEncoder}) and an audio tower over the matching 80 x 16 mel
 * window ({@link AudioEncoderNet}), both ending in 16c non-negative features; their cosine similarity is
 * the probability that the two are in sync ({@link SyncLoss}, paper Eq. 1).
 *
 * <p>Model file: a named tensor file with {@code face_encoder.*}, {@code audio_encoder.*} and
 * {@code sync_expert.sizes} ({@link FaceSyncSizes}).
 */
public final class SyncExpert extends FaceSyncModel {
    public static final String KIND = "sync_expert";
    static final String WHAT = "lip-sync expert checkpoint";
    static final String WRITER = "graph-definitions/train-sync-expert.conf";

    private final FaceWindowEncoder face;
    private final AudioEncoderNet audio;

    private SyncExpert(ConvOps ops, FaceSyncSizes sizes, long seed, boolean trained) {
        super(KIND, ops, sizes, trained);
        SplittableRandom rng = new SplittableRandom(seed);
        this.face = new FaceWindowEncoder(params(), sizes, rng.split());
        this.audio = new AudioEncoderNet(params(), sizes.channels(), rng.split());
    }

    /** A fresh expert with deterministic weights from {@code seed} ({@link ConvBlock}'s initialisation). */
    public static SyncExpert create(ConvOps ops, FaceSyncSizes sizes, long seed, boolean trained) {
        return new SyncExpert(ops, sizes, seed, trained);
    }

    /** Loads a model file; a missing file or a missing or misshapen tensor is named in the error. */
    public static SyncExpert load(ConvOps ops, Path file, boolean trained) throws IOException {
        Map<String, Tensor> tensors = ModelFile.read(file, WHAT, WRITER);
        String source = WHAT + " " + file;
        FaceSyncSizes sizes = FaceSyncSizes.fromTensors(tensors, KIND, source);
        SyncExpert expert = new SyncExpert(ops, sizes, 0, trained);
        return ModelFile.fill(expert, expert.params(), tensors, source);
    }

    public int embeddingDim() {
        return sizes().featureDim();
    }

    public Tape.Node embedFaces(Tape tape, Tape.Node faces) {
        return face.forward(tape, faces);
    }

    public Tape.Node embedAudio(Tape tape, Tape.Node mel) {
        return audio.forward(tape, mel);
    }

    /** Face embeddings [batch, 16c] of face windows [batch, 15, H, W] (host floats), without gradients. */
    public float[] embedFaces(float[] faces, int batch) {
        ConvOps ops = ops();
        try (ConvBuffer in = ops.upload(faces); Tape tape = new Tape(ops)) {
            Tape.Node out = embedFaces(tape, tape.input(in, batch, 3 * FaceSyncSizes.WINDOW_FRAMES, sizes().cropHeight(),
                    sizes().cropWidth(), false));
            float[] e = new float[batch * embeddingDim()];
            ops.download(out.value(), e);
            return e;
        }
    }

    /** Audio embeddings [batch, 16c] of mel windows [batch, 1, 80, 16] (host floats), without gradients. */
    public float[] embedAudio(float[] mels, int batch) {
        ConvOps ops = ops();
        try (ConvBuffer in = ops.upload(mels); Tape tape = new Tape(ops)) {
            Tape.Node out = embedAudio(tape, tape.input(in, batch, 1, AudioVisualEncoder.MEL_BANDS,
                    AudioVisualEncoder.WINDOW_FRAMES, false));
            float[] e = new float[batch * embeddingDim()];
            ops.download(out.value(), e);
            return e;
        }
    }

}
