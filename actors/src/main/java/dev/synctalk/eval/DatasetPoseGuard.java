package dev.synctalk.eval;

import dev.synctalk.dataset.CameraIntrinsics;
import dev.synctalk.dataset.FramePose;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.face.Landmarks68;
import dev.synctalk.pose.PoseGuard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Head-Sync Stabilizer's pose guard ({@link PoseGuard}) on a dataset folder: every frame (train then
 * val) with its transforms pose and its ori_imgs/N.lms landmarks, at the dataset's intrinsics.
 */
public final class DatasetPoseGuard {
    private DatasetPoseGuard() {
    }

    /**
     * @throws UndefinedMetricException when a frame has no .lms file, the dataset has a single frame or its
     *                                  poses give no parallax
     */
    public static PoseGuard.Result measure(SyncTalkDataset dataset) throws IOException {
        List<double[]> poses = new ArrayList<>();
        List<float[]> landmarks = new ArrayList<>();
        for (FramePose f : dataset.allFrames()) {
            Path lms = dataset.layout().landmarks(f.imageId());
            if (!Files.isRegularFile(lms)) {
                throw new UndefinedMetricException("the pose guard needs the 68 landmarks of every frame; " + lms
                        + " is missing");
            }
            poses.add(f.transformMatrix());
            landmarks.add(Landmarks68.readLms(lms));
        }
        if (poses.size() < 2) {
            throw new UndefinedMetricException("the pose guard triangulates across frames; the dataset has "
                    + poses.size());
        }
        CameraIntrinsics c = dataset.camera();
        try {
            return PoseGuard.measure(poses, new PoseGuard.Intrinsics(c.focalX(), c.focalY(), c.cx(), c.cy()), landmarks);
        } catch (PoseGuard.UntriangulableException e) {
            throw new UndefinedMetricException(e.getMessage());
        }
    }
}
