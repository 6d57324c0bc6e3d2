package dev.synctalk.pose;

import dev.synctalk.testing.SyntheticMedia;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Known head motion seen by a known camera: ground truth for the pose tests. */
final class SyntheticHead {
    static final int WIDTH = 512;
    static final int HEIGHT = 512;

    private SyntheticHead() {
    }

    static CanonicalFaceModel model() throws IOException {
        return CanonicalFaceModel.load(SyntheticMedia.sharedData("models/face_landmarker.task"));
    }

    /**
     * A talking-head-like motion: slow yaw/pitch/roll swings of a few degrees to tens of degrees and a
     * small drift, about 60 cm from the camera (OpenCV convention).
     */
    static List<RigidPose> smoothMotion(int frames, double amplitudeDeg) {
        double[] facing = {1, 0, 0, 0, -1, 0, 0, 0, -1};
        List<RigidPose> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            double s = i / 25.0;
            double yaw = Math.toRadians(amplitudeDeg * Math.sin(2 * Math.PI * 0.31 * s));
            double pitch = Math.toRadians(0.5 * amplitudeDeg * Math.sin(2 * Math.PI * 0.23 * s + 1));
            double roll = Math.toRadians(0.3 * amplitudeDeg * Math.sin(2 * Math.PI * 0.17 * s + 2));
            double[] r = Rotations.multiply(facing, Rotations.multiply(Rotations.exp(pitch, 0, 0),
                    Rotations.multiply(Rotations.exp(0, yaw, 0), Rotations.exp(0, 0, roll))));
            double[] t = {0.01 * Math.sin(2 * Math.PI * 0.13 * s), 0.02 + 0.005 * Math.cos(2 * Math.PI * 0.11 * s),
                0.6 + 0.02 * Math.sin(2 * Math.PI * 0.07 * s)};
            out.add(new RigidPose(r, t));
        }
        return out;
    }

    /** Projections of the given model points (metres, 3 per point) with Gaussian pixel noise. */
    static double[] project(double[] points, RigidPose pose, PinholeCamera cam, double noisePx, Random random) {
        int n = points.length / 3;
        double[] out = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double[] p = pose.toCamera(points[3 * i], points[3 * i + 1], points[3 * i + 2]);
            out[2 * i] = cam.focalPx() * p[0] / p[2] + cam.cx() + noisePx * random.nextGaussian();
            out[2 * i + 1] = cam.focalPx() * p[1] / p[2] + cam.cy() + noisePx * random.nextGaussian();
        }
        return out;
    }

    static double[] pointsOf(CanonicalFaceModel model, int[] ids) {
        double[] all = model.verticesMetres(1.0);
        double[] pts = new double[3 * ids.length];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(all, 3 * ids[i], pts, 3 * i, 3);
        }
        return pts;
    }
}
