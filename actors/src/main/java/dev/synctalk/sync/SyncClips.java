package dev.synctalk.sync;

import dev.synctalk.audio.LogMelSpectrogram;
import dev.synctalk.audio.LogMelStage;
import dev.synctalk.dataset.DatasetException;
import dev.synctalk.dataset.DatasetLayout;
import dev.synctalk.dataset.Landmarks;
import dev.synctalk.encode.SpeechAudio;
import dev.synctalk.facesync.FaceSyncSampling;
import dev.synctalk.facesync.SyncClip;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.training.DatasetAudioFeatures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

/**
 * Talking clips on disk for the lip-sync expert and the AVE: a clip is a folder holding {@code aud.wav}
 * and {@code ori_imgs/N.jpg} with {@code ori_imgs/N.lms} (68 landmarks) for N = 0, 1, ... at 25 fps, the
 * files a SyncTalk dataset (preprocess.conf) or the light preprocess-lips.conf writes. A path given to
 * the training graphs is either such a folder or a folder of them (searched {@value #MAX_DEPTH} levels
 * deep, e.g. LRS2 preprocessed as {@code lrs2/<speaker>/<clip>/}).
 *
 * <p>The last {@code holdout} fraction of each clip's frames is held out of training (SyncTalk's own
 * validation split is the last 1/11) and used to evaluate the expert.
 */
public final class SyncClips {
    /** SyncTalk's validation split: the last 1/11 of the frames. */
    public static final double DEFAULT_HOLDOUT = 1.0 / 11;
    static final int MAX_DEPTH = 4;
    private static final int PER_FRAME_SAMPLES = 640;

    private SyncClips() {
    }

    /** A clip folder: its name in reports, its frame count and how many of those train. */
    public record ClipFolder(Path folder, String name, int frames, int trainFrames) {
    }

    /** Frames of the training part when the last {@code holdout} of {@code frames} is held out. */
    public static int trainFrames(int frames, double holdout) {
        if (!(holdout >= 0 && holdout < 1)) {
            throw new IllegalArgumentException("holdout must be in [0, 1), got " + holdout);
        }
        return frames - (int) Math.round(frames * holdout);
    }

    static boolean isClip(Path folder) {
        return Files.isRegularFile(folder.resolve(DatasetLayout.AUDIO))
                && Files.isRegularFile(folder.resolve(DatasetLayout.ORIGINAL_DIR).resolve("0.jpg"));
    }

    /**
     * The clips under the given paths that are long enough to train on
     * ({@link FaceSyncSampling#MIN_TRAIN_FRAMES} training frames), in path order within each; shorter ones
     * are passed to {@code skipped} (LRS2 has clips of a few frames). A path that is neither a clip nor holds
     * one is an error naming it, as is finding no usable clip at all.
     */
    public static List<ClipFolder> discover(List<Path> roots, double holdout, java.util.function.Consumer<ClipFolder> skipped)
            throws IOException {
        List<ClipFolder> usable = new ArrayList<>();
        List<ClipFolder> all = discover(roots, holdout);
        for (ClipFolder clip : all) {
            if (clip.trainFrames() >= FaceSyncSampling.MIN_TRAIN_FRAMES) {
                usable.add(clip);
            } else {
                skipped.accept(clip);
            }
        }
        if (usable.isEmpty()) {
            throw new DatasetException("none of the " + all.size() + " clip(s) under " + roots + " has the "
                    + FaceSyncSampling.MIN_TRAIN_FRAMES + " training frames the lip-sync training needs");
        }
        return usable;
    }

