package dev.synctalk.face;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaceGapFillerTest {

    private static FaceLandmarks face(long frame, float value) {
        float[] points = new float[FaceLandmarks.COUNT * 3];
        Arrays.fill(points, value);
        return new FaceLandmarks(frame, 64, 48, points, 0.9f, false);
    }

    @Test
    void gapBetweenFacesIsInterpolatedByFrameIndexAndEmittedInOrder() {
        FaceGapFiller filler = new FaceGapFiller(3, "clip.mp4");
        List<FaceLandmarks> out = new ArrayList<>(filler.found(face(4, 10)));
        filler.missing(5, 64, 48);
        filler.missing(6, 64, 48);
        filler.missing(7, 64, 48);
        assertEquals(3, filler.buffered());
        out.addAll(filler.found(face(8, 30)));
        out.addAll(filler.finish());
        assertEquals(List.of(4L, 5L, 6L, 7L, 8L), out.stream().map(FaceLandmarks::frameIndex).toList());
        assertEquals(15f, out.get(1).x(0), 1e-5);
        assertEquals(20f, out.get(2).y(100), 1e-5);
        assertEquals(25f, out.get(3).z(477), 1e-5);
        assertTrue(out.get(2).interpolated());
        assertFalse(out.get(4).interpolated());
        assertEquals(0, filler.buffered());
    }

    @Test
    void gapsAtTheEndsHoldTheNearestFace() {
        FaceGapFiller filler = new FaceGapFiller(2, "clip.mp4");
        filler.missing(0, 64, 48);
        List<FaceLandmarks> out = new ArrayList<>(filler.found(face(1, 7)));
        filler.missing(2, 64, 48);
        filler.missing(3, 64, 48);
        out.addAll(filler.finish());
        assertEquals(List.of(0L, 1L, 2L, 3L), out.stream().map(FaceLandmarks::frameIndex).toList());
        assertArrayEquals(face(1, 7).points(), out.get(0).points());
        assertArrayEquals(face(1, 7).points(), out.get(3).points());
        assertTrue(out.get(0).interpolated() && out.get(3).interpolated());
    }

    @Test
    void gapLongerThanTheLimitFailsAsSoonAsItIsTooLongNamingItsFrames() {
        FaceGapFiller filler = new FaceGapFiller(2, "clip.mp4");
        filler.found(face(119, 1));
        filler.missing(120, 64, 48);
        filler.missing(121, 64, 48);
        assertTrue(filler.buffered() <= 2, "a gap never buffers more than max-gap-frames frames");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> filler.missing(122, 64, 48));
        assertTrue(e.getMessage().startsWith("no face found in frames 120-122 of clip.mp4"), e.getMessage());
        assertTrue(e.getMessage().contains("3 frames in a row"), e.getMessage());
    }

    @Test
    void videoWithoutAnyFaceFailsAtTheEnd() {
        FaceGapFiller filler = new FaceGapFiller(12, "clip.mp4");
        for (long i = 0; i < 5; i++) {
            filler.missing(i, 64, 48);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, filler::finish);
        assertTrue(e.getMessage().startsWith("no face found in frames 0-4 of clip.mp4"), e.getMessage());
    }
}
