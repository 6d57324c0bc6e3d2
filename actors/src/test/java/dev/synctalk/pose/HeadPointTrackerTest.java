package dev.synctalk.pose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeadPointTrackerTest {
    private static final int SIZE = 128;

    /** A band-limited random texture defined everywhere, so sub-pixel shifts are exact. */
    private static final class Texture {
        final double[] kx = new double[16];
        final double[] ky = new double[16];
        final double[] phase = new double[16];

        Texture(long seed) {
            Random r = new Random(seed);
            for (int i = 0; i < kx.length; i++) {
                double wavelength = 5 + 15 * r.nextDouble();
                double angle = 2 * Math.PI * r.nextDouble();
                kx[i] = 2 * Math.PI / wavelength * Math.cos(angle);
                ky[i] = 2 * Math.PI / wavelength * Math.sin(angle);
                phase[i] = 2 * Math.PI * r.nextDouble();
            }
        }

        byte[] frame(double shiftX, double shiftY) {
            byte[] out = new byte[SIZE * SIZE];
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    double v = 0;
                    for (int i = 0; i < kx.length; i++) {
                        v += Math.sin(kx[i] * (x - shiftX) + ky[i] * (y - shiftY) + phase[i]);
                    }
                    out[y * SIZE + x] = (byte) Math.max(0, Math.min(255, Math.round(128 + 28 * v)));
                }
            }
            return out;
        }
    }

    @Test
    void trackerFollowsATranslatedTexture() {
        Texture texture = new Texture(3);
        double dx = 0.6;
        double dy = -0.35;
        float[] region = {24, 24, 104, 24, 104, 104, 24, 104};
        int frames = 12;
        try (HeadPointTracker tracker = new HeadPointTracker(HeadPointTracker.Settings.defaults())) {
            for (int k = 0; k < frames; k++) {
                tracker.accept(texture.frame(k * dx, k * dy), SIZE, SIZE, region);
            }
            List<PointTrack> tracks = tracker.tracks(2);
            assertTrue(tracks.size() >= 30, tracks.size() + " tracks");
            int fullLength = 0;
            double worst = 0;
            for (PointTrack t : tracks) {
                if (t.firstFrame() == 0 && t.length() == frames) {
                    fullLength++;
                }
                for (int k = t.firstFrame(); k <= t.lastFrame(); k++) {
                    double ex = t.x(k) - (t.x(t.firstFrame()) + (k - t.firstFrame()) * dx);
                    double ey = t.y(k) - (t.y(t.firstFrame()) + (k - t.firstFrame()) * dy);
                    worst = Math.max(worst, Math.hypot(ex, ey));
                }
            }
            System.out.printf("tracker: %d tracks, %d through all %d frames, worst drift %.3f px%n", tracks.size(),
                    fullLength, frames, worst);
            assertTrue(worst < 0.5, "worst deviation from the true motion " + worst + " px");
            assertTrue(fullLength >= 20, fullLength + " tracks span the whole sequence");
        }
    }

    @Test
    void keypointsStayInsideTheFaceRegionAndApart() {
        Texture texture = new Texture(5);
        float[] region = {40, 30, 90, 30, 90, 100, 40, 100};
        HeadPointTracker.Settings settings = HeadPointTracker.Settings.defaults();
        try (HeadPointTracker tracker = new HeadPointTracker(settings)) {
            tracker.accept(texture.frame(0, 0), SIZE, SIZE, region);
            tracker.accept(texture.frame(0.5, 0.5), SIZE, SIZE, region);
            List<PointTrack> tracks = tracker.tracks(2);
            assertFalse(tracks.isEmpty());
            for (PointTrack a : tracks) {
                assertTrue(HeadPointTracker.inside(region, a.x(0), a.y(0)), "seed outside the region");
                for (PointTrack b : tracks) {
                    if (a != b) {
                        assertTrue(Math.hypot(a.x(0) - b.x(0), a.y(0) - b.y(0)) >= settings.minDistancePx() - 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void convexHullOfASquareWithAnInnerPointIsTheSquare() {
        float[] hull = HeadPointTracker.convexHull(new float[] {0, 0, 2, 0, 1, 1, 2, 2, 0, 2});
        assertEquals(8, hull.length);
        assertTrue(HeadPointTracker.inside(hull, 1, 1));
        assertFalse(HeadPointTracker.inside(hull, 3, 1));
        assertArrayEquals(new float[] {0, 0, 2, 0, 2, 2, 0, 2}, hull);
    }
}
