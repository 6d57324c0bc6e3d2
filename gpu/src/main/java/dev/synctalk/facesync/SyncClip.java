package dev.synctalk.facesync;

import dev.synctalk.nerf.audio.AudioVisualEncoder;

/**
 * One talking clip as the Face-Sync training sees it: per video frame (25 fps) the lower-face crop
 * aligned by the landmarks (RGB, [3, H, W], 8 bits per value) and the index of its 80 x 16 log-mel window
 * into the clip's mel spectrogram (80 mel frames per second: window i starts at floor(80 i / 25), shifted
 * back at the end, exactly as the log-mel stage and the AVE features compute it). Frames
 * [0, trainFrames) are for training; the rest are held out for evaluation.
 */
public final class SyncClip {
    private final String name;
    private final int cropHeight;
    private final int cropWidth;
    private final byte[][] crops;
    private final float[] mel;
    private final int melFrames;
    private final int[] windowStart;
    private final int trainFrames;

    /**
     * @param crops       per frame 3 * H * W bytes (CHW, value / 255 in [0, 1])
     * @param mel         the log-mel spectrogram, mel frame major: [melFrames][80]
     * @param windowStart per frame the first mel frame of its 16-frame window
     * @param trainFrames frames of the training part (the first ones)
     */
    public SyncClip(String name, int cropHeight, int cropWidth, byte[][] crops, float[] mel, int[] windowStart,
                    int trainFrames) {
        this.name = name;
        this.cropHeight = cropHeight;
        this.cropWidth = cropWidth;
        this.crops = crops;
        this.mel = mel;
        this.melFrames = mel.length / AudioVisualEncoder.MEL_BANDS;
        this.windowStart = windowStart;
        this.trainFrames = trainFrames;
        if (crops.length != windowStart.length) {
            throw new IllegalArgumentException("clip " + name + ": " + crops.length + " crops but " + windowStart.length
                    + " audio windows");
        }
        if (trainFrames < 0 || trainFrames > crops.length) {
            throw new IllegalArgumentException("clip " + name + ": " + trainFrames + " training frames of " + crops.length);
        }
        int cropBytes = 3 * cropHeight * cropWidth;
        for (int i = 0; i < crops.length; i++) {
            if (crops[i].length != cropBytes) {
                throw new IllegalArgumentException("clip " + name + ": crop " + i + " has " + crops[i].length
                        + " bytes, " + cropHeight + "x" + cropWidth + " RGB needs " + cropBytes);
            }
            if (windowStart[i] < 0 || windowStart[i] + AudioVisualEncoder.WINDOW_FRAMES > melFrames) {
                throw new IllegalArgumentException("clip " + name + ": mel window " + i + " starts at " + windowStart[i]
                        + ", outside the " + melFrames + " mel frames");
            }
        }
    }

    public String name() {
        return name;
    }

    public int frames() {
        return crops.length;
    }

    public int trainFrames() {
        return trainFrames;
    }

    public int cropHeight() {
        return cropHeight;
    }

    public int cropWidth() {
        return cropWidth;
    }

    public int cropFloats() {
        return 3 * cropHeight * cropWidth;
    }

    /** The same clip with another split point. */
    public SyncClip withTrainFrames(int train) {
        return new SyncClip(name, cropHeight, cropWidth, crops, mel, windowStart, train);
    }

    /** Writes frame {@code frame}'s crop as floats in [0, 1] at out[offset ..]. */
    public void copyCrop(int frame, float[] out, int offset) {
        byte[] c = crops[frame];
        for (int i = 0; i < c.length; i++) {
            out[offset + i] = (c[i] & 0xFF) / 255f;
        }
    }

    /** As {@link #copyCrop} with rows from H/2 down set to 0: what the generator sees of the frame itself. */
    public void copyMaskedCrop(int frame, float[] out, int offset) {
        copyCrop(frame, out, offset);
        int plane = cropHeight * cropWidth;
        for (int ch = 0; ch < 3; ch++) {
            java.util.Arrays.fill(out, offset + ch * plane + (cropHeight / 2) * cropWidth, offset + (ch + 1) * plane, 0f);
        }
    }

    /** Writes frame {@code frame}'s mel window [80][16] (bands major, as the AVE reads it) at out[offset ..]. */
    public void copyMelWindow(int frame, float[] out, int offset) {
        int start = windowStart[frame];
        int w = AudioVisualEncoder.WINDOW_FRAMES;
        for (int m = 0; m < AudioVisualEncoder.MEL_BANDS; m++) {
            for (int t = 0; t < w; t++) {
                out[offset + m * w + t] = mel[(start + t) * AudioVisualEncoder.MEL_BANDS + m];
            }
        }
    }

    /** Every frame's mel window, [frames, 1, 80, 16]. */
    public float[] melWindows(int from, int to) {
        int size = AudioVisualEncoder.MEL_BANDS * AudioVisualEncoder.WINDOW_FRAMES;
        float[] out = new float[(to - from) * size];
        for (int i = from; i < to; i++) {
            copyMelWindow(i, out, (i - from) * size);
        }
        return out;
    }

    @Override
    public String toString() {
        return "clip " + name + " (" + frames() + " frames, " + trainFrames + " for training)";
    }
}
