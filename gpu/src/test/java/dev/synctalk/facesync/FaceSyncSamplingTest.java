package dev.synctalk.facesync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The batches each step draws: reproducible per (seed, step), balanced, with negatives that are really off sync. */
class FaceSyncSamplingTest {
    private static final int[] TRAIN = {40, 100};

    @Test
    void aStepDrawsTheSameSamplesWhenAskedAgain() {
        assertEquals(FaceSyncSampling.expertSamples(TRAIN, 16, 3, 7), FaceSyncSampling.expertSamples(TRAIN, 16, 3, 7));
        assertTrue(!FaceSyncSampling.expertSamples(TRAIN, 16, 3, 7).equals(FaceSyncSampling.expertSamples(TRAIN, 16, 3, 8)));
    }

    @Test
    void expertBatchesAreHalfInSyncAndNegativesAreShiftedOrFromAnotherClip() {
        int otherClip = 0;
        int near = 0;
        for (long step = 0; step < 200; step++) {
            List<FaceSyncSampling.ExpertSample> batch = FaceSyncSampling.expertSamples(TRAIN, 16, 1, step);
            assertEquals(8, batch.stream().filter(FaceSyncSampling.ExpertSample::inSync).count());
            for (FaceSyncSampling.ExpertSample s : batch) {
                assertTrue(s.faceFrame() + FaceSyncSizes.WINDOW_FRAMES <= TRAIN[s.faceClip()], "face window in training");
                assertTrue(s.audioFrame() + FaceSyncSizes.WINDOW_FRAMES <= TRAIN[s.audioClip()], "audio in training");
                if (s.inSync()) {
                    assertEquals(s.faceClip(), s.audioClip());
                    assertEquals(s.faceFrame(), s.audioFrame());
                } else if (s.faceClip() != s.audioClip()) {
                    otherClip++;
                } else {
                    int shift = Math.abs(s.audioFrame() - s.faceFrame());
                    assertTrue(shift >= FaceSyncSampling.MIN_SHIFT, "shift " + shift);
                    near += shift <= FaceSyncSampling.NEAR_SHIFT ? 1 : 0;
                }
            }
        }
        assertTrue(otherClip > 500, "about half the negatives come from the other clip: " + otherClip);
        assertTrue(near > 250, "near shifts are common: " + near);
    }

    @Test
    void aveReferencesLieAwayFromTheirFrames() {
        for (long step = 0; step < 100; step++) {
            for (FaceSyncSampling.AveSample s : FaceSyncSampling.aveSamples(TRAIN, 8, 2, step)) {
                for (int j = 0; j < FaceSyncSizes.WINDOW_FRAMES; j++) {
                    int r = s.references()[j];
                    assertTrue(r >= 0 && r < TRAIN[s.clip()]);
                    assertTrue(Math.abs(r - (s.frame() + j)) >= FaceSyncSampling.MIN_SHIFT);
                }
            }
        }
    }

    @Test
    void tooShortClipsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FaceSyncSampling.requireUsable(List.of("a", "tiny"), new int[] {40, 9}));
        assertTrue(e.getMessage().contains("tiny"), e.getMessage());
    }
}
