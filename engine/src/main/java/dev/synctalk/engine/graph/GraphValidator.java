package dev.synctalk.engine.graph;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import dev.synctalk.engine.stage.Placement;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.StageType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks a graph against the stage types before anything runs: types, ports, port payload types,
 * connections, cycles, params, devices and unknown keys. Reports every error with its {@code file:line}.
 */
public final class GraphValidator {
    private static final Pattern DEVICE = Pattern.compile("cpu|gpu:([0-7])");

    private final StageRegistry registry;

    public GraphValidator(StageRegistry registry) {
        this.registry = registry;
    }

    /** All errors, in file order; empty when the graph is valid. */
    public List<ValidationError> check(GraphDefinition g) {
        return new Analysis(g).run().errors;
    }

    /** @throws GraphValidationException listing every error */
    public ValidatedGraph validate(GraphDefinition g) {
        Analysis analysis = new Analysis(g).run();
        if (!analysis.errors.isEmpty()) {
            throw new GraphValidationException(g.sourceFile(), analysis.errors);
        }
        return new ValidatedGraph(g, analysis.types, analysis.configs, analysis.order);
    }

    /**
     * The GPU ordinal of a device string: {@code gpu:1} -> 1, {@code cpu} -> empty.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static OptionalInt gpuOrdinal(String device) {
        Matcher m = DEVICE.matcher(device == null ? "" : device);
        if (!m.matches()) {
            throw new IllegalArgumentException("malformed device '" + device + "'; expected \"cpu\" or \"gpu:N\" with N from 0 to 7");
        }
        return m.group(1) == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(m.group(1)));
    }

    private final class Analysis {
        private final GraphDefinition g;
        private final List<ValidationError> errors = new ArrayList<>();
        private final Map<String, StageType<?>> types = new LinkedHashMap<>();
        private final Map<String, Record> configs = new LinkedHashMap<>();
        private final List<String> order = new ArrayList<>();
        private final Map<String, Integer> declarationIndex = new HashMap<>();
        /** Edges between declared stages, by producer, in file order: the graph the cycle check walks. */
        private final Map<String, List<String>> successors = new HashMap<>();

        Analysis(GraphDefinition g) {
            this.g = g;
            int i = 0;
            for (String stage : g.stages().keySet()) {
                declarationIndex.put(stage, i++);
                successors.put(stage, new ArrayList<>());
            }
        }

        Analysis run() {
            checkUnknownKeys();
            g.stages().values().forEach(this::checkStage);
            Map<PortRef, EdgeDecl> connectedInputs = new HashMap<>();
            g.edges().forEach(e -> checkEdge(e, connectedInputs));
            checkUnconnectedInputs(connectedInputs);
            orderTopologically();
            // Stable: errors on one line keep the order they were found in.
            errors.sort(Comparator.comparingInt((ValidationError e) -> e.origin().line()));
            return this;
        }

        private void error(Origin at, String message) {
            errors.add(new ValidationError(at == null ? Origin.PROGRAMMATIC : at, message));
        }

        private void checkUnknownKeys() {
            if (g.resolved() == null || !(g.resolved().root().get("graph") instanceof ConfigObject graph)) {
                return;
            }
            Origin graphOrigin = Hocon.origin(graph, new Origin(g.sourceFile(), 0));
            unknownKeys(graph, GraphLoader.GRAPH_KEYS, "graph", graphOrigin);
            if (graph.get("stages") instanceof ConfigObject stages) {
                for (StageDecl stage : g.stages().values()) {
                    if (stages.get(stage.name()) instanceof ConfigObject block) {
                        unknownKeys(block, GraphLoader.STAGE_KEYS, "stage '" + stage.name() + "'", stage.origin());
                    }
                }
            }
            if (graph.get("edges") instanceof ConfigList edges) {
                for (ConfigValue edge : edges) {
                    if (edge instanceof ConfigObject block) {
                        String name = "edge " + end(block, "from") + " -> " + end(block, "to");
                        unknownKeys(block, GraphLoader.EDGE_KEYS, name, Hocon.origin(edge, graphOrigin));
                    }
                }
            }
        }

        private static String end(ConfigObject edge, String key) {
            ConfigValue value = edge.get(key);
            return value == null ? "?" : String.valueOf(value.unwrapped());
        }

        private void unknownKeys(ConfigObject block, List<String> allowed, String what, Origin fallback) {
            block.keySet().stream().filter(k -> !allowed.contains(k)).sorted().forEach(key -> error(
                    Hocon.origin(block.get(key), fallback),
                    what + " has unknown key '" + key + "'" + Suggestions.didYouMean(key, allowed)
                            + " (allowed: " + String.join(", ", allowed) + ")"));
        }

