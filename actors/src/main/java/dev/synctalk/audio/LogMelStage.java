package dev.synctalk.audio;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Streams audio chunks into the per-video-frame log-mel windows of SyncTalk's audio-visual encoder.
 *
 * <p>Window i covers mel frames {@code [s, s+W)} with {@code s = int(melFramesPerSecond * (i / fps))}
 * (80 * i / 25 by default), shifted back to {@code melFrames - W} where it would run past the end; there
 * is one window per video frame the audio covers, {@code ceil(samples / samplesPerFrame)}. A window is
 * emitted as soon as all its mel frames are computable, so only a few frames of audio are held; the
 * windows near the end, whose STFT frames reflect at the end of the signal, come out at finish.
 *
 * <p>Resume: the stage learns its absolute sample position from the first chunk's frame index, and
 * emits only windows whose every input sample (the pre-emphasis predecessor and the STFT context
 * included) it has seen, so whatever it emits equals the uninterrupted run bit for bit. Two frames of
 * lookback cover the context of the first window to be recomputed.
 */
public final class LogMelStage implements Stage {

    public record Config(
            @Param(defaultValue = "800", doc = "STFT size in samples", min = 16, max = 65536) int nFft,
            @Param(defaultValue = "200", doc = "STFT hop in samples", min = 1, max = 65536) int hop,
            @Param(defaultValue = "800", doc = "Hann window length in samples", min = 16, max = 65536) int win,
            @Param(defaultValue = "80", doc = "mel bands", min = 1, max = 512) int mels,
            @Param(defaultValue = "55", doc = "lowest mel filter edge, Hz", min = 0, max = 96000) double fmin,
            @Param(defaultValue = "7600", doc = "highest mel filter edge, Hz", min = 0, max = 96000) double fmax,
            @Param(defaultValue = "0.97", doc = "pre-emphasis coefficient", min = 0, max = 1) double preemphasis,
            @Param(defaultValue = "20", doc = "reference level subtracted from the dB values") double refDb,
            @Param(defaultValue = "-100", doc = "amplitude floor in dB (and normalisation minimum)") double minDb,
            @Param(defaultValue = "4", doc = "output range is [-max-abs, max-abs]", min = 0) double maxAbs,
            @Param(defaultValue = "16", doc = "mel frames per window (per video frame)", min = 1, max = 1024) int windowFrames,
            @Param(defaultValue = "25", doc = "video frame rate the windows follow", min = 1, max = 240) double fps,
            @Param(defaultValue = "16000", doc = "expected sample rate of the input chunks, Hz", min = 8000, max = 192000) int sampleRate) {

        public LogMelSpectrogram.Settings spectrogramSettings() {
            return new LogMelSpectrogram.Settings(sampleRate, nFft, hop, win, mels, fmin, fmax, preemphasis, refDb,
                    minDb, maxAbs);
        }
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("log-mel", "Wav2Lip/SyncTalk normalised log-mel spectrogram, one 80x16 window per video frame",
                    Config.class,
                    List.of(PortSpec.of("in", AudioChunk.class, "mono audio, one chunk per video frame")),
                    List.of(PortSpec.of("windows", MelWindow.class, "normalised log-mel window [mels][window-frames]")));
        }

