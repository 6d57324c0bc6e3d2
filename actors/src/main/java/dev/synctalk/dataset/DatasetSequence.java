package dev.synctalk.dataset;

import java.util.List;

/**
 * The frames of a dataset in the order a graph replays them: a split (or train then val), optionally
 * longer than the split, in which case it runs back and forth (0..n-1, n-1..0, ...) as provider.py's
 * mirror_index does, so poses stay continuous when speech outlasts the recorded sequence.
 */
public final class DatasetSequence {

    public enum Selection {
        TRAIN, VAL, ALL
    }

    private final SyncTalkDataset dataset;
    private final List<FramePose> frames;
    private final int trainCount;
    private final long length;

    /** @param length frames to replay; 0 or less means the selection's own length */
    public DatasetSequence(SyncTalkDataset dataset, Selection selection, long length) {
        this.dataset = dataset;
        this.frames = frames(dataset, selection);
        this.trainCount = selection == Selection.VAL ? 0 : selection == Selection.TRAIN ? frames.size()
                : dataset.train().size();
        if (frames.isEmpty()) {
            throw new DatasetException("dataset " + dataset.root() + " has no " + selection.name().toLowerCase()
                    + " frames");
        }
        this.length = length > 0 ? length : frames.size();
    }

    /** The frames of a selection in file order: a split, or train then val. */
    public static List<FramePose> frames(SyncTalkDataset dataset, Selection selection) {
        return switch (selection) {
            case TRAIN -> dataset.train();
            case VAL -> dataset.val();
            case ALL -> dataset.allFrames();
        };
    }

    public long length() {
        return length;
    }

    /** Position in the selection that sequence index {@code index} shows. */
    public int mirroredPosition(long index) {
        int size = frames.size();
        long turn = index / size;
        int rest = (int) (index % size);
        return turn % 2 == 0 ? rest : size - rest - 1;
    }

    public FramePose pose(long index) {
        return frames.get(mirroredPosition(index));
    }

    public DatasetFrame frame(long index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("frame " + index + " of a sequence of " + length);
        }
        int position = mirroredPosition(index);
        FramePose pose = frames.get(position);
        Split split = position < trainCount ? Split.TRAIN : Split.VAL;
        return new DatasetFrame(index, split, pose.imageId(), pose.audioId(), pose.transformMatrix(),
                dataset.expression(pose.imageId()), dataset.root());
    }

    public SyncTalkDataset dataset() {
        return dataset;
    }
}
