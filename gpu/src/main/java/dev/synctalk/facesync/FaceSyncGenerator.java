package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.Conv2d;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The face encoder and decoder the audio-visual encoder is pretrained with (paper Eq. 3: the lower face
 * reconstructed from Conv(A) + Conv(F)). Input per frame: 6 channels, the frame's lower-face crop with its
 * lower half masked to zero (where the mouth is) and a reference crop of the same clip at another time
 * (identity and appearance, its mouth in some other position), as Wav2Lip's generator sees them. The
 * audio features A of the frame (the AVE's 16c) enter through a 1x1 convolution added to the face code
 * F at the bottleneck; the decoder climbs back with skip connections from the face encoder:
 * <pre>
 *   face_encoder.0,1   6 -> c 3x3, c res                       H   x W
 *   face_encoder.2,3   c -> 2c 3x3 s2, res                     H/2 x W/2
 *   face_encoder.4,5   2c -> 4c 3x3 s2, res                    H/4 x W/4
 *   face_encoder.6,7   4c -> 8c 3x3 s2, res                    H/8 x W/8   = F
 *   audio_projection   16c -> 8c 1x1 (no norm)                 1 x 1       = Conv(A)
 *   h = relu(F + Conv(A)) (broadcast over the plane); decoder.0: 8c res
 *   decoder.1,2,3      upsample x2, 3x3 conv to 4c / 2c / c + BN, + the encoder's map of that size, ReLU
 *   output             c -> 3 1x1, sigmoid                     H x W RGB in (0, 1)
 * </pre>
 * The crops enter centred ({@link InputNorm}). Tensors under {@code generator.*}.
 */
public final class FaceSyncGenerator {
    public static final String PREFIX = "generator";
    /** Input channels: the masked crop and the reference crop, RGB each. */
    public static final int INPUT_CHANNELS = 6;

    private final FaceSyncSizes sizes;
    private final InputNorm inputNorm;
    private final List<ConvBlock.Weights> encoder = new ArrayList<>();
    private final ConvBlock.Weights audioProjection;
    private final List<ConvBlock.Weights> decoder = new ArrayList<>();
    private final ConvBlock.Weights output;

    public FaceSyncGenerator(ParamSet set, FaceSyncSizes sizes, SplittableRandom rng) {
        this.sizes = sizes;
        this.inputNorm = new InputNorm(set, PREFIX, INPUT_CHANNELS);
        int c = sizes.channels();
        List<ConvBlock> enc = List.of(
                ConvBlock.plain(Conv2d.square(INPUT_CHANNELS, c, 3, 1, 1)), ConvBlock.residual(c),
                ConvBlock.plain(Conv2d.square(c, 2 * c, 3, 2, 1)), ConvBlock.residual(2 * c),
                ConvBlock.plain(Conv2d.square(2 * c, 4 * c, 3, 2, 1)), ConvBlock.residual(4 * c),
                ConvBlock.plain(Conv2d.square(4 * c, 8 * c, 3, 2, 1)), ConvBlock.residual(8 * c));
        for (int i = 0; i < enc.size(); i++) {
            encoder.add(enc.get(i).create(set, PREFIX + ".face_encoder." + i, rng));
        }
        audioProjection = new ConvBlock(Conv2d.square(16 * c, 8 * c, 1, 1, 0), false, false, false)
                .create(set, PREFIX + ".audio_projection", rng);
        List<ConvBlock> dec = List.of(ConvBlock.residual(8 * c),
                new ConvBlock(Conv2d.square(8 * c, 4 * c, 3, 1, 1), true, true, false),
                new ConvBlock(Conv2d.square(4 * c, 2 * c, 3, 1, 1), true, true, false),
                new ConvBlock(Conv2d.square(2 * c, c, 3, 1, 1), true, true, false));
        for (int i = 0; i < dec.size(); i++) {
            decoder.add(dec.get(i).create(set, PREFIX + ".decoder." + i, rng));
        }
        output = new ConvBlock(Conv2d.square(c, 3, 1, 1, 0), false, false, false).create(set, PREFIX + ".output", rng);
    }

    /** faceInput [N, 6, H, W], audio [N, 16c, 1, 1] -> reconstructed crops [N, 3, H, W] in (0, 1). */
    public Tape.Node forward(Tape tape, Tape.Node faceInput, Tape.Node audio) {
        if (faceInput.channels() != INPUT_CHANNELS || faceInput.height() != sizes.cropHeight()
                || faceInput.width() != sizes.cropWidth()) {
            throw new IllegalArgumentException("generator input must be [N, 6, " + sizes.cropHeight() + ", "
                    + sizes.cropWidth() + "], got " + faceInput);
        }
        if (audio.batch() != faceInput.batch() || audio.channels() != sizes.featureDim() || audio.plane() != 1) {
            throw new IllegalArgumentException("generator audio must be [" + faceInput.batch() + ", "
                    + sizes.featureDim() + ", 1, 1], got " + audio);
        }
        Tape.Node[] skips = new Tape.Node[4];
        Tape.Node x = inputNorm.forward(tape, faceInput);
        for (int level = 0; level < 4; level++) {
            x = encoder.get(2 * level).forward(tape, x);
            x = encoder.get(2 * level + 1).forward(tape, x);
            skips[level] = x;
        }
        Tape.Node projected = audioProjection.forward(tape, audio);
        Tape.Node h = tape.relu(tape.addPerChannel(x, projected));
        h = decoder.get(0).forward(tape, h);
        for (int level = 2; level >= 0; level--) {
            h = decoder.get(3 - level).forward(tape, tape.upsample2x(h), skips[level]);
        }
        return tape.sigmoid(output.forward(tape, h));
    }
}
