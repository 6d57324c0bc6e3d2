package dev.synctalk.journal;

/**
 * Identity of a journaled edge: the producing stage and port, and the edge id that names the journal folder
 * (edge ids look like {@code "mel.windows--feats.in"}).
 */
public record JournalKey(String runId, String edgeId, String stage, String port) {

    public JournalKey {
        requireText(runId, "runId");
        requireText(edgeId, "edgeId");
        requireText(stage, "stage");
        requireText(port, "port");
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("journal key needs a non-blank " + name + ", got " + value);
        }
    }
}
