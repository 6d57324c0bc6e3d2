package dev.synctalk.audio;

/**
 * Wav2Lip's (and so SyncTalk's) normalised log-mel spectrogram, computed in double and returned as
 * float: pre-emphasis, centred STFT with reflect padding and a periodic Hann window, magnitude, librosa's
 * Slaney mel filters (htk=False, norm='slaney'), amplitude to dB with a floor, minus the reference
 * level, then symmetric clipping normalisation to [-maxAbs, maxAbs].
 *
 * <p>Every mel frame is a pure function of the pre-emphasised samples under its window, so a frame
 * computed from a stream equals the same frame computed from the whole signal bit for bit; the
 * streaming stage relies on that.
 */
public final class LogMelSpectrogram {

    /** The numbers that define the transform; the defaults are Wav2Lip's hparams. */
    public record Settings(int sampleRateHz, int nFft, int hopSamples, int windowSamples, int melBands,
            double fminHz, double fmaxHz, double preemphasis, double refLevelDb, double minLevelDb,
            double maxAbsValue) {
        public static Settings wav2lip() {
            return new Settings(16000, 800, 200, 800, 80, 55, 7600, 0.97, 20, -100, 4);
        }

        public Settings {
            if (sampleRateHz <= 0 || nFft <= 0 || hopSamples <= 0 || melBands <= 0) {
                throw new IllegalArgumentException("log-mel: sample rate, n-fft, hop and mels must be positive: " + this);
            }
            if (nFft % 2 != 0) {
                throw new IllegalArgumentException("log-mel: n-fft must be even (centred frames), got " + nFft);
            }
            if (windowSamples <= 0 || windowSamples > nFft) {
                throw new IllegalArgumentException("log-mel: win must be in [1, n-fft], got " + windowSamples);
            }
            if (!(fminHz >= 0 && fminHz < fmaxHz && fmaxHz <= sampleRateHz / 2.0)) {
                throw new IllegalArgumentException("log-mel: need 0 <= fmin < fmax <= sample-rate/2, got fmin "
                        + fminHz + ", fmax " + fmaxHz + " at " + sampleRateHz + " Hz");
            }
            if (!(minLevelDb < 0) || !(maxAbsValue > 0)) {
                throw new IllegalArgumentException("log-mel: min-db must be negative and max-abs positive: " + this);
            }
        }

        public int bins() {
            return nFft / 2 + 1;
        }

        /** Mel frames per second of audio (80 for Wav2Lip). */
        public double melFramesPerSecond() {
            return sampleRateHz / (double) hopSamples;
        }
    }

    private final Settings settings;
    private final double[] window;
    private final double[][] melFilters;
    private final int[] filterFirstBin;
    private final int[] filterLastBin;
    private final MixedRadixFft fft;
    private final double minAmplitude;
    private final double[] re;
    private final double[] im;
    private final double[] spectrumRe;
    private final double[] spectrumIm;

    public LogMelSpectrogram(Settings settings) {
        this.settings = settings;
        this.window = centredPeriodicHann(settings.windowSamples(), settings.nFft());
        this.melFilters = slaneyMelFilterbank(settings.sampleRateHz(), settings.nFft(), settings.melBands(),
                settings.fminHz(), settings.fmaxHz());
        // The filters are sparse triangles: remember where each is non-zero so frames skip the zeros.
        filterFirstBin = new int[settings.melBands()];
        filterLastBin = new int[settings.melBands()];
        for (int m = 0; m < settings.melBands(); m++) {
            int first = -1;
            int last = -2;
            for (int k = 0; k < settings.bins(); k++) {
                if (melFilters[m][k] != 0) {
                    if (first < 0) {
                        first = k;
                    }
                    last = k;
                }
            }
            filterFirstBin[m] = Math.max(first, 0);
            filterLastBin[m] = last;
        }
        this.fft = new MixedRadixFft(settings.nFft());
        this.minAmplitude = Math.pow(10, settings.minLevelDb() / 20);
        this.re = new double[settings.nFft()];
        this.im = new double[settings.nFft()];
        this.spectrumRe = new double[settings.nFft()];
        this.spectrumIm = new double[settings.nFft()];
    }

    public Settings settings() {
        return settings;
    }

    /** {@code y[n] = x[n] - k * x[n-1]} (scipy lfilter([1, -k], [1], x)); the first sample has no predecessor. */
    public static double preemphasised(float sample, float previous, double coefficient) {
        return (double) sample - coefficient * (double) previous;
    }

    /** The mel frame count librosa's centred STFT gives for {@code samples} samples. */
    public long melFrameCount(long samples) {
        return 1 + samples / settings.hopSamples();
    }

    /**
     * Index into a signal of {@code length} samples for position {@code j} of the reflect-padded signal
     * (numpy.pad mode 'reflect': the edge sample is not repeated; repeated for pads longer than the signal).
     */
    public static long reflectIndex(long j, long length) {
        if (length == 1) {
            return 0;
        }
        long period = 2 * (length - 1);
        long r = Math.floorMod(j, period);
        return r >= length ? period - r : r;
    }

    /** Batch reference: all normalised mel frames [melFrames][melBands] of a whole signal. */
    public float[][] melFrames(float[] signal) {
        if (signal.length == 0) {
            throw new IllegalArgumentException("log-mel: empty signal");
        }
        int frames = (int) melFrameCount(signal.length);
        float[][] out = new float[frames][];
        double[] frame = new double[settings.nFft()];
        int half = settings.nFft() / 2;
        for (int m = 0; m < frames; m++) {
            long start = (long) m * settings.hopSamples() - half;
            for (int t = 0; t < frame.length; t++) {
                int idx = (int) reflectIndex(start + t, signal.length);
                frame[t] = idx == 0 ? signal[0] : preemphasised(signal[idx], signal[idx - 1], settings.preemphasis());
            }
            out[m] = melFrame(frame);
        }
        return out;
    }

