package dev.synctalk.engine.run;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run executes: which stages run, how each edge is fed, and where resumed sources start.
 * Computed by {@link RunPlanner} for fresh runs, resumes and replays; the materializer follows it.
 * {@code warnings} say what the plan had to work around (a checkpoint that failed verification).
 */
public record RunPlan(Mode mode, Set<String> stages, Map<String, EdgePlan> edges, Map<String, Long> sourceSeek,
                      Map<String, Long> checkpointed, List<String> notes, List<String> warnings) {

    public enum Mode { FRESH, RESUME, REPLAY }

    public RunPlan {
        stages = Set.copyOf(stages);
        edges = Map.copyOf(edges);
        sourceSeek = Map.copyOf(sourceSeek);
        checkpointed = Map.copyOf(checkpointed);
        notes = List.copyOf(notes);
        warnings = List.copyOf(warnings);
    }

    public boolean runs(String stage) {
        return stages.contains(stage);
    }

    public long seekOf(String stage) {
        return sourceSeek.getOrDefault(stage, 0L);
    }

    /** Inputs at or below this frame index are already in the stage's checkpoint (-1: none). */
    public long checkpointedThrough(String stage) {
        return checkpointed.getOrDefault(stage, -1L);
    }
}