        private void checkStage(StageDecl stage) {
            Origin at = stage.origin();
            String name = stage.name();
            if (name.isEmpty() || name.contains(".")) {
                error(at, "stage name '" + name + "' must be non-empty and contain no '.' (edges name ports as stage.port)");
            }
            StageType<?> type = null;
            if (stage.type() == null) {
                error(at, "stage '" + name + "' has no type");
            } else {
                type = registry.find(stage.type()).orElse(null);
                if (type == null) {
                    Collection<String> known = registry.names();
                    error(at, "stage '" + name + "' has unknown type '" + stage.type() + "'"
                            + Suggestions.didYouMean(stage.type(), known)
                            + (known.isEmpty() ? " (no stage types are registered)" : " (known types: " + String.join(", ", known) + ")"));
                }
            }
            boolean gpu = false;
            if (stage.device() == null || !DEVICE.matcher(stage.device()).matches()) {
                error(at, "stage '" + name + "' has malformed device '" + stage.device() + "'; expected \"cpu\" or \"gpu:N\" with N from 0 to 7");
            } else {
                gpu = stage.device().startsWith("gpu:");
                if (type != null && type.placement() == Placement.GPU && !gpu) {
                    error(at, "stage '" + name + "' (type " + type.name() + ") runs on a GPU but its device is '"
                            + stage.device() + "'; set device = \"gpu:N\"");
                }
            }
            if (stage.dispatcher() != null && stage.dispatcher().isBlank()) {
                error(at, "stage '" + name + "' has an empty dispatcher; leave it out for the default dispatcher");
            }
            if (stage.parallelism() < 1) {
                error(at, "stage '" + name + "' has parallelism " + stage.parallelism() + "; it must be at least 1");
            } else if (stage.parallelism() > 1 && type != null) {
                if (!type.stateless()) {
                    error(at, "stage '" + name + "' (type " + type.name() + ") has parallelism " + stage.parallelism()
                            + " but its type keeps state between frames, so only one actor may run it; remove"
                            + " 'parallelism' (graphs describe shows which types may run in parallel)");
                } else if (type.inputs().isEmpty()) {
                    error(at, "stage '" + name + "' (type " + type.name() + ") is a source; parallelism applies to"
                            + " stages with inputs");
                } else if (gpu) {
                    error(at, "stage '" + name + "' runs on " + stage.device() + ", whose single thread runs every"
                            + " stage placed there; parallelism " + stage.parallelism() + " needs device = \"cpu\"");
                }
            }
            if (type != null) {
                types.put(name, type);
                Record config = bind(type, stage);
                if (config != null) {
                    configs.put(name, config);
                }
            }
        }

        private <C extends Record> C bind(StageType<C> type, StageDecl stage) {
            Config params = stage.params() == null ? ConfigFactory.empty() : stage.params();
            return ParamBinder.bind(type, stage.name(), params, stage.origin(), errors);
        }

        private void checkEdge(EdgeDecl edge, Map<PortRef, EdgeDecl> connectedInputs) {
            Origin at = edge.origin();
            String name = "edge " + GraphLoader.text(edge.from()) + " -> " + GraphLoader.text(edge.to());
            if (edge.buffer() < 1) {
                error(at, name + " has buffer " + edge.buffer() + "; it must be at least 1");
            }
            PortSpec out = port(edge.from(), true, at);
            PortSpec in = port(edge.to(), false, at);
            if (declared(edge.from()) && declared(edge.to())) {
                successors.get(edge.from().stage()).add(edge.to().stage());
            }
            if (in != null) {
                EdgeDecl previous = connectedInputs.putIfAbsent(edge.to(), edge);
                if (previous != null) {
                    error(at, "input port " + edge.to() + " is connected twice: from " + edge.from() + " here and from "
                            + previous.from() + " at " + previous.origin());
                }
            }
            if (out != null && in != null && !in.type().isAssignableFrom(out.type())) {
                error(at, name + ": port types do not match: " + edge.from() + " produces " + out.type().getName()
                        + " but " + edge.to() + " accepts " + in.type().getName());
            }
        }

        private boolean declared(PortRef ref) {
            return !ref.port().isEmpty() && g.stages().containsKey(ref.stage());
        }

