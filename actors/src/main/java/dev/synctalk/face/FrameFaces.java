package dev.synctalk.face;

import dev.synctalk.engine.stage.Indexed;
import java.util.List;
import java.util.Objects;

/**
 * Every face found in one frame (478 landmarks each, image pixels), largest first; empty when none was
 * found. Which one is the person of the video is decided in frame order by {@link FaceLandmarksStage}.
 */
public record FrameFaces(long frameIndex, int imageWidth, int imageHeight, List<Face> faces) implements Indexed {

    /** @param points 478 x 3 floats as {@link FaceLandmarks#points()}; @param score face presence in [0, 1] */
    public record Face(float[] points, float score) {
        public Face {
            if (points.length != FaceLandmarks.COUNT * 3) {
                throw new IllegalArgumentException("expected " + FaceLandmarks.COUNT * 3 + " floats, got " + points.length);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Face f && java.util.Arrays.equals(f.points, points) && Float.compare(f.score, score) == 0;
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(points);
        }

        @Override
        public String toString() {
            return "Face[score " + score + "]";
        }
    }

    public FrameFaces {
        faces = List.copyOf(Objects.requireNonNull(faces, "faces"));
    }
}