        /** Two video frames (1280 samples at 16 kHz) cover pre-emphasis and half an STFT frame of context. */
        @Override
        public int lookbackFrames() {
            return 2;
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new LogMelStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final LogMelSpectrogram spectrogram;
    private final int samplesPerFrame;
    private final int halfFft;
    private final int hop;

    /** Raw input samples from absolute position {@code bufferStart}; pre-emphasis is applied on gathering. */
    private float[] buffer = new float[4096];
    private long bufferStart;
    private int buffered;

    private boolean started;
    private long firstChunk;
    private long nextChunk;
    private boolean shortChunkSeen;
    /** First sample whose pre-emphasised value is known: 0 at the very start, else one past the first seen. */
    private long firstKnownY;
    private long received;
    private long firstComputableMelFrame;
    private long nextMelFrame;
    private long nextWindow;
    private final TreeMap<Long, float[]> melFrames = new TreeMap<>();
    private final double[] frame;

    private LogMelStage(Config config, StageContext context) {
        this.config = config;
        this.context = context;
        this.spectrogram = new LogMelSpectrogram(config.spectrogramSettings());
        double perFrame = config.sampleRate() / config.fps();
        if (!(config.fps() > 0) || perFrame != Math.rint(perFrame)) {
            throw new IllegalArgumentException("log-mel '" + context.stageName() + "': sample-rate "
                    + config.sampleRate() + " / fps " + config.fps() + " = " + perFrame
                    + " samples per video frame is not a whole number");
        }
        if (config.windowFrames() <= 0) {
            throw new IllegalArgumentException("log-mel '" + context.stageName() + "': window-frames must be positive");
        }
        this.samplesPerFrame = (int) perFrame;
        this.halfFft = config.nFft() / 2;
        this.hop = config.hop();
        this.frame = new double[config.nFft()];
    }

    @Override
    public void process(Inputs in, Emitter out) {
        AudioChunk chunk = (AudioChunk) in.only();
        accept(chunk);
        computeStreamableMelFrames();
        while (canEmitWhileStreaming(nextWindow)) {
            emitWindow(nextWindow, windowStart(nextWindow), out);
            nextWindow++;
        }
        dropUnneeded();
    }

    @Override
    public void finish(Emitter out) {
        if (!started) {
            context.log().warn("log-mel '{}': no audio arrived, no windows emitted", context.stageName());
            return;
        }
        long length = received;
        long totalMelFrames = spectrogram.melFrameCount(length);
        int w = config.windowFrames();
        if (totalMelFrames < w) {
            throw new IllegalStateException("log-mel '" + context.stageName() + "': audio too short: " + length
                    + " samples give " + totalMelFrames + " mel frames, a window needs " + w);
        }
        for (long m = nextMelFrame; m < totalMelFrames; m++) {
            if (gather(m, length)) {
                melFrames.put(m, spectrogram.melFrame(frame));
            }
        }
        long windows = ceilDiv(length, samplesPerFrame);
        long skipped = 0;
        for (long i = nextWindow; i < windows; i++) {
            long start = Math.min(windowStart(i), totalMelFrames - w);
            if (start >= firstComputableMelFrame && haveMelFrames(start, w)) {
                emitWindow(i, start, out);
            } else {
                skipped++;
            }
        }
        if (skipped > 0) {
            context.log().warn("log-mel '{}': {} end windows need audio before the resume point (sample {}) and were not"
                    + " emitted", context.stageName(), skipped, firstKnownY);
        }
        nextWindow = windows;
    }

    private void accept(AudioChunk chunk) {
        if (chunk.sampleRateHz() != config.sampleRate()) {
            throw new IllegalArgumentException("log-mel '" + context.stageName() + "': chunk " + chunk.frameIndex()
                    + " is at " + chunk.sampleRateHz() + " Hz, the stage expects sample-rate " + config.sampleRate());
        }
        if (!started) {
            started = true;
            firstChunk = chunk.frameIndex();
            nextChunk = firstChunk;
            long firstSample = firstChunk * samplesPerFrame;
            bufferStart = firstSample;
            received = firstSample;
            firstKnownY = firstSample == 0 ? 0 : firstSample + 1;
            firstComputableMelFrame = firstSample == 0 ? 0 : ceilDiv(firstKnownY + halfFft, hop);
            nextMelFrame = firstComputableMelFrame;
            nextWindow = firstWindowStartingAtOrAfter(firstComputableMelFrame);
        }
        if (chunk.frameIndex() != nextChunk) {
            throw new IllegalStateException("log-mel '" + context.stageName() + "': audio chunk " + chunk.frameIndex()
                    + " arrived, expected chunk " + nextChunk + " (chunks must be contiguous)");
        }
        if (shortChunkSeen) {
            throw new IllegalStateException("log-mel '" + context.stageName() + "': chunk " + chunk.frameIndex()
                    + " follows a short chunk; only the last chunk may hold fewer than " + samplesPerFrame + " samples");
        }
        if (chunk.samples().length > samplesPerFrame) {
            throw new IllegalArgumentException("log-mel '" + context.stageName() + "': chunk " + chunk.frameIndex()
                    + " holds " + chunk.samples().length + " samples, more than " + samplesPerFrame + " per frame");
        }
        shortChunkSeen = chunk.samples().length < samplesPerFrame;
        nextChunk++;
        float[] samples = chunk.samples();
        if (buffered + samples.length > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, buffered + samples.length));
        }
        System.arraycopy(samples, 0, buffer, buffered, samples.length);
        buffered += samples.length;
        received += samples.length;
    }

    private void computeStreamableMelFrames() {
        while (gather(nextMelFrame, -1)) {
            melFrames.put(nextMelFrame, spectrogram.melFrame(frame));
            nextMelFrame++;
        }
    }

    /**
     * Fills {@link #frame} with the pre-emphasised samples of mel frame {@code m}, reflect-padded as
     * librosa's centred STFT does. {@code knownLength < 0} means the signal may go on: samples past what
     * has arrived are unavailable rather than reflected.
     * @return false when some needed sample has not been seen (or lies before the resume point)
     */
    private boolean gather(long m, long knownLength) {
        long start = m * hop - halfFft;
        for (int t = 0; t < frame.length; t++) {
            long j = start + t;
            long idx;
            if (knownLength < 0) {
                idx = j < 0 ? -j : j;
                if (idx >= received) {
                    return false;
                }
            } else {
                idx = LogMelSpectrogram.reflectIndex(j, knownLength);
            }
            if (idx < firstKnownY) {
                return false;
            }
            frame[t] = idx == 0 ? sample(0)
                    : LogMelSpectrogram.preemphasised(sample(idx), sample(idx - 1), config.preemphasis());
        }
        return true;
    }

    private float sample(long absoluteIndex) {
        return buffer[(int) (absoluteIndex - bufferStart)];
    }

    private boolean canEmitWhileStreaming(long i) {
        long start = windowStart(i);
        // i * samplesPerFrame < received: the audio reaches video frame i, so the window is one of the output.
        return i * samplesPerFrame < received && start >= firstComputableMelFrame
                && start + config.windowFrames() <= nextMelFrame;
    }

    private boolean haveMelFrames(long start, int count) {
        for (long m = start; m < start + count; m++) {
            if (!melFrames.containsKey(m)) {
                return false;
            }
        }
        return true;
    }

    private void emitWindow(long i, long start, Emitter out) {
        int mels = config.mels();
        int w = config.windowFrames();
        float[] data = new float[mels * w];
        for (int t = 0; t < w; t++) {
            float[] melFrame = melFrames.get(start + t);
            for (int m = 0; m < mels; m++) {
                data[m * w + t] = melFrame[m];
            }
        }
        out.emit("windows", new MelWindow(i, mels, w, data));
    }

    /** Keeps mel frames a pending end window may still be shifted back onto, and the samples still needed. */
    private void dropUnneeded() {
        long keepMelFrom = windowStart(nextWindow) - config.windowFrames();
        melFrames.headMap(keepMelFrom).clear();
        // Samples: the next mel frame's context with its pre-emphasis predecessor, and always the last
        // n-fft + 1 samples for the reflection at the end.
        long keepFrom = Math.min(nextMelFrame * hop - halfFft - 1, received - config.nFft() - 2);
        keepFrom = Math.max(keepFrom, bufferStart);
        int drop = (int) (keepFrom - bufferStart);
        if (drop > buffer.length / 2) {
            System.arraycopy(buffer, drop, buffer, 0, buffered - drop);
            buffered -= drop;
            bufferStart = keepFrom;
        }
    }

    /** Python's {@code int(80. * (i / fps))}, evaluated in the same order so the integer parts agree. */
    private long windowStart(long i) {
        return (long) Math.floor(spectrogram.settings().melFramesPerSecond() * (i / config.fps()));
    }

    private long firstWindowStartingAtOrAfter(long melFrame) {
        long i = Math.max(0, (long) Math.floor(melFrame / spectrogram.settings().melFramesPerSecond() * config.fps()) - 2);
        while (windowStart(i) < melFrame) {
            i++;
        }
        return i;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
