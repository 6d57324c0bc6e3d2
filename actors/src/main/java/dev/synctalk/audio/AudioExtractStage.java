package dev.synctalk.audio;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.video.NativeMedia;
import dev.synctalk.engine.stage.AbstractStageType;
import dev.synctalk.video.ConstantRateTimeline;
import dev.synctalk.video.MediaLogging;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Reads the audio of a file (an audio file, or the audio track of a video), resampled by FFmpeg to mono
 * float at {@code sample-rate}, and cuts it into one chunk per video frame: chunk i holds samples
 * {@code [i*S, (i+1)*S)} with {@code S = sample-rate / fps}. With {@code video} given, the audio is
 * trimmed or zero-padded to exactly that video's frame count, so audio and frames line up one to one.
 */
public final class AudioExtractStage implements Stage {

    public record Config(
            @Param(doc = "audio file, or a video whose audio track is used") Path path,
            @Param(defaultValue = "16000", doc = "output sample rate, Hz") int sampleRate,
            @Param(defaultValue = "25", doc = "video frame rate: one chunk per video frame") double fps,
            @Param(defaultValue = Param.NONE, doc = "video whose frame count (at fps) the audio is trimmed or padded to") Path video,
            @Param(defaultValue = "false", doc = "fail instead of warning when the audio is silent (training data needs speech)") boolean requireSound) {
    }

    public static final class Type extends AbstractStageType<Config> {
        public Type() {
            super("audio-extract", "mono audio resampled with FFmpeg, one chunk per video frame",
                    Config.class,
                    List.of(),
                    List.of(PortSpec.of("samples", AudioChunk.class, "sample-rate / fps mono samples per video frame")));
            NativeMedia.load();
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new AudioExtractStage(config, context);
        }
    }

    static {
        MediaLogging.quietFfmpeg();
    }

    private final Config config;
    private final StageContext context;
    private final FFmpegFrameGrabber grabber;
    private final int samplesPerChunk;
    /** Chunks to emit in total when a video fixes the count, else -1 (until the audio ends). */
    private final long chunkLimit;
    private final long chunkEstimate;

    private long nextChunk;
    /** Absolute position of the next decoded sample; samples before {@code skipUntil} are dropped (seek). */
    private long decodedPosition;
    private long skipUntil;
    private float[] pending;
    private int pendingCount;
    private boolean audioEnded;
    private boolean anyNonZero;
    private long emittedAudioSamples;