    /**
     * Every clip under the given paths, in path order within each; a path that is neither a clip nor holds
     * one is an error naming it.
     */
    public static List<ClipFolder> discover(List<Path> roots, double holdout) throws IOException {
        List<ClipFolder> out = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                throw new DatasetException("clip folder " + root + " does not exist");
            }
            List<Path> found = new ArrayList<>();
            if (isClip(root)) {
                found.add(root);
            } else {
                try (Stream<Path> walk = Files.walk(root, MAX_DEPTH)) {
                    walk.filter(Files::isDirectory).filter(SyncClips::isClip).sorted().forEach(found::add);
                }
            }
            if (found.isEmpty()) {
                throw new DatasetException(root + " holds no clip: a clip is a folder with " + DatasetLayout.AUDIO
                        + " and " + DatasetLayout.ORIGINAL_DIR + "/N.jpg + N.lms (preprocess-lips.conf writes one)");
            }
            for (Path folder : found) {
                String name = folder.equals(root) ? root.toString() : root.resolve(root.relativize(folder)).toString();
                int frames = Math.min(imageFrames(folder), audioFrames(folder));
                out.add(new ClipFolder(folder, name, frames, trainFrames(frames, holdout)));
            }
        }
        return out;
    }

    /** Frames 0, 1, ... that have both N.jpg and N.lms. */
    static int imageFrames(Path folder) {
        Path images = folder.resolve(DatasetLayout.ORIGINAL_DIR);
        int n = 0;
        while (Files.isRegularFile(images.resolve(n + ".jpg")) && Files.isRegularFile(images.resolve(n + ".lms"))) {
            n++;
        }
        return n;
    }

    static int audioFrames(Path folder) throws IOException {
        float[] samples = SpeechAudio.readMono(folder.resolve(DatasetLayout.AUDIO), 16000);
        return (samples.length + PER_FRAME_SAMPLES - 1) / PER_FRAME_SAMPLES;
    }

    /** Loads a clip's crops and mel spectrogram; {@code progress} is told each frame read. */
    public static SyncClip load(ClipFolder clip, int cropHeight, int cropWidth, IntConsumer progress)
            throws IOException {
        DatasetLayout layout = new DatasetLayout(clip.folder());
        List<float[][]> landmarks = new ArrayList<>(clip.frames());
        for (int i = 0; i < clip.frames(); i++) {
            landmarks.add(Landmarks.read(layout.landmarks(i)));
        }
        List<LowerFaceCrop.Box> boxes = smoothedBoxes(landmarks, clip.name());
        byte[][] crops = new byte[clip.frames()][];
        for (int i = 0; i < clip.frames(); i++) {
            crops[i] = LowerFaceCrop.crop(ImageFiles.read(layout.original(i)), boxes.get(i), cropHeight, cropWidth);
            progress.accept(i);
        }
        float[] audio = SpeechAudio.readMono(layout.audio(), 16000);
        return assemble(clip.name(), crops, audio, cropHeight, cropWidth, clip.trainFrames());
    }

    /**
     * Per frame the mouth opening the landmarks show: the inner lips' gap (points 62 to 66) over the jaw's
     * width (points 0 to 16), a scale-free number.
     */
    public static double[] mouthOpenings(ClipFolder clip) throws IOException {
        DatasetLayout layout = new DatasetLayout(clip.folder());
        double[] out = new double[clip.frames()];
        for (int i = 0; i < out.length; i++) {
            out[i] = mouthOpening(Landmarks.read(layout.landmarks(i)));
        }
        return out;
    }

    /** The inner lips' gap over the jaw's width of one frame's 68 landmarks. */
    public static double mouthOpening(float[][] landmarks) {
        double gap = Math.hypot(landmarks[66][0] - landmarks[62][0], landmarks[66][1] - landmarks[62][1]);
        double width = Math.hypot(landmarks[16][0] - landmarks[0][0], landmarks[16][1] - landmarks[0][1]);
        return width > 0 ? gap / width : 0;
    }

    private static List<LowerFaceCrop.Box> smoothedBoxes(List<float[][]> landmarks, String clip) {
        try {
            return LowerFaceCrop.smoothed(landmarks);
        } catch (IllegalArgumentException e) {
            throw new DatasetException("clip " + clip + ": " + e.getMessage(), e);
        }
    }

    /** A clip from frames in memory (tests, the sync-confidence API): crops by the landmarks, mel of the audio. */
    public static SyncClip fromFrames(String name, List<FloatImage> frames, List<float[][]> landmarks, float[] audio,
                                      int cropHeight, int cropWidth, int trainFrames) {
        if (frames.size() != landmarks.size()) {
            throw new IllegalArgumentException("clip " + name + ": " + frames.size() + " frames but " + landmarks.size()
                    + " landmark sets");
        }
        List<LowerFaceCrop.Box> boxes = smoothedBoxes(landmarks, name);
        byte[][] crops = new byte[frames.size()][];
        for (int i = 0; i < crops.length; i++) {
            crops[i] = LowerFaceCrop.crop(frames.get(i), boxes.get(i), cropHeight, cropWidth);
        }
        return assemble(name, crops, audio, cropHeight, cropWidth, trainFrames);
    }

    /** Joins crops and audio: as many frames as both cover, each with its mel window's start. */
    static SyncClip assemble(String name, byte[][] crops, float[] audio, int cropHeight, int cropWidth,
                             int trainFrames) {
        LogMelStage.Config config = DatasetAudioFeatures.melDefaults();
        LogMelSpectrogram spectrogram = new LogMelSpectrogram(config.spectrogramSettings());
        float[][] mel = spectrogram.melFrames(audio);
        int w = config.windowFrames();
        if (mel.length < w) {
            throw new DatasetException("clip " + name + ": its audio is too short (" + audio.length + " samples give "
                    + mel.length + " mel frames, one window needs " + w + ")");
        }
        int frames = Math.min(crops.length, (audio.length + PER_FRAME_SAMPLES - 1) / PER_FRAME_SAMPLES);
        int[] start = new int[frames];
        for (int i = 0; i < frames; i++) {
            // the same window start as DatasetAudioFeatures.melOf (and so the log-mel stage and aud_ave.npy)
            start[i] = (int) Math.min((long) Math.floor(spectrogram.settings().melFramesPerSecond() * (i / config.fps())),
                    mel.length - w);
        }
        int bands = config.mels();
        float[] flat = new float[mel.length * bands];
        for (int t = 0; t < mel.length; t++) {
            System.arraycopy(mel[t], 0, flat, t * bands, bands);
        }
        byte[][] used = java.util.Arrays.copyOf(crops, frames);
        return new SyncClip(name, cropHeight, cropWidth, used, flat, start, Math.min(trainFrames, frames));
    }
}
