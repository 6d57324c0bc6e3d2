package dev.synctalk.training;

import dev.synctalk.dataset.CameraIntrinsics;
import dev.synctalk.dataset.DatasetWriter;
import dev.synctalk.dataset.FramePose;
import dev.synctalk.dataset.NpyArray;
import dev.synctalk.dataset.ParsingClass;
import dev.synctalk.dataset.ParsingMap;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.image.FloatImage;
import dev.synctalk.nerf.fixture.SyntheticHeadFixture;
import dev.synctalk.portrait.FaceMask;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes the {@link SyntheticHeadFixture} as a SyncTalk-layout dataset, so that training and inference
 * run through the real dataset path: ori_imgs (+ .lms), gt_imgs, torso_imgs, parsing (head = every pixel
 * the head covers) and portrait face masks, bc.jpg, aud.wav, bs.npy, aud_ave.npy (the fixture's audio
 * features standing in for AVE features) and the transforms files with the fixture's poses in the
 * dataset convention ({@link NerfPoses#toDataset}).
 *
 * <p>Without a torso ({@link Settings#torso} false) the frames are the head over the fixture's constant
 * background, bc.jpg is that background and the torso images are fully transparent. With a torso the
 * dataset is {@link SyntheticHeadFixture#torsoView}'s: frames are head over torso over the ramp
 * background, bc.jpg is the ramp background, torso_imgs/N.png is the torso's colour with alpha 1 on the
 * torso (neck and shirt) and 0 elsewhere, as the reference's preprocessing writes them.
 *
 * <p>aud.wav is speech-like: a 16 kHz voiced signal (a 120-150 Hz glottal pulse train's harmonics with
 * two formant-like peaks, plus a little breath noise) whose amplitude follows the fixture's envelope,
 * the same envelope that opens the mouth, so that log-mel energy tells the model how open the mouth is.
 */
public final class FixtureDataset {
    public static final int SAMPLE_RATE_HZ = 16000;
    public static final int FPS = 25;
    /** Width of the fixture's per-frame audio features (written as aud_ave.npy). */
    public static final int FEATURE_DIM = 32;

    /**
     * @param seed  seed of the fixture's pose jitter and of the audio's noise
     * @param torso whether the frames show the fixture's torso over its ramp background (see the class doc)
     */
    public record Settings(int width, int height, int frames, long seed, boolean torso) {
        /** A dataset without a torso. */
        public Settings(int width, int height, int frames, long seed) {
            this(width, height, frames, seed, false);
        }

        public Settings {
            if (width < 8 || height < 8 || frames < 11) {
                throw new IllegalArgumentException("fixture dataset needs at least 8x8 pixels and 11 frames (one"
                        + " validation frame), got " + width + "x" + height + ", " + frames + " frames");
            }
        }
    }

    private FixtureDataset() {
    }

    public static SyncTalkDataset write(Path target, Settings settings) throws IOException {
        SyntheticHeadFixture fixture = new SyntheticHeadFixture(new SyntheticHeadFixture.Config(settings.width(),
                settings.height(), settings.frames(), FEATURE_DIM, settings.seed()));
        int w = settings.width();
        int h = settings.height();
        try (DatasetWriter writer = DatasetWriter.create(target)) {
            List<FramePose> poses = new ArrayList<>();
            float[] blendshapes = new float[settings.frames() * SyncTalkDataset.BLENDSHAPE_COUNT];
            float[] features = new float[settings.frames() * FEATURE_DIM];
            for (SyntheticHeadFixture.Frame f : fixture.frames()) {
                int id = f.index();
                FloatImage image;
                boolean[] head;
                FloatImage torso;
                if (settings.torso()) {
                    SyntheticHeadFixture.TorsoView view = fixture.torsoView(id);
                    image = new FloatImage(w, h, 3, view.full());
                    head = new boolean[w * h];
                    for (int p = 0; p < head.length; p++) {
                        head[p] = view.headMask()[p] > 0f;
                    }
                    torso = torsoImage(view, w, h);
                } else {
                    image = new FloatImage(w, h, 3, f.image().clone());
                    head = headPixels(f);
                    torso = FloatImage.blank(w, h, 4);
                }
                writer.writeOriginal(id, image);
                writer.writeGroundTruth(id, image);
                writer.writeTorso(id, torso);
                writer.writeLandmarks(id, landmarks(head, w, h));
                ParsingMap parsing = ParsingMap.filled(w, h, ParsingClass.BACKGROUND);
                float[] weights = new float[w * h];
                for (int p = 0; p < head.length; p++) {
                    if (head[p]) {
                        parsing.classes()[p] = ParsingClass.HEAD;
                        weights[p] = 1f;
                    }
                }
                writer.writeParsing(id, parsing);
                writer.writeFaceMask(id, new FaceMask(w, h, weights).toMaskImage());
                for (int k = 0; k < SyncTalkDataset.UPPER_FACE_COLUMNS.length; k++) {
                    blendshapes[id * SyncTalkDataset.BLENDSHAPE_COUNT + SyncTalkDataset.UPPER_FACE_COLUMNS[k]] =
                            f.expression()[k];
                }
                System.arraycopy(f.audioFeatures(), 0, features, id * FEATURE_DIM, FEATURE_DIM);
                poses.add(new FramePose(id, id, NerfPoses.toDataset(f.pose())));
            }
            float[] background = settings.torso() ? fixture.backgroundImage() : fixture.frames().get(0).background().clone();
            writer.writeBackground(new FloatImage(w, h, 3, background));
            writer.writeBlendshapes(NpyArray.ofFloats(new int[] {settings.frames(), SyncTalkDataset.BLENDSHAPE_COUNT},
                    blendshapes));
            writer.writeFile(DatasetAudioFeatures.AVE_FILE,
                    NpyArray.ofFloats(new int[] {settings.frames(), FEATURE_DIM}, features).toBytes());
            Path wav = Files.createTempFile("fixture-audio", ".wav");
            try {
                Files.write(wav, wavBytes(speech(settings.frames(), settings.seed())));
                writer.copyAudio(wav);
            } finally {
                Files.deleteIfExists(wav);
            }
            var camera = fixture.camera();
            return writer.commit(new CameraIntrinsics(camera.fx(), camera.fy(), camera.cx(), camera.cy(), w, h), poses);
        }
    }

    /** The torso image RGBA: the torso's colour where the torso is (alpha 1), transparent elsewhere. */
    static FloatImage torsoImage(SyntheticHeadFixture.TorsoView view, int w, int h) {
        float[] rgba = new float[w * h * 4];
        for (int p = 0; p < w * h; p++) {
            if (view.torsoMask()[p] > 0f) {
                System.arraycopy(view.torsoOverBackground(), 3 * p, rgba, 4 * p, 3);
                rgba[4 * p + 3] = 1f;
            }
        }
        return new FloatImage(w, h, 4, rgba);
    }

    /** Pixels the head covers: everything that is not the constant background. */
    static boolean[] headPixels(SyntheticHeadFixture.Frame f) {
        boolean[] head = new boolean[f.faceMask().length];
        for (int p = 0; p < head.length; p++) {
            for (int c = 0; c < 3; c++) {
                head[p] |= f.image()[3 * p + c] != f.background()[3 * p + c];
            }
        }
        return head;
    }

    /** 68 points on the ellipse inscribed in the head's bounding box (the fixture has no facial landmarks). */
    static float[][] landmarks(boolean[] head, int w, int h) {
        int minX = w;
        int maxX = -1;
        int minY = h;
        int maxY = -1;
        for (int p = 0; p < head.length; p++) {
            if (head[p]) {
                minX = Math.min(minX, p % w);
                maxX = Math.max(maxX, p % w);
                minY = Math.min(minY, p / w);
                maxY = Math.max(maxY, p / w);
            }
        }
        if (maxX < 0) {
            minX = 0;
            maxX = w - 1;
            minY = 0;
            maxY = h - 1;
        }
        float[][] points = new float[68][];
        for (int i = 0; i < 68; i++) {
            double a = 2 * Math.PI * i / 68;
            points[i] = new float[] {(float) ((minX + maxX) / 2.0 + (maxX - minX) / 2.0 * Math.cos(a)),
                (float) ((minY + maxY) / 2.0 + (maxY - minY) / 2.0 * Math.sin(a))};
        }
        return points;
    }

    /** The speech-like signal of {@code frames} video frames at 25 fps, samples in [-1, 1]. */
    public static float[] speech(int frames, long seed) {
        int perFrame = SAMPLE_RATE_HZ / FPS;
        float[] out = new float[frames * perFrame];
        SplittableRandom noise = new SplittableRandom(seed);
        double phase = 0;
        for (int n = 0; n < out.length; n++) {
            double t = (double) n / perFrame;
            int i = (int) Math.floor(t - 0.5);
            double frac = t - 0.5 - i;
            // the envelope at frame centres, interpolated linearly between them
            double env = (1 - frac) * SyntheticHeadFixture.envelope(Math.max(0, i))
                    + frac * SyntheticHeadFixture.envelope(Math.min(frames - 1, i + 1));
            double f0 = 120 + 30 * Math.sin(2 * Math.PI * n / (SAMPLE_RATE_HZ * 1.3));
            phase += 2 * Math.PI * f0 / SAMPLE_RATE_HZ;
            double voiced = 0;
            for (int k = 1; k <= 20; k++) {
                double hz = k * f0;
                double formants = Math.exp(-Math.pow((hz - 600) / 250, 2)) + 0.6 * Math.exp(-Math.pow((hz - 1700) / 400, 2))
                        + 0.05;
                voiced += formants * Math.sin(k * phase) / k;
            }
            double breath = 0.02 * (2 * noise.nextDouble() - 1);
            out[n] = (float) Math.max(-1, Math.min(1, (0.02 + 0.5 * env) * voiced + breath));
        }
        return out;
    }

    /** 16-bit PCM mono WAV at 16 kHz. */
    static byte[] wavBytes(float[] samples) {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + 2 * samples.length)
                .put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(SAMPLE_RATE_HZ).putInt(2 * SAMPLE_RATE_HZ).putShort((short) 2)
                .putShort((short) 16).put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .putInt(2 * samples.length);
        for (float s : samples) {
            b.putShort((short) Math.round(Math.max(-1, Math.min(1, s)) * 32767));
        }
        return b.array();
    }
}
