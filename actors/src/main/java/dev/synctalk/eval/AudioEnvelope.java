package dev.synctalk.eval;

/**
 * The energy envelope of speech per video frame: the RMS of the samples of frame k,
 * [k * rate / fps, (k + 1) * rate / fps), in dB (20 log10(rms + 1e-4), so silence sits at -80 dB rather
 * than -infinity). Frames past the end of the audio have NaN.
 */
public final class AudioEnvelope {
    private final float[] samples;
    private final double samplesPerFrame;

    public AudioEnvelope(float[] samples, int sampleRateHz, double fps) {
        if (sampleRateHz <= 0 || !(fps > 0)) {
            throw new IllegalArgumentException("audio envelope needs a positive sample rate and fps, got " + sampleRateHz
                    + " Hz and " + fps + " fps");
        }
        this.samples = samples;
        this.samplesPerFrame = sampleRateHz / fps;
    }

    /** Frames the audio covers (a partial last frame counts). */
    public int frames() {
        return (int) Math.ceil(samples.length / samplesPerFrame);
    }

    public double energyDb(int frame) {
        int from = (int) Math.round(frame * samplesPerFrame);
        int to = Math.min(samples.length, (int) Math.round((frame + 1) * samplesPerFrame));
        if (frame < 0 || from >= to) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) samples[i] * samples[i];
        }
        return 20 * Math.log10(Math.sqrt(sum / (to - from)) + 1e-4);
    }

    /** The samples of frame k, zeros past the end: for the report's video. */
    public float[] samples(int frame) {
        int from = (int) Math.round(frame * samplesPerFrame);
        int to = (int) Math.round((frame + 1) * samplesPerFrame);
        float[] out = new float[to - from];
        for (int i = from; i < to; i++) {
            if (i >= 0 && i < samples.length) {
                out[i - from] = samples[i];
            }
        }
        return out;
    }
}