    /**
     * One normalised mel frame from the {@code nFft} pre-emphasised samples centred on it (before
     * windowing). The argument is not modified.
     */
    public float[] melFrame(double[] preemphasisedFrame) {
        double[] magnitude = magnitudeSpectrum(preemphasisedFrame);
        float[] out = new float[settings.melBands()];
        for (int m = 0; m < out.length; m++) {
            double sum = 0;
            double[] filter = melFilters[m];
            for (int k = filterFirstBin[m]; k <= filterLastBin[m]; k++) {
                sum += filter[k] * magnitude[k];
            }
            out[m] = (float) normalise(sum);
        }
        return out;
    }

    /** |STFT| of one frame: window, FFT, magnitude of bins 0..nFft/2. */
    public double[] magnitudeSpectrum(double[] preemphasisedFrame) {
        if (preemphasisedFrame.length != settings.nFft()) {
            throw new IllegalArgumentException("log-mel: frame has " + preemphasisedFrame.length
                    + " samples, n-fft is " + settings.nFft());
        }
        for (int t = 0; t < re.length; t++) {
            re[t] = preemphasisedFrame[t] * window[t];
            im[t] = 0;
        }
        fft.forward(re, im, spectrumRe, spectrumIm);
        double[] magnitude = new double[settings.bins()];
        for (int k = 0; k < magnitude.length; k++) {
            magnitude[k] = Math.hypot(spectrumRe[k], spectrumIm[k]);
        }
        return magnitude;
    }

    /** dB relative to the reference level, then Wav2Lip's symmetric clipped normalisation. */
    public double normalise(double melAmplitude) {
        double db = 20 * Math.log10(Math.max(minAmplitude, melAmplitude)) - settings.refLevelDb();
        double maxAbs = settings.maxAbsValue();
        double scaled = 2 * maxAbs * ((db - settings.minLevelDb()) / -settings.minLevelDb()) - maxAbs;
        return Math.max(-maxAbs, Math.min(maxAbs, scaled));
    }

    /** The analysis window: periodic Hann (scipy get_window fftbins=True) of windowSamples, centred in nFft. */
    static double[] centredPeriodicHann(int windowSamples, int nFft) {
        double[] w = new double[nFft];
        int offset = (nFft - windowSamples) / 2;
        for (int n = 0; n < windowSamples; n++) {
            w[offset + n] = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / windowSamples);
        }
        return w;
    }

    /** librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm='slaney'), in double. */
    public static double[][] slaneyMelFilterbank(int sampleRateHz, int nFft, int melBands, double fminHz, double fmaxHz) {
        int bins = nFft / 2 + 1;
        double[] fftFreqs = new double[bins];
        double binStep = (sampleRateHz / 2.0) / (bins - 1);
        for (int k = 0; k < bins; k++) {
            fftFreqs[k] = k * binStep;
        }
        // librosa.mel_frequencies: n_mels + 2 points evenly spaced on the mel scale (numpy.linspace).
        int points = melBands + 2;
        double minMel = hzToMelSlaney(fminHz);
        double maxMel = hzToMelSlaney(fmaxHz);
        double melStep = (maxMel - minMel) / (points - 1);
        double[] melHz = new double[points];
        for (int i = 0; i < points; i++) {
            double mel = i == points - 1 ? maxMel : minMel + i * melStep;
            melHz[i] = melToHzSlaney(mel);
        }
        double[][] weights = new double[melBands][bins];
        for (int i = 0; i < melBands; i++) {
            double lowerWidth = melHz[i + 1] - melHz[i];
            double upperWidth = melHz[i + 2] - melHz[i + 1];
            double areaNorm = 2.0 / (melHz[i + 2] - melHz[i]);
            for (int k = 0; k < bins; k++) {
                double lower = -(melHz[i] - fftFreqs[k]) / lowerWidth;
                double upper = (melHz[i + 2] - fftFreqs[k]) / upperWidth;
                weights[i][k] = Math.max(0, Math.min(lower, upper)) * areaNorm;
            }
        }
        return weights;
    }

    private static final double SLANEY_HZ_PER_MEL = 200.0 / 3;
    private static final double SLANEY_LOG_START_HZ = 1000.0;
    private static final double SLANEY_LOG_START_MEL = SLANEY_LOG_START_HZ / SLANEY_HZ_PER_MEL;
    private static final double SLANEY_LOG_STEP = Math.log(6.4) / 27.0;

    /** librosa.hz_to_mel(htk=False): linear below 1 kHz (15 mels there), logarithmic above. */
    public static double hzToMelSlaney(double hz) {
        if (hz >= SLANEY_LOG_START_HZ) {
            return SLANEY_LOG_START_MEL + Math.log(hz / SLANEY_LOG_START_HZ) / SLANEY_LOG_STEP;
        }
        return hz / SLANEY_HZ_PER_MEL;
    }

    /** librosa.mel_to_hz(htk=False), the inverse of {@link #hzToMelSlaney}. */
    public static double melToHzSlaney(double mel) {
        if (mel >= SLANEY_LOG_START_MEL) {
            return SLANEY_LOG_START_HZ * Math.exp(SLANEY_LOG_STEP * (mel - SLANEY_LOG_START_MEL));
        }
        return mel * SLANEY_HZ_PER_MEL;
    }
}
