package dev.synctalk.parsing;

import dev.synctalk.face.FaceLandmarks;
import java.util.Random;

/**
 * Fabricated 478-point landmarks for tests (the landmark stage lives elsewhere): the 36 face-oval points on an
 * ellipse in MediaPipe's contour order (forehead top, image-right cheek, chin, image-left cheek), every other
 * point scattered inside the ellipse.
 */
final class SyntheticFaces {
    private SyntheticFaces() {
    }

    /** The face in sun.mp4 (576x768): read off frames 0, 250 and 500, where it barely moves. */
    static FaceLandmarks sunFace(long frameIndex) {
        return ellipse(frameIndex, 576, 768, 279, 232, 64, 66);
    }

    /** The face in hdtf_aoc.mp4 frame 0 (512x512). */
    static FaceLandmarks aocFace(long frameIndex) {
        return ellipse(frameIndex, 512, 512, 285, 265, 140, 185);
    }

    static FaceLandmarks ellipse(long frameIndex, int width, int height, double cx, double cy, double a, double b) {
        float[] points = new float[FaceLandmarks.COUNT * 3];
        Random random = new Random(17 + frameIndex);
        for (int i = 0; i < FaceLandmarks.COUNT; i++) {
            double r = 0.85 * Math.sqrt(random.nextDouble());
            double t = 2 * Math.PI * random.nextDouble();
            points[3 * i] = (float) (cx + r * a * Math.cos(t));
            points[3 * i + 1] = (float) (cy + r * b * Math.sin(t));
        }
        for (int k = 0; k < FaceOutline.OVAL.length; k++) {
            double theta = 2 * Math.PI * k / FaceOutline.OVAL.length;
            int i = FaceOutline.OVAL[k];
            points[3 * i] = (float) (cx + a * Math.sin(theta));
            points[3 * i + 1] = (float) (cy - b * Math.cos(theta));
        }
        return new FaceLandmarks(frameIndex, width, height, points, 0.99f, false);
    }
}
