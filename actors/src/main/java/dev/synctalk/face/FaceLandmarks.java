package dev.synctalk.face;

import dev.synctalk.engine.stage.Indexed;
import java.util.Arrays;

/**
 * The 478 MediaPipe face-mesh landmarks of one frame, in image pixels of the frame they came from.
 *
 * @param points 478 x 3 floats, row-major: x and y in pixels, z in the same pixel scale (relative depth,
 *               smaller is closer to the camera, as MediaPipe reports it)
 * @param score face presence score in [0, 1] from the landmark model
 * @param interpolated true when the face was not found in this frame and the points were interpolated
 *                     from neighbouring frames
 */
public record FaceLandmarks(long frameIndex, int imageWidth, int imageHeight, float[] points, float score,
                            boolean interpolated) implements Indexed {
    public static final int COUNT = 478;

    public FaceLandmarks {
        if (points.length != COUNT * 3) {
            throw new IllegalArgumentException("expected " + COUNT * 3 + " floats (478 x 3), got " + points.length);
        }
    }

    public float x(int i) {
        return points[3 * i];
    }

    public float y(int i) {
        return points[3 * i + 1];
    }

    public float z(int i) {
        return points[3 * i + 2];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FaceLandmarks f && f.frameIndex == frameIndex && f.imageWidth == imageWidth
                && f.imageHeight == imageHeight && Arrays.equals(f.points, points)
                && Float.compare(f.score, score) == 0 && f.interpolated == interpolated;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(frameIndex) * 31 + Arrays.hashCode(points);
    }

    @Override
    public String toString() {
        return "FaceLandmarks[frame " + frameIndex + ", " + imageWidth + "x" + imageHeight + ", score " + score
                + (interpolated ? ", interpolated]" : "]");
    }
}
