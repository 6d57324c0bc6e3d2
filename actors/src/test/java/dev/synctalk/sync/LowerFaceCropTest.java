package dev.synctalk.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.facesync.fixture.TalkingMouthFixture;
import dev.synctalk.image.FloatImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lower-face box follows the landmarks and holds the mouth; its crop shows the mouth opening. */
class LowerFaceCropTest {

    @Test
    void boxSpansTheJawAndHoldsTheLips() {
        TalkingMouthFixture fixture = new TalkingMouthFixture(new TalkingMouthFixture.Config(40, 64, 64, 2));
        for (TalkingMouthFixture.Frame f : fixture.frames()) {
            LowerFaceCrop.Box box = LowerFaceCrop.box(f.landmarks());
            assertEquals(box.width() / 2, box.height(), 1e-9);
            assertTrue(box.bottom() > f.landmarks()[8][1], "below the chin");
            for (int k = 48; k < 68; k++) {
                float[] p = f.landmarks()[k];
                assertTrue(p[0] > box.left() && p[0] < box.left() + box.width() && p[1] > box.top()
                        && p[1] < box.bottom(), "lip landmark " + k + " inside the box");
            }
        }
    }

    @Test
    void cropOfAnOpenMouthIsDarkerAtTheMouthThanOfAClosedOne() {
        TalkingMouthFixture fixture = new TalkingMouthFixture(new TalkingMouthFixture.Config(60, 64, 64, 2));
        float[] env = fixture.envelope();
        int open = 0;
        int closed = 0;
        for (int i = 0; i < env.length; i++) {
            open = env[i] > env[open] ? i : open;
            closed = env[i] < env[closed] ? i : closed;
        }
        assertTrue(env[open] > 0.5 && env[closed] == 0f, "the fixture has an open and a closed mouth");
        double openDark = mouthBrightness(fixture.frames().get(open));
        double closedDark = mouthBrightness(fixture.frames().get(closed));
        assertTrue(openDark < closedDark - 0.05, "open " + openDark + " vs closed " + closedDark);
    }

    /** Mean red of the crop's centre where the mouth is. */
    private static double mouthBrightness(TalkingMouthFixture.Frame f) {
        byte[] crop = LowerFaceCrop.crop(new FloatImage(64, 64, 3, f.image()), LowerFaceCrop.box(f.landmarks()), 24, 48);
        LowerFaceCrop.Box box = LowerFaceCrop.box(f.landmarks());
        int row = (int) ((f.landmarks()[62][1] + f.landmarks()[66][1]) / 2 - box.top()) * 24 / (int) Math.round(box.height());
        double sum = 0;
        for (int u = 20; u < 28; u++) {
            sum += (crop[row * 48 + u] & 0xFF) / 255.0;
        }
        return sum / 8;
    }

    @Test
    void smoothingAveragesFiveFramesAndTheCropNeedsAFullLandmarkSet() {
        List<float[][]> landmarks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            float[][] p = new float[68][];
            for (int k = 0; k < 68; k++) {
                p[k] = new float[] {k <= 16 ? 10 * i + k : 10 * i, 20};
            }
            landmarks.add(p);
        }
        List<LowerFaceCrop.Box> boxes = LowerFaceCrop.smoothed(landmarks);
        assertEquals(LowerFaceCrop.box(landmarks.get(2)).centreX(), boxes.get(2).centreX(), 1e-9,
                "the middle frame averages its four neighbours around its own box");
        assertEquals((LowerFaceCrop.box(landmarks.get(0)).centreX() + LowerFaceCrop.box(landmarks.get(1)).centreX()
                + LowerFaceCrop.box(landmarks.get(2)).centreX()) / 3, boxes.get(0).centreX(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> LowerFaceCrop.box(new float[5][2]));
    }
}
