package dev.synctalk.journal;

import java.nio.file.Path;

/** A journal folder or record that cannot be read back: names the folder, the position and the reason. */
public class CorruptJournalException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path folder;
    private final String position;

    public CorruptJournalException(Path folder, String position, String reason, Throwable cause) {
        super("corrupt journal " + folder + " at " + position + ": " + reason, cause);
        this.folder = folder;
        this.position = position;
    }

    public CorruptJournalException(Path folder, String position, String reason) {
        this(folder, position, reason, null);
    }

    public Path folder() {
        return folder;
    }

    /** Where the problem is, e.g. {@code "record #3 (chronicle index 0xa25a000000003)"} or a file name. */
    public String position() {
        return position;
    }
}
