package dev.synctalk.journal;

import java.nio.file.Path;

/**
 * A journal folder or record that cannot be read back. The message names the edge, the frame (when the damage
 * is in a record), the file and the position, and says how to recover.
 */
public class CorruptJournalException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path folder;
    private final transient Path file;
    private final String position;
    private final long frameIndex;

    public CorruptJournalException(Path folder, String position, String reason, Throwable cause) {
        this(folder, null, position, -1, reason, cause);
    }

    public CorruptJournalException(Path folder, String position, String reason) {
        this(folder, null, position, -1, reason, null);
    }

    /**
     * @param file the queue file holding the damage, or null when it is not in one file
     * @param frameIndex the frame of the damaged record, -1 when the damage is not in a record
     */
    CorruptJournalException(Path folder, Path file, String position, long frameIndex, String reason, Throwable cause) {
        super(message(folder, file, position, frameIndex, reason), cause);
        this.folder = folder;
        this.file = file;
        this.position = position;
        this.frameIndex = frameIndex;
    }

    private static String message(Path folder, Path file, String position, long frameIndex, String reason) {
        String edge = folder == null || folder.getFileName() == null ? "?"
                : JournalFolder.edgeIdOf(folder.getFileName().toString());
        return "corrupt journal of edge '" + edge + "'" + (frameIndex >= 0 ? " at frame " + frameIndex : "")
                + " in " + (file != null ? file : folder) + " (" + position + "): " + reason;
    }

    public Path folder() {
        return folder;
    }

    /** The queue file the damage is in, or null when it is not in one file (a folder or descriptor problem). */
    public Path file() {
        return file;
    }

    /** The edge whose journal this is, e.g. {@code "mel.windows--feats.in"}. */
    public String edgeId() {
        return folder == null || folder.getFileName() == null ? "?" : JournalFolder.edgeIdOf(folder.getFileName().toString());
    }

    /** Frame index of the damaged record, -1 when the damage is not in a record. */
    public long frameIndex() {
        return frameIndex;
    }

    /** Where the problem is, e.g. {@code "record #3 (chronicle index 0xa25a000000003)"} or a file name. */
    public String position() {
        return position;
    }
}