    private AudioExtractStage(Config config, StageContext context) throws Exception {
        this.config = config;
        this.context = context;
        String name = "audio-extract '" + context.stageName() + "'";
        if (config.sampleRate() <= 0 || !(config.fps() > 0)) {
            throw new IllegalArgumentException(name + ": sample-rate and fps must be positive");
        }
        double perChunk = config.sampleRate() / config.fps();
        if (perChunk != Math.rint(perChunk)) {
            throw new IllegalArgumentException(name + ": sample-rate " + config.sampleRate() + " / fps " + config.fps()
                    + " = " + perChunk + " samples per video frame is not a whole number");
        }
        samplesPerChunk = (int) perChunk;
        pending = new float[samplesPerChunk * 4];
        Path path = config.path();
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(name + ": audio file not found: " + path.toAbsolutePath());
        }
        if (config.video() != null) {
            if (!Files.isRegularFile(config.video())) {
                throw new IllegalArgumentException(name + ": video file not found: " + config.video().toAbsolutePath());
            }
            try {
                chunkLimit = ConstantRateTimeline.frameCount(config.video(), config.fps());
            } catch (FrameGrabber.Exception | IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": cannot read the frame count of video " + config.video()
                        + ": " + e.getMessage(), e);
            }
        } else {
            chunkLimit = -1;
        }
        grabber = new FFmpegFrameGrabber(path.toFile());
        grabber.setSampleRate(config.sampleRate());
        grabber.setAudioChannels(1);
        grabber.setSampleFormat(avutil.AV_SAMPLE_FMT_FLT);
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            grabber.close();
            throw new IllegalArgumentException(name + ": cannot open " + path + " as audio: " + e.getMessage(), e);
        }
        if (!grabber.hasAudio()) {
            grabber.close();
            throw new IllegalArgumentException(name + ": " + path + " has no audio track: pass an audio file (e.g. a"
                    + " .wav) as path, or a video that carries its speech");
        }
        chunkEstimate = chunkLimit >= 0 ? chunkLimit
                : (long) Math.ceil(grabber.getLengthInTime() / 1e6 * config.fps());
        context.progress().total(chunkEstimate, "frames");
    }

    /**
     * Starts at chunk {@code fromFrameIndex}. The audio is decoded and resampled from the start and the
     * earlier samples dropped: a timestamp seek would land on a codec frame boundary with a fresh
     * resampler, and the samples would differ from those of an uninterrupted run. Decoding audio is cheap.
     */
    @Override
    public void seek(long fromFrameIndex) {
        if (fromFrameIndex <= 0) {
            return;
        }
        nextChunk = fromFrameIndex;
        skipUntil = fromFrameIndex * samplesPerChunk;
        context.progress().total(Math.max(0, chunkEstimate - fromFrameIndex), "frames");
    }

    @Override
    public boolean produce(Emitter out) throws Exception {
        if (chunkLimit >= 0 && nextChunk >= chunkLimit) {
            finishSource();
            return false;
        }
        while (pendingCount < samplesPerChunk && !audioEnded) {
            decodeMore();
        }
        if (pendingCount == 0 && audioEnded && chunkLimit < 0) {
            finishSource();
            return false;
        }
        int taken = Math.min(pendingCount, samplesPerChunk);
        // With a video fixing the count, a short or missing tail is padded with silence.
        float[] samples = new float[chunkLimit >= 0 ? samplesPerChunk : taken];
        System.arraycopy(pending, 0, samples, 0, taken);
        emittedAudioSamples += taken;
        System.arraycopy(pending, taken, pending, 0, pendingCount - taken);
        pendingCount -= taken;
        out.emit("samples", new AudioChunk(nextChunk, config.sampleRate(), samples));
        context.progress().advance(1);
        nextChunk++;
        return true;
    }

    private void decodeMore() throws FrameGrabber.Exception {
        Frame frame = grabber.grabSamples();
        if (frame == null) {
            audioEnded = true;
            return;
        }
        if (frame.samples == null || frame.samples.length == 0) {
            return;
        }
        FloatBuffer buffer = ((FloatBuffer) frame.samples[0]).duplicate();
        int count = buffer.remaining();
        int skip = (int) Math.max(0, Math.min(count, skipUntil - decodedPosition));
        decodedPosition += count;
        int keep = count - skip;
        if (keep == 0) {
            return;
        }
        if (pendingCount + keep > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingCount + keep));
        }
        buffer.position(buffer.position() + skip);
        buffer.get(pending, pendingCount, keep);
        for (int i = pendingCount; i < pendingCount + keep; i++) {
            anyNonZero |= pending[i] != 0f;
        }
        pendingCount += keep;
    }

    private void finishSource() {
        if (!anyNonZero && emittedAudioSamples > 0 && config.requireSound()) {
            throw new IllegalStateException("the audio of " + config.path() + " is silent (all samples are zero):"
                    + " a talking-head model learns lip sync from speech; give the speech with -Paudio=FILE");
        }
        if (!anyNonZero && emittedAudioSamples > 0) {
            context.log().warn("audio-extract '{}': the audio of {} is all zeros (silent): the model will learn nothing"
                    + " from it", context.stageName(), config.path());
        }
        long paddedSamples = chunkLimit >= 0 ? (chunkLimit - skipUntil / samplesPerChunk) * samplesPerChunk
                - emittedAudioSamples : 0;
        if (paddedSamples > samplesPerChunk) {
            context.log().warn("audio-extract '{}': the audio of {} is {} s shorter than video {}: padded with silence",
                    context.stageName(), config.path(), paddedSamples / (double) config.sampleRate(), config.video());
        }
        if (emittedAudioSamples == 0 && nextChunk == 0) {
            context.log().warn("audio-extract '{}': {} yielded no audio samples", context.stageName(), config.path());
        }
    }

    @Override
    public void close() throws FrameGrabber.Exception {
        grabber.close();
    }
}