        /** The port an edge end names, or null after reporting why there is none. */
        private PortSpec port(PortRef ref, boolean output, Origin at) {
            String end = output ? "from" : "to";
            if (ref.port().isEmpty()) {
                error(at, "edge '" + end + "' must be of the form stage.port, got '" + ref.stage() + "'");
                return null;
            }
            if (!g.stages().containsKey(ref.stage())) {
                error(at, "edge " + end + " '" + ref + "' names undeclared stage '" + ref.stage() + "'"
                        + Suggestions.didYouMean(ref.stage(), g.stages().keySet())
                        + " (declared stages: " + String.join(", ", g.stages().keySet()) + ")");
                return null;
            }
            StageType<?> type = types.get(ref.stage());
            if (type == null) {
                return null; // unknown type: already reported on the stage
            }
            PortSpec port = output ? type.output(ref.port()) : type.input(ref.port());
            if (port == null) {
                String direction = output ? "output" : "input";
                List<PortSpec> ports = output ? type.outputs() : type.inputs();
                List<String> names = ports.stream().map(PortSpec::name).toList();
                String wrongWay = (output ? type.input(ref.port()) : type.output(ref.port())) != null
                        ? "; '" + ref.port() + "' is an " + (output ? "input" : "output") + " port" : "";
                error(at, "edge " + end + " '" + ref + "': stage '" + ref.stage() + "' (type " + type.name() + ") has no "
                        + direction + " port '" + ref.port() + "'" + wrongWay + Suggestions.didYouMean(ref.port(), names)
                        + (ports.isEmpty() ? " (it has no " + direction + " ports)"
                                : " (its " + direction + " ports: " + ports.stream()
                                        .map(p -> p.name() + ": " + p.type().getSimpleName()).collect(Collectors.joining(", ")) + ")"));
            }
            return port;
        }

        private void checkUnconnectedInputs(Map<PortRef, EdgeDecl> connectedInputs) {
            for (StageDecl stage : g.stages().values()) {
                StageType<?> type = types.get(stage.name());
                if (type == null) {
                    continue;
                }
                for (PortSpec input : type.inputs()) {
                    if (!connectedInputs.containsKey(new PortRef(stage.name(), input.name()))) {
                        error(stage.origin(), "input port '" + input.name() + "' of stage '" + stage.name() + "' (type "
                                + type.name() + ") is not connected; connect an edge to " + stage.name() + "." + input.name());
                    }
                }
            }
        }

        /** Kahn's algorithm, taking the earliest-declared ready stage first so the order is deterministic. */
        private void orderTopologically() {
            Map<String, Integer> indegree = new HashMap<>();
            g.stages().keySet().forEach(s -> indegree.put(s, 0));
            successors.values().forEach(next -> next.forEach(s -> indegree.merge(s, 1, Integer::sum)));
            PriorityQueue<String> ready = new PriorityQueue<>(Comparator.comparing(declarationIndex::get));
            indegree.forEach((stage, n) -> {
                if (n == 0) {
                    ready.add(stage);
                }
            });
            while (!ready.isEmpty()) {
                String stage = ready.poll();
                order.add(stage);
                for (String next : successors.get(stage)) {
                    if (indegree.merge(next, -1, Integer::sum) == 0) {
                        ready.add(next);
                    }
                }
            }
            if (order.size() < g.stages().size()) {
                reportCycles(new HashSet<>(order));
            }
        }

        private void reportCycles(Set<String> ordered) {
            Set<String> covered = new HashSet<>();
            for (String start : g.stages().keySet()) {
                if (ordered.contains(start) || covered.contains(start)) {
                    continue;
                }
                List<String> cycle = shortestCycleThrough(start);
                if (cycle != null) {
                    covered.addAll(cycle);
                    error(g.stages().get(start).origin(), "stages form a cycle: " + String.join(" -> ", cycle) + " -> " + start);
                }
            }
        }

        /** The shortest path from {@code start} back to itself, or null when it lies on no cycle (only after one). */
        private List<String> shortestCycleThrough(String start) {
            Map<String, String> parent = new HashMap<>();
            ArrayDeque<String> queue = new ArrayDeque<>();
            queue.add(start);
            Set<String> seen = new HashSet<>();
            while (!queue.isEmpty()) {
                String stage = queue.poll();
                for (String next : successors.get(stage)) {
                    if (next.equals(start)) {
                        List<String> path = new ArrayList<>();
                        for (String s = stage; s != null; s = parent.get(s)) {
                            path.add(0, s);
                        }
                        return path;
                    }
                    if (seen.add(next)) {
                        parent.put(next, stage);
                        queue.add(next);
                    }
                }
            }
            return null;
        }
    }
}
