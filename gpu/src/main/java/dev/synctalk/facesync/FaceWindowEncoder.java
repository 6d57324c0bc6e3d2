package dev.synctalk.facesync;

import dev.synctalk.gpu.conv.Conv2d;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The lip-sync expert's face tower (after Wav2Lip's SyncNet face encoder): a window of
 * {@link FaceSyncSizes#WINDOW_FRAMES} lower-face crops stacked on the channel axis (15 channels, H x 2H)
 * -> 16c features, every block Conv + BN + ReLU:
 * <pre>
 *   15 -> c 3x3 s1 p1                    H x 2H
 *   c -> 2c 3x3 s(1,2) p1, 2c res        H x H
 *   then per halving: -> min(2x, 16c) 3x3 s2 p1, res     until 3 x 3
 *   -> 16c 3x3 s1 p0                     1 x 1
 *   16c -> 16c 1x1                       1 x 1
 * </pre>
 * The crops enter centred ({@link InputNorm}). Tensors under {@code face_encoder.input_norm.*} and
 * {@code face_encoder.i.conv_block.*}.
 */
public final class FaceWindowEncoder {
    public static final String PREFIX = "face_encoder";

    private final List<ConvBlock.Weights> blocks = new ArrayList<>();
    private final FaceSyncSizes sizes;
    private final InputNorm inputNorm;

    public FaceWindowEncoder(ParamSet set, FaceSyncSizes sizes, SplittableRandom rng) {
        this.sizes = sizes;
        this.inputNorm = new InputNorm(set, PREFIX, 3 * FaceSyncSizes.WINDOW_FRAMES);
        int c = sizes.channels();
        int top = 16 * c;
        List<ConvBlock> layout = new ArrayList<>();
        layout.add(ConvBlock.plain(Conv2d.square(3 * FaceSyncSizes.WINDOW_FRAMES, c, 3, 1, 1)));
        layout.add(ConvBlock.plain(new Conv2d(c, 2 * c, 3, 3, 1, 2, 1, 1)));
        layout.add(ConvBlock.residual(2 * c));
        int channels = 2 * c;
        int side = sizes.cropHeight();
        while (side > 3) {
            int next = Math.min(2 * channels, top);
            layout.add(ConvBlock.plain(Conv2d.square(channels, next, 3, 2, 1)));
            layout.add(ConvBlock.residual(next));
            channels = next;
            side = (side + 1) / 2;
        }
        layout.add(ConvBlock.plain(Conv2d.square(channels, top, 3, 1, 0)));
        layout.add(ConvBlock.plain(Conv2d.square(top, top, 1, 1, 0)));
        for (int i = 0; i < layout.size(); i++) {
            blocks.add(layout.get(i).create(set, PREFIX + "." + i, rng));
        }
    }

    public int featureDim() {
        return 16 * sizes.channels();
    }

    /** faces [B, 15, H, 2H] in [0, 1] -> [B, 16c, 1, 1]. */
    public Tape.Node forward(Tape tape, Tape.Node faces) {
        if (faces.channels() != 3 * FaceSyncSizes.WINDOW_FRAMES || faces.height() != sizes.cropHeight()
                || faces.width() != sizes.cropWidth()) {
            throw new IllegalArgumentException("face window must be [B, " + 3 * FaceSyncSizes.WINDOW_FRAMES + ", "
                    + sizes.cropHeight() + ", " + sizes.cropWidth() + "], got " + faces);
        }
        Tape.Node x = inputNorm.forward(tape, faces);
        for (ConvBlock.Weights b : blocks) {
            x = b.forward(tape, x);
        }
        if (x.height() != 1 || x.width() != 1) {
            throw new IllegalStateException("face encoder ended at " + x + ", expected 1x1");
        }
        return x;
    }
}
