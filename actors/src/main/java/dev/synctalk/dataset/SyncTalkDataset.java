package dev.synctalk.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SyncTalk dataset as the training and inference code sees it: camera, the train and validation
 * frames in file order, and the expression coefficients (bs.npy, [N, 52], indexed by img_id).
 */
public record SyncTalkDataset(Path root, CameraIntrinsics camera, List<FramePose> train, List<FramePose> val,
        NpyArray blendshapes) {

    /** Columns of bs.npy that make the paper's 7 "upper face" coefficients: browDown L/R, browInnerUp, browOuterUp L/R, eyeBlink L/R. */
    public static final int[] UPPER_FACE_COLUMNS = {0, 1, 2, 3, 4, 8, 9};
    public static final int BLENDSHAPE_COUNT = 52;

    public SyncTalkDataset {
        train = List.copyOf(train);
        val = List.copyOf(val);
    }

    public DatasetLayout layout() {
        return new DatasetLayout(root);
    }

    public List<FramePose> frames(Split split) {
        return split == Split.TRAIN ? train : val;
    }

    /** Train then validation frames: the whole sequence in img_id order for datasets split by SyncTalk. */
    public List<FramePose> allFrames() {
        List<FramePose> all = new ArrayList<>(train);
        all.addAll(val);
        return all;
    }

    /** The 7 expression coefficients of an image, as provider.py selects them with bs_area "upper". */
    public float[] expression(int imageId) {
        if (imageId >= blendshapes.rows()) {
            throw new DatasetException(layout().blendshapes() + " has " + blendshapes.rows()
                    + " rows, no row for img_id " + imageId);
        }
        float[] row = blendshapes.row(imageId);
        float[] out = new float[UPPER_FACE_COLUMNS.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = row[UPPER_FACE_COLUMNS[i]];
        }
        return out;
    }
}
