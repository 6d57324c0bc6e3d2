package dev.synctalk.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.facesync.AveTrainer;
import dev.synctalk.facesync.FaceSyncBatches;
import dev.synctalk.facesync.FaceSyncSampling;
import dev.synctalk.facesync.FaceSyncSizes;
import dev.synctalk.facesync.SyncClip;
import dev.synctalk.facesync.SyncExpert;
import dev.synctalk.facesync.SyncExpertTrainer;
import dev.synctalk.facesync.SyncScoring;
import dev.synctalk.facesync.fixture.TalkingMouthFixture;
import dev.synctalk.gpu.conv.CpuConvOps;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.image.FloatImage;
import dev.synctalk.nerf.audio.AudioVisualEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Face-Sync Controller learns on a synthetic talking face whose mouth opens with the loudness of its
 * speech ({@link TalkingMouthFixture}; 300 frames, the last 20 % held out), through the real path:
 * landmark-aligned crops, log-mel windows, the CPU ops. Small networks (base 2 channels, 24 x 48 crops) and
 * few steps keep it to seconds; the CPU backend is bit-reproducible, so each run reaches the same numbers.
 *
 * <p>Bounds: the expert, after {@value #EXPERT_STEPS} steps, must place the audio offset of the held-out
 * frames at exactly 0 (out of -10..10) and reach a balanced in-sync / off-sync (shifted 5-10 frames)
 * accuracy of at least {@value #MIN_BALANCED_ACCURACY} (chance 0.5); the AVE, trained {@value #AVE_STEPS}
 * steps under that expert, must give features from which a linear probe predicts the held-out mouth
 * opening with r &gt;= {@value #MIN_PROBE_R} (a shuffled opening, the chance control, stays near 0). The
 * same probe on the untrained encoder is printed, not asserted: on this fixture the mouth follows the
 * loudness alone, which even random conv features carry linearly.
 */
class FaceSyncLearningTest {
    static final int FRAMES = 300;
    static final int EXPERT_STEPS = 120;
    static final int AVE_STEPS = 80;
    static final double MIN_BALANCED_ACCURACY = 0.6;
    static final double MIN_PROBE_R = 0.55;
    static final FaceSyncSizes SIZES = new FaceSyncSizes(2, 24, 48);

    @TempDir
    static Path dir;
    static CpuConvOps ops;
    static SyncClip clip;
    static double[] opening;
    static Path expertFile;
    static SyncScoring.Score expertScore;
    static TalkingMouthFixture fixture;
    static List<FloatImage> images;
    static List<float[][]> landmarks;

    @BeforeAll
    static void trainTheExpert() throws Exception {
        fixture = new TalkingMouthFixture(new TalkingMouthFixture.Config(FRAMES, 64, 64, 3));
        images = new ArrayList<>();
        landmarks = new ArrayList<>();
        opening = new double[FRAMES];
        for (int i = 0; i < FRAMES; i++) {
            TalkingMouthFixture.Frame f = fixture.frames().get(i);
            images.add(new FloatImage(64, 64, 3, f.image()));
            landmarks.add(f.landmarks());
            opening[i] = SyncClips.mouthOpening(f.landmarks());
        }
        clip = SyncClips.fromFrames("fixture", images, landmarks, fixture.audio(), 24, 48,
                SyncClips.trainFrames(FRAMES, 0.2));
        ops = new CpuConvOps(2);
        try (SyncExpertTrainer trainer = new SyncExpertTrainer(ops, new SyncExpertTrainer.Settings(SIZES, 1e-3, 1))) {
            for (int step = 0; step < EXPERT_STEPS; step++) {
                trainer.step(FaceSyncBatches.expert(List.of(clip),
                        FaceSyncSampling.expertSamples(new int[] {clip.trainFrames()}, 32, 7, step)));
            }
            expertScore = SyncScoring.score(trainer.expert(), clip, clip.trainFrames(), clip.frames(), 10, 32);
            expertFile = dir.resolve("sync_expert.stnt");
            trainer.expert().save(expertFile);
        }
    }

    @AfterAll
    static void close() {
        ops.close();
    }

    @Test
    void expertTellsInSyncFromShiftedWindowsOnHeldOutFrames() {
        System.out.println("expert on held-out fixture frames: " + expertScore);
        assertEquals(0, expertScore.offsetFrames(), "audio offset found on held-out frames: " + expertScore);
        assertTrue(expertScore.confidence() > 0.05, "confidence: " + expertScore);
        assertTrue(expertScore.balancedAccuracy() >= MIN_BALANCED_ACCURACY, "balanced accuracy: " + expertScore);
    }

    @Test
    void syncConfidenceFindsHowFarTheSoundtrackWasDelayed() throws Exception {
        int first = clip.trainFrames();
        int delay = 6;
        float[] audio = fixture.audio();
        int perFrame = TalkingMouthFixture.SAMPLE_RATE_HZ / TalkingMouthFixture.FPS;
        float[] held = java.util.Arrays.copyOfRange(audio, first * perFrame, audio.length);
        float[] delayed = new float[held.length];
        System.arraycopy(held, 0, delayed, delay * perFrame, held.length - delay * perFrame);
        List<FloatImage> frames = images.subList(first, FRAMES);
        List<float[][]> marks = landmarks.subList(first, FRAMES);
        try (SyncConfidence sync = SyncConfidence.load(expertFile)) {
            SyncConfidence.Measurement inSync = sync.measure(frames, marks, held, 10);
            SyncConfidence.Measurement late = sync.measure(frames, marks, delayed, 10);
            System.out.println("sync confidence: in sync " + inSync + ", soundtrack 6 frames late " + late);
            assertEquals(0, inSync.offsetFrames(), inSync.toString());
            assertEquals(delay, late.offsetFrames(), late.toString());
            assertTrue(inSync.confidence() > 0 && inSync.label().contains("not SyncNet"));
        }
    }

    @Test
    void aveFeaturesPredictTheMouthOpeningBetterThanChance() throws Exception {
        int train = clip.trainFrames();
        try (SyncExpert expert = SyncExpert.load(ops, expertFile, false);
             AveTrainer trainer = new AveTrainer(ops, new AveTrainer.Settings(SIZES, 1e-3, 0.03, 2), expert)) {
            double untrained = probe(trainer.model().toEncoder(), opening, train);
            for (int step = 0; step < AVE_STEPS; step++) {
                trainer.step(FaceSyncBatches.ave(List.of(clip),
                        FaceSyncSampling.aveSamples(new int[] {train}, 4, 5, step)));
            }
            AudioVisualEncoder encoder = trainer.model().toEncoder();
            double trained = probe(encoder, opening, train);
            double[] shuffled = opening.clone();
            java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                double t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            double chance = probe(encoder, shuffled, train);
            System.out.printf("mouth-opening probe r on held-out frames: trained AVE %.3f, untrained %.3f, shuffled"
                    + " opening %.3f%n", trained, untrained, chance);
            assertTrue(trained >= MIN_PROBE_R, "trained AVE probe r = " + trained);
            assertTrue(Math.abs(chance) < 0.3, "chance control r = " + chance);
        }
    }

    static double probe(AudioVisualEncoder encoder, double[] opening, int train) {
        float[] features = encoder.encode(Tensor.wrap(clip.melWindows(0, clip.frames()), clip.frames(), 1, 80, 16)).data();
        return AveTrainStage.probe(features, encoder.featureDim(), opening, train);
    }
}
