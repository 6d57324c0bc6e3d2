package dev.synctalk.engine.run;

import dev.synctalk.engine.graph.EdgeDecl;
import java.nio.file.Path;

/**
 * How one edge is driven in a run.
 *
 * @param live whether messages come from the producing stage (false: only from a journal)
 * @param writeJournal whether live messages are appended to this run's journal of the edge
 * @param replayFrom run directory whose journal is read first, or null for none
 * @param replayUpTo highest frame index read from that journal (inclusive)
 * @param dropUpTo live messages with a frame index at or below this are dropped (already replayed);
 *                 -1 keeps everything
 */
public record EdgePlan(EdgeDecl edge, boolean live, boolean writeJournal, Path replayFrom, long replayUpTo,
                       long dropUpTo) {

    public static EdgePlan fresh(EdgeDecl edge) {
        return new EdgePlan(edge, true, edge.journal(), null, -1, -1);
    }

    public boolean replays() {
        return replayFrom != null && replayUpTo >= 0;
    }
}
