package dev.synctalk.facesync;

import dev.synctalk.nerf.audio.AudioVisualEncoder;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The audio-visual encoder's conv stack as a network that trains: {@link AudioVisualEncoder}'s thirteen
 * blocks ({@link AudioVisualEncoder#architecture(int)}) under the same tensor names
 * ({@code <prefix>.i.conv_block.*}), so {@link #toEncoder} hands the trained weights to the frozen CPU and
 * cuDNN encoders unchanged. It is the AVE itself under {@code ave-train} (prefix {@code audio_encoder})
 * and the lip-sync expert's audio tower (Wav2Lip's SyncNet uses the same stack).
 */
public final class AudioEncoderNet {
    public static final String PREFIX = "audio_encoder";

    private final List<ConvBlock.Weights> blocks = new ArrayList<>();
    private final int featureDim;

    public AudioEncoderNet(ParamSet set, int channels, SplittableRandom rng) {
        List<AudioVisualEncoder.Block> architecture = AudioVisualEncoder.architecture(channels);
        for (int i = 0; i < architecture.size(); i++) {
            AudioVisualEncoder.Block b = architecture.get(i);
            blocks.add(new ConvBlock(b.conv(), true, true, b.residual()).create(set, PREFIX + "." + i, rng));
        }
        this.featureDim = 16 * channels;
    }

    public int featureDim() {
        return featureDim;
    }

    /** mel [B, 1, 80, 16] -> features [B, 16c, 1, 1] (after the last block's ReLU, as the reference). */
    public Tape.Node forward(Tape tape, Tape.Node mel) {
        if (mel.channels() != 1 || mel.height() != AudioVisualEncoder.MEL_BANDS
                || mel.width() != AudioVisualEncoder.WINDOW_FRAMES) {
            throw new IllegalArgumentException("audio encoder input must be [B, 1, 80, 16], got " + mel);
        }
        Tape.Node x = mel;
        for (ConvBlock.Weights b : blocks) {
            x = b.forward(tape, x);
        }
        return x;
    }

    /** The frozen encoder with these weights (from the set's state dict). */
    public static AudioVisualEncoder toEncoder(ParamSet set, String source) {
        return AudioVisualEncoder.fromTensors(set.stateDict(), source);
    }
}
