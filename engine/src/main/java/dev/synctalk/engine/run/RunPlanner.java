package dev.synctalk.engine.run;

import dev.synctalk.engine.graph.EdgeDecl;
import dev.synctalk.engine.graph.ValidatedGraph;
import java.nio.file.Path;
import java.util.ArrayDeque;
import dev.synctalk.engine.stage.StageType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/** Decides, from the graph and the journals on disk, what a fresh run, a resume or a replay executes. */
public final class RunPlanner {
    private RunPlanner() {
    }

    public static RunPlan fresh(ValidatedGraph graph) {
        Map<String, EdgePlan> edges = new LinkedHashMap<>();
        for (EdgeDecl e : graph.definition().edges()) {
            edges.put(e.id(), EdgePlan.fresh(e));
        }
        return new RunPlan(RunPlan.Mode.FRESH, new LinkedHashSet<>(graph.order()), edges, Map.of(), Map.of(),
                List.of(), List.of());
    }

    /**
     * Resume in place: every journaled edge first replays what it holds, then continues live after its
     * last journaled frame; sources start at the earliest frame any path to a sink still needs, which
     * is after the journaled frames when every such path crosses a journal (minus the look-back of the
     * stages in between, which need some earlier context).
     *
     * Stages that checkpoint restore their state and take only inputs after their checkpoint, so
     * everything upstream of them restarts right after it.
     *
     * @param lastJournaledIndex the last frame index journaled per edge id, -1 when none
     */
    public static RunPlan resume(ValidatedGraph graph, Path runDir, ToLongFunction<String> lastJournaledIndex) {
        Map<String, Long> checkpointed = new LinkedHashMap<>();
        List<EdgeDecl> all = graph.definition().edges();
        Map<String, Long> required = new HashMap<>();
        Map<String, Long> needIn = new HashMap<>();
        Map<String, Long> seek = new LinkedHashMap<>();
        Map<String, EdgePlan> edges = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> reverse = new ArrayList<>(graph.order());
        java.util.Collections.reverse(reverse);
        for (String stage : reverse) {
            long minRequired = Long.MAX_VALUE;
            boolean hasOut = false;
            for (EdgeDecl e : all) {
                if (!e.from().stage().equals(stage)) {
                    continue;
                }
                hasOut = true;
                long last = e.journal() ? lastJournaledIndex.applyAsLong(e.id()) : -1;
                long req;
                if (last >= 0) {
                    req = last + 1;
                    edges.put(e.id(), new EdgePlan(e, true, true, runDir, last, last));
                    notes.add("edge " + e.id() + ": replaying frames 0.." + last + " from its journal, live after");
                } else {
                    req = needIn.getOrDefault(e.to().stage(), 0L);
                    edges.put(e.id(), EdgePlan.fresh(e));
                }
                required.put(e.id(), req);
                minRequired = Math.min(minRequired, req);
            }
            boolean isSource = graph.types().get(stage).inputs().isEmpty();
            long need = hasOut ? minRequired : 0;
            if (isSource) {
                if (need > 0) {
                    seek.put(stage, need);
                    notes.add("source " + stage + ": starts at frame " + need);
                }
            } else {
                // Downstream already holds this stage's outputs below `need`: a checkpoint at or before
                // need - 1 loses nothing.
                long c = newestCheckpointAtOrBefore(graph, stage, runDir.resolve("checkpoints").resolve(stage),
                        hasOut ? need - 1 : Long.MAX_VALUE, warnings);
                int lookback = graph.types().get(stage).lookbackFrames();
                if (c >= 0) {
                    checkpointed.put(stage, c);
                    needIn.put(stage, c + 1);
                    notes.add("stage " + stage + ": restores its checkpoint through frame " + c);
                } else {
                    needIn.put(stage, lookback == dev.synctalk.engine.stage.StageType.ALL_HISTORY ? 0
                            : Math.max(0, need - lookback));
                }
            }
        }
        Map<String, EdgePlan> ordered = new LinkedHashMap<>();
        for (EdgeDecl e : all) {
            ordered.put(e.id(), edges.get(e.id()));
        }
        return new RunPlan(RunPlan.Mode.RESUME, new LinkedHashSet<>(graph.order()), ordered, seek, checkpointed,
                notes, warnings);
    }

