package dev.synctalk.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.dataset.CameraIntrinsics;
import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.DatasetWriter;
import dev.synctalk.dataset.FramePose;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.dataset.TinyDatasets;
import dev.synctalk.pose.HeadPose;
import dev.synctalk.pose.PoseGuard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pose guard on a dataset folder: poses of a head turning by up to 10 degrees written to the
 * transforms files, and each frame's .lms the exact projections of fixed head points.
 */
class DatasetPoseGuardTest {
    static final int FRAMES = 33;
    static final double FOCAL = 300;

    @TempDir
    Path dir;

    /** Writes the dataset; {@code frozen}: every frame gets the first frame's pose (no parallax). */
    Path write(boolean frozen) throws Exception {
        Random random = new Random(9);
        double[][] points = new double[68][];
        for (int i = 0; i < 68; i++) {
            points[i] = new double[] {0.1 * (random.nextDouble() - 0.5), 0.1 * (random.nextDouble() - 0.5),
                0.07 + 0.03 * random.nextDouble()};
        }
        CameraIntrinsics camera = CameraIntrinsics.centered(FOCAL, TinyDatasets.WIDTH, TinyDatasets.HEIGHT);
        Path root = dir.resolve(frozen ? "frozen" : "turning");
        List<FramePose> poses = new ArrayList<>();
        try (DatasetWriter w = DatasetWriter.create(root)) {
            TinyDatasets.fill(w, FRAMES, dir.resolve("src/aud.wav"), (kind, i) -> kind.equals("lms"));
            for (int k = 0; k < FRAMES; k++) {
                double yaw = Math.toRadians(10 * Math.sin((frozen ? 0 : k) / 5.0));
                double c = Math.cos(yaw);
                double s = Math.sin(yaw);
                // head-model point X (x left, y up, z out of the face) at R X + t in OpenGL camera axes
                float[] r = {(float) c, 0, (float) s, 0, 1, 0, (float) -s, 0, (float) c};
                float[] t = {0.005f * (frozen ? 0 : k % 3), 0, -0.6f};
                HeadPose pose = new HeadPose(k, r, t, (float) FOCAL, (float) camera.cx(), (float) camera.cy());
                poses.add(new FramePose(k, k, pose.toTransformMatrix()));
                float[][] marks = new float[68][];
                for (int i = 0; i < 68; i++) {
                    double[] x = points[i];
                    double px = r[0] * x[0] + r[1] * x[1] + r[2] * x[2] + t[0];
                    double py = r[3] * x[0] + r[4] * x[1] + r[5] * x[2] + t[1];
                    double pz = r[6] * x[0] + r[7] * x[1] + r[8] * x[2] + t[2];
                    marks[i] = new float[] {(float) (camera.cx() - FOCAL * px / pz), (float) (camera.cy() + FOCAL * py / pz)};
                }
                w.writeLandmarks(k, marks);
            }
            w.commit(camera, poses);
        }
        return root;
    }

    @Test
    void exactPosesReprojectTheDatasetsRigidLandmarksAndTheControlDoesNot() throws Exception {
        PoseGuard.Result r = DatasetPoseGuard.measure(DatasetReader.read(write(false)));
        assertEquals(FRAMES, r.frames());
        assertTrue(r.reprojectionRmsPx() < 0.01, "poses that made the landmarks: " + r.reprojectionRmsPx() + " px");
        assertTrue(r.controlRmsPx() > 3, "rotation frozen: " + r.controlRmsPx() + " px");
    }

    @Test
    void aDatasetWithoutParallaxOrLandmarksHasNoGuardAndSaysWhy() throws Exception {
        UndefinedMetricException still = assertThrows(UndefinedMetricException.class,
                () -> DatasetPoseGuard.measure(DatasetReader.read(write(true))));
        assertTrue(still.getMessage().contains("parallax"), still.getMessage());
        // a folder read while complete whose .lms then went missing
        SyncTalkDataset turning = DatasetReader.read(write(false));
        Files.delete(turning.layout().landmarks(4));
        UndefinedMetricException missing = assertThrows(UndefinedMetricException.class,
                () -> DatasetPoseGuard.measure(turning));
        assertTrue(missing.getMessage().contains("4.lms"), missing.getMessage());
    }
}
