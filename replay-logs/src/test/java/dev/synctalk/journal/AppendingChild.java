package dev.synctalk.journal;

import java.nio.file.Path;

/**
 * Child process of {@link CrashSafetyTest}: appends feature windows to one journal as fast as it can and
 * prints each frame index after its append returns, until it is killed. Printing blocks once the parent
 * stops reading the pipe, which bounds what it writes.
 */
public final class AppendingChild {

    static final JournalKey KEY = new JournalKey("crash-run", "feats.out--render.in", "feats", "out");
    static final int ROWS = 16;
    static final int COLUMNS = 32;
    /** Safety cap should the parent never kill this process. */
    private static final int MAX_RECORDS = 200_000;

    private AppendingChild() {
    }

    public static void main(String[] args) {
        Path runDir = Path.of(args[0]);
        try (JournalWriter writer = JournalWriter.open(runDir, KEY, TestMessages.codecs())) {
            for (long frame = writer.lastIndex() + 1; frame < MAX_RECORDS; frame++) {
                writer.append(frame, TestMessages.featureWindow(frame, ROWS, COLUMNS));
                System.out.println(frame);
                System.out.flush();
            }
        }
    }
}