    /**
     * The newest checkpoint at or before {@code bound} that verifies; each newer one that fails verification
     * is skipped with a warning naming it (a damaged checkpoint must not stop a resume while older ones exist).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static long newestCheckpointAtOrBefore(ValidatedGraph graph, String stage, Path dir, long bound,
                                                   List<String> warnings) {
        StageType type = graph.types().get(stage);
        Record config = graph.configs().get(stage);
        List<Long> available = new ArrayList<>(type.checkpoints(config, dir));
        available.sort(Comparator.reverseOrder());
        for (long c : available) {
            if (c > bound) {
                continue;
            }
            try {
                type.verifyCheckpoint(config, dir, c);
                return c;
            } catch (Exception e) {
                warnings.add("stage " + stage + ": skipped its checkpoint through frame " + c + " ("
                        + (e.getMessage() != null ? e.getMessage() : e.toString()) + "); trying an older one");
            }
        }
        return -1;
    }

    /**
     * Replay: re-drives part of the graph from journals of an earlier run without running what lies
     * upstream. {@code fromStage} names either the first stage to re-run (all its inputs must be
     * journaled) or a stage whose journaled outputs feed the stages to re-run.
     */
    public static RunPlan replay(ValidatedGraph graph, Path sourceRunDir, String fromStage,
                                 ToLongFunction<String> lastJournaledIndex) {
        if (!graph.types().containsKey(fromStage)) {
            throw new IllegalArgumentException("replay: no stage '" + fromStage + "' in graph '"
                    + graph.definition().name() + "' (stages: " + graph.order() + ")");
        }
        List<EdgeDecl> all = graph.definition().edges();
        List<EdgeDecl> in = all.stream().filter(e -> e.to().stage().equals(fromStage)).toList();
        List<EdgeDecl> out = all.stream().filter(e -> e.from().stage().equals(fromStage)).toList();
        Set<String> run = new LinkedHashSet<>();
        if (!in.isEmpty() && in.stream().allMatch(EdgeDecl::journal)) {
            run.add(fromStage);
            run.addAll(descendants(all, fromStage));
        } else if (!out.isEmpty() && out.stream().anyMatch(EdgeDecl::journal)) {
            for (EdgeDecl e : out) {
                if (e.journal()) {
                    run.add(e.to().stage());
                    run.addAll(descendants(all, e.to().stage()));
                }
            }
        } else {
            throw new IllegalArgumentException("replay: stage '" + fromStage + "' has no journaled inputs or outputs"
                    + " to replay from; mark its edges with journal = true in the graph file");
        }
        Map<String, EdgePlan> edges = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (EdgeDecl e : all) {
            boolean producerRuns = run.contains(e.from().stage());
            boolean consumerRuns = run.contains(e.to().stage());
            if (!consumerRuns) {
                continue;
            }
            if (producerRuns) {
                edges.put(e.id(), EdgePlan.fresh(e));
                continue;
            }
            if (!e.journal()) {
                throw new IllegalArgumentException("replay from '" + fromStage + "': edge " + e.from() + " -> "
                        + e.to() + " feeds the replayed stages but is not journaled (" + e.origin() + ")");
            }
            long last = lastJournaledIndex.applyAsLong(e.id());
            if (last < 0) {
                throw new IllegalArgumentException("replay from '" + fromStage + "': the journal of edge " + e.from()
                        + " -> " + e.to() + " in " + sourceRunDir + " is missing or empty");
            }
            edges.put(e.id(), new EdgePlan(e, false, false, sourceRunDir, last, -1));
            notes.add("edge " + e.id() + ": replaying frames 0.." + last + " from " + sourceRunDir.getFileName());
        }
        List<String> orderedRun = graph.order().stream().filter(run::contains).toList();
        return new RunPlan(RunPlan.Mode.REPLAY, new LinkedHashSet<>(orderedRun), edges, Map.of(), Map.of(), notes,
                List.of());
    }

    private static Set<String> descendants(List<EdgeDecl> edges, String stage) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(stage));
        while (!todo.isEmpty()) {
            String s = todo.pop();
            for (EdgeDecl e : edges) {
                if (e.from().stage().equals(s) && seen.add(e.to().stage())) {
                    todo.push(e.to().stage());
                }
            }
        }
        return seen;
    }
}
