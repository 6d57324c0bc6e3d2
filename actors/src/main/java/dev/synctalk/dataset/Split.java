package dev.synctalk.dataset;

/** The two transforms files of a dataset. */
public enum Split {
    TRAIN("transforms_train.json"), VAL("transforms_val.json");

    private final String fileName;

    Split(String fileName) {
        this.fileName = fileName;
    }

    public String fileName() {
        return fileName;
    }

    /** Frames of the training split for a sequence of {@code frames}: the first 10/11, as SyncTalk splits. */
    public static int trainCount(int frames) {
        return (int) ((long) frames * 10 / 11);
    }
}
