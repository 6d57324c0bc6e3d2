package dev.synctalk.engine.graph;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads graph files (HOCON) into {@link GraphDefinition}s, applying {@code -Pkey=value} overrides
 * before substitutions are resolved, and writes resolved graphs back as HOCON. Only the shape is
 * checked here (what the model cannot hold); {@link GraphValidator} checks the meaning.
 */
public final class GraphLoader {
    static final List<String> GRAPH_KEYS = List.of("name", "description", "stages", "edges");
    static final List<String> STAGE_KEYS = List.of("type", "params", "device", "dispatcher", "parallelism");
    static final List<String> EDGE_KEYS = List.of("from", "to", "journal", "buffer");
    public static final String DEFAULT_DEVICE = "cpu";

    private GraphLoader() {
    }

    /**
     * @param overrides {@code key -> HOCON value}; a key is a root path ({@code video},
     *     {@code graph.stages.decode.params.fps}) or {@code <stage>.<param>} when its first segment names a stage
     * @throws GraphValidationException for unreadable files, syntax errors, unresolved substitutions and wrong shapes
     */
    public static GraphDefinition load(Path file, Map<String, String> overrides) {
        String fileName = file.toString();
        GraphText.Scan scan = GraphText.check(GraphText.read(file, fileName), fileName, file);
        if (!scan.errors().isEmpty()) {
            throw new GraphValidationException(fileName, scan.errors());
        }
        Config raw;
        try {
            // parseFile (not parseString) so that `include "x.conf"` resolves next to the graph file.
            raw = ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setOriginDescription(fileName).setAllowMissing(false));
        } catch (ConfigException e) {
            throw new GraphValidationException(fileName, Hocon.error(e, new Origin(fileName, 0)));
        }
        return fromRaw(raw, fileName, overrides, scan.substitutions());
    }

    /** Like {@link #load} for graph text; {@code fileName} is what messages and origins call it. */
    public static GraphDefinition parse(String hocon, String fileName, Map<String, String> overrides) {
        if (hocon.length() > GraphText.MAX_BYTES) {
            throw new GraphValidationException(fileName, new ValidationError(new Origin(fileName, 0),
                    "graph text is longer than " + (GraphText.MAX_BYTES >> 10) + " KiB"));
        }
        GraphText.Scan scan = GraphText.check(hocon, fileName, null);
        if (!scan.errors().isEmpty()) {
            throw new GraphValidationException(fileName, scan.errors());
        }
        Config raw;
        try {
            raw = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription(fileName));
        } catch (ConfigException e) {
            throw new GraphValidationException(fileName, Hocon.error(e, new Origin(fileName, 0)));
        }
        return fromRaw(raw, fileName, overrides, scan.substitutions());
    }

    /**
     * The resolved graph as HOCON text: root variables, then the graph with its stages in declaration
     * order (HOCON objects are unordered, and the order breaks ties in the topological order).
     */
    public static String render(GraphDefinition g) {
        ConfigObject root = g.resolved() != null ? g.resolved().root() : ConfigFactory.empty().root();
        ConfigObject graph = root.get("graph") instanceof ConfigObject o ? o : configOf(g).getObject("graph");
        StringBuilder out = new StringBuilder();
        out.append("# graph ").append(g.name()).append(", resolved from ").append(g.sourceFile()).append('\n');
        root.keySet().stream().filter(k -> !k.equals("graph")).sorted(byDeclaration(root))
                .forEach(k -> line(out, "", k, root.get(k)));
        out.append("graph {\n");
        graph.keySet().stream().filter(k -> !k.equals("stages") && !k.equals("edges"))
                .sorted(Comparator.comparing((String k) -> !k.equals("name")).thenComparing(byDeclaration(graph)))
                .forEach(k -> line(out, "  ", k, graph.get(k)));
        out.append("  stages {\n");
        ConfigObject stages = graph.get("stages") instanceof ConfigObject o ? o : ConfigFactory.empty().root();
        List<String> stageOrder = new ArrayList<>(g.stages().keySet());
        stages.keySet().stream().filter(k -> !g.stages().containsKey(k)).sorted(byDeclaration(stages)).forEach(stageOrder::add);
        for (String stage : stageOrder) {
            if (stages.containsKey(stage)) {
                line(out, "    ", stage, stages.get(stage));
            }
        }
        out.append("  }\n");
        if (graph.get("edges") instanceof ConfigList edges) {
            out.append("  edges = [\n");
            for (ConfigValue edge : edges) {
                out.append("    ").append(Hocon.oneLine(edge)).append('\n');
            }
            out.append("  ]\n");
        }
        out.append("}\n");
        return out.toString();
    }

    private static void line(StringBuilder out, String indent, String key, ConfigValue value) {
        out.append(indent).append(ConfigUtil.joinPath(key)).append(" = ").append(Hocon.oneLine(value)).append('\n');
    }

    private static Comparator<String> byDeclaration(ConfigObject parent) {
        return Comparator.comparingInt((String k) -> parent.get(k).origin().lineNumber()).thenComparing(k -> k);
    }

    /** {@code stage.port}, or the whole text as stage with an empty port when malformed (the validator reports it). */
    static PortRef portRef(String text) {
        try {
            return PortRef.parse(text);
        } catch (IllegalArgumentException e) {
            return new PortRef(text, "");
        }
    }

    /** The text of a port ref as written, malformed ones included. */
    static String text(PortRef ref) {
        return ref.port().isEmpty() ? ref.stage() : ref.toString();
    }

    /** The HOCON form of a model built in code, so that programmatic graphs render like files. */
    static Config configOf(GraphDefinition g) {
        return configOf(g.name(), null, g.stages(), g.edges());
    }

    static Config configOf(String name, String description, Map<String, StageDecl> stages, List<EdgeDecl> edges) {
        Map<String, Object> graph = new LinkedHashMap<>();
        graph.put("name", name);
        if (description != null) {
            graph.put("description", description);
        }
        Map<String, Object> stageBlocks = new LinkedHashMap<>();
        for (StageDecl s : stages.values()) {
            Map<String, Object> block = new LinkedHashMap<>();
            block.put("type", s.type());
            block.put("device", s.device());
            if (s.dispatcher() != null) {
                block.put("dispatcher", s.dispatcher());
            }
            if (s.parallelism() != StageDecl.DEFAULT_PARALLELISM) {
                block.put("parallelism", s.parallelism());
            }
            block.put("params", s.params() == null ? Map.of() : s.params().root().unwrapped());
            stageBlocks.put(s.name(), block);
        }
        graph.put("stages", stageBlocks);
        List<Object> edgeBlocks = new ArrayList<>();
        for (EdgeDecl e : edges) {
            edgeBlocks.add(Map.of("from", text(e.from()), "to", text(e.to()), "journal", e.journal(), "buffer", e.buffer()));
        }
        graph.put("edges", edgeBlocks);
        return ConfigValueFactory.fromMap(Map.of("graph", graph), Origin.PROGRAMMATIC.file()).toConfig();
    }

    private static GraphDefinition fromRaw(Config raw, String fileName, Map<String, String> overrides,
                                           Set<String> substitutions) {
        Origin fileOrigin = new Origin(fileName, 0);
        Config withOverrides = applyOverrides(raw, fileName, overrides, substitutions);
        Config resolved;
        try {
            resolved = withOverrides.resolve();
        } catch (ConfigException e) {
            throw new GraphValidationException(fileName, Hocon.error(e, fileOrigin));
        }
        return new ModelReader(fileName, resolved).read();
    }

    /**
     * Applies {@code -Pkey=value} overrides. Each must name something the graph has: a root variable of the file,
     * a substitution it uses ({@code ${?lpips}}), a stage ({@code decode.fps}, whose param the validator then
     * checks) or a path under {@code graph}; a typo is refused with a suggestion instead of being ignored.
     */
    private static Config applyOverrides(Config raw, String fileName, Map<String, String> overrides,
                                         Set<String> substitutions) {
        if (overrides == null || overrides.isEmpty()) {
            return raw;
        }
        Set<String> stageNames = stageNames(raw);
        List<ValidationError> errors = new ArrayList<>();
        Config config = raw;
        for (Map.Entry<String, String> override : overrides.entrySet()) {
            String key = override.getKey().trim();
            String text = override.getValue() == null ? "" : override.getValue();
            String description = "-P" + key + "=" + text;
            List<String> segments;
            try {
                segments = new ArrayList<>(ConfigUtil.splitPath(key));
            } catch (ConfigException e) {
                errors.add(new ValidationError(new Origin(description, 0), "override key '" + key + "' is not a valid path"));
                continue;
            }
            if (GraphText.depth(text) > GraphText.MAX_DEPTH) {
                errors.add(new ValidationError(new Origin(description, 0), "the value is nested more than "
                        + GraphText.MAX_DEPTH + " levels deep"));
                continue;
            }
            boolean stageParam = segments.size() >= 2 && stageNames.contains(segments.get(0))
                    && !raw.root().containsKey(segments.get(0));
            if (stageParam) {
                List<String> full = new ArrayList<>(List.of("graph", "stages", segments.get(0), "params"));
                full.addAll(segments.subList(1, segments.size()));
                segments = full;
            } else if (!namesSomething(raw, key, segments, substitutions)) {
                errors.add(new ValidationError(new Origin(description, 0), unknownOverride(raw, key, segments,
                        stageNames, substitutions)));
                continue;
            }
            config = withValue(config, segments, overrideValue(text, description));
        }
        if (!errors.isEmpty()) {
            throw new GraphValidationException(fileName, errors);
        }
        return config;
    }

    /** Whether a root path override sets a variable of the file, a substitution it uses, or part of the graph. */
    private static boolean namesSomething(Config raw, String key, List<String> segments, Set<String> substitutions) {
        String first = segments.get(0);
        if (raw.root().containsKey(first)) {
            return true;
        }
        for (String used : substitutions) {
            if (used.equals(key) || used.startsWith(key + ".") || key.startsWith(used + ".")) {
                return true;
            }
        }
        return false;
    }

    private static String unknownOverride(Config raw, String key, List<String> segments, Set<String> stageNames,
                                          Set<String> substitutions) {
        Set<String> variables = new java.util.TreeSet<>(raw.root().keySet());
        variables.remove("graph");
        for (String used : substitutions) {
            variables.add(ConfigUtil.splitPath(used).get(0));
        }
        List<String> candidates = new ArrayList<>(variables);
        candidates.addAll(stageNames);
        String first = segments.get(0);
        String suggestion = Suggestions.closest(first, candidates)
                .map(c -> "; did you mean '" + (segments.size() > 1 ? c + key.substring(first.length()) : c) + "'?")
                .orElse("");
        return "override '" + key + "' names nothing in the graph: '" + first + "' is neither a variable of the file"
                + " nor a stage" + suggestion + " (variables: " + (variables.isEmpty() ? "none" : String.join(", ", variables))
                + "; stages: " + String.join(", ", stageNames) + ")";
    }

    /**
     * Sets one path. Replacing the leaf in place keeps every enclosing object's origin (their lines);
     * where the path crosses a substitution or a merge, the override is merged on top instead so that
     * sibling values coming from the substitution survive.
     */
    private static Config withValue(Config config, List<String> segments, ConfigValue value) {
        String path = ConfigUtil.joinPath(segments);
        try {
            ConfigValue node = config.root();
            for (String segment : segments.subList(0, segments.size() - 1)) {
                if (!(node instanceof ConfigObject object)) {
                    break;
                }
                node = object.get(segment);
                if (node == null) {
                    break;
                }
                node.valueType(); // throws NotResolved for substitutions and delayed merges
            }
            return config.withValue(path, value);
        } catch (ConfigException e) {
            return ConfigFactory.empty().withValue(path, value).withFallback(config);
        }
    }

    /** Parses an override as a HOCON value; text HOCON would misread (gpu:1, a//b) stays a plain string. */
    private static ConfigValue overrideValue(String text, String description) {
        ConfigOrigin origin = ConfigOriginFactory.newSimple(description);
        String trimmed = text.trim();
        try {
            Config parsed = ConfigFactory.parseString("v = " + trimmed, ConfigParseOptions.defaults().setOriginDescription(description));
            if (parsed.root().keySet().equals(Set.of("v"))) {
                ConfigValue value = parsed.root().get("v");
                try {
                    if (value.valueType() != ConfigValueType.STRING || trimmed.startsWith("\"")
                            || value.unwrapped().equals(trimmed)) {
                        return value.withOrigin(origin);
                    }
                } catch (ConfigException.NotResolved substitution) {
                    return value; // ${var}: resolved with the rest of the file
                }
            }
        } catch (ConfigException notHocon) {
            // falls through to the plain string
        }
        return ConfigValueFactory.fromAnyRef(text, description);
    }

    private static Set<String> stageNames(Config raw) {
        try {
            if (raw.root().get("graph") instanceof ConfigObject graph && graph.get("stages") instanceof ConfigObject stages) {
                return stages.keySet();
            }
        } catch (ConfigException unresolvedGraph) {
            // a graph block built from substitutions: only full paths address it
        }
        return Set.of();
    }

    /** Turns the resolved HOCON tree into the model, collecting every shape error. */
    private static final class ModelReader {
        private final String fileName;
        private final Config resolved;
        private final List<ValidationError> errors = new ArrayList<>();

        ModelReader(String fileName, Config resolved) {
            this.fileName = fileName;
            this.resolved = resolved;
        }

        GraphDefinition read() {
            Origin fileOrigin = new Origin(fileName, 0);
            ConfigValue graphValue = resolved.root().get("graph");
            if (graphValue == null) {
                throw new GraphValidationException(fileName, new ValidationError(fileOrigin,
                        "no 'graph' block; a graph file declares graph { name, stages, edges }"));
            }
            Origin graphOrigin = Hocon.origin(graphValue, fileOrigin);
            if (!(graphValue instanceof ConfigObject graph)) {
                throw new GraphValidationException(fileName, new ValidationError(graphOrigin,
                        "'graph' must be an object, got " + Hocon.kind(graphValue)));
            }
            String name = text(graph, "name", "graph", true, graphOrigin);
            text(graph, "description", "graph", false, graphOrigin);
            Map<String, StageDecl> stages = stages(graph, graphOrigin);
            List<EdgeDecl> edges = edges(graph, graphOrigin);
            if (!errors.isEmpty()) {
                throw new GraphValidationException(fileName, errors);
            }
            return new GraphDefinition(name, fileName, stages, edges, resolved);
        }

        private Map<String, StageDecl> stages(ConfigObject graph, Origin graphOrigin) {
            Map<String, StageDecl> stages = new LinkedHashMap<>();
            ConfigValue stagesValue = graph.get("stages");
            if (stagesValue == null) {
                errors.add(new ValidationError(graphOrigin, "graph has no 'stages' block"));
                return stages;
            }
            if (!(stagesValue instanceof ConfigObject stageBlocks)) {
                errors.add(new ValidationError(Hocon.origin(stagesValue, graphOrigin),
                        "'stages' must be an object of named stage blocks, got " + Hocon.kind(stagesValue)));
                return stages;
            }
            Origin stagesOrigin = Hocon.origin(stagesValue, graphOrigin);
            // HOCON objects are unordered: the declaration order is the order of lines.
            List<String> names = stageBlocks.keySet().stream().sorted(byDeclaration(stageBlocks)).toList();
            for (String stageName : names) {
                ConfigValue value = stageBlocks.get(stageName);
                Origin at = Hocon.origin(value, stagesOrigin);
                if (!(value instanceof ConfigObject block)) {
                    errors.add(new ValidationError(at, "stage '" + stageName + "' must be a block { type = ..., params { ... } }, got "
                            + Hocon.kind(value)));
                    continue;
                }
                String what = "stage '" + stageName + "'";
                String type = text(block, "type", what, true, at);
                String device = text(block, "device", what, false, at);
                String dispatcher = text(block, "dispatcher", what, false, at);
                int parallelism = StageDecl.DEFAULT_PARALLELISM;
                ConfigValue parallelismValue = block.get("parallelism");
                if (parallelismValue != null) {
                    if (parallelismValue.valueType() == ConfigValueType.NUMBER && parallelismValue.unwrapped() instanceof Integer n) {
                        parallelism = n;
                    } else {
                        errors.add(new ValidationError(Hocon.origin(parallelismValue, at),
                                what + ": 'parallelism' must be a whole number of actors, got " + Hocon.show(parallelismValue)));
                    }
                }
                Config params = ConfigFactory.empty();
                ConfigValue paramsValue = block.get("params");
                if (paramsValue instanceof ConfigObject paramsBlock) {
                    params = paramsBlock.toConfig();
                } else if (paramsValue != null) {
                    errors.add(new ValidationError(Hocon.origin(paramsValue, at),
                            what + ": 'params' must be an object, got " + Hocon.kind(paramsValue)));
                }
                stages.put(stageName, new StageDecl(stageName, type, params, device == null ? DEFAULT_DEVICE : device,
                        dispatcher, parallelism, at));
            }
            return stages;
        }

        private List<EdgeDecl> edges(ConfigObject graph, Origin graphOrigin) {
            List<EdgeDecl> edges = new ArrayList<>();
            ConfigValue edgesValue = graph.get("edges");
            if (edgesValue == null) {
                return edges;
            }
            if (!(edgesValue instanceof ConfigList list)) {
                errors.add(new ValidationError(Hocon.origin(edgesValue, graphOrigin),
                        "'edges' must be a list of { from = stage.port, to = stage.port }, got " + Hocon.kind(edgesValue)));
                return edges;
            }
            Origin edgesOrigin = Hocon.origin(edgesValue, graphOrigin);
            for (int i = 0; i < list.size(); i++) {
                ConfigValue value = list.get(i);
                Origin at = Hocon.origin(value, edgesOrigin);
                String what = "edge " + (i + 1);
                if (!(value instanceof ConfigObject block)) {
                    errors.add(new ValidationError(at, what + " must be { from = stage.port, to = stage.port }, got " + Hocon.kind(value)));
                    continue;
                }
                String from = text(block, "from", what, true, at);
                String to = text(block, "to", what, true, at);
                boolean journal = false;
                ConfigValue journalValue = block.get("journal");
                if (journalValue != null) {
                    if (journalValue.valueType() == ConfigValueType.BOOLEAN) {
                        journal = (Boolean) journalValue.unwrapped();
                    } else {
                        errors.add(new ValidationError(Hocon.origin(journalValue, at),
                                what + ": 'journal' must be true or false, got " + Hocon.show(journalValue)));
                    }
                }
                int buffer = EdgeDecl.DEFAULT_BUFFER;
                ConfigValue bufferValue = block.get("buffer");
                if (bufferValue != null) {
                    if (bufferValue.valueType() == ConfigValueType.NUMBER && bufferValue.unwrapped() instanceof Integer n) {
                        buffer = n;
                    } else {
                        errors.add(new ValidationError(Hocon.origin(bufferValue, at),
                                what + ": 'buffer' must be a whole number of messages, got " + Hocon.show(bufferValue)));
                    }
                }
                if (from != null && to != null) {
                    edges.add(new EdgeDecl(portRef(from), portRef(to), journal, buffer, at));
                }
            }
            return edges;
        }

        /** A scalar as text (HOCON reads `name = 2024` as a number; it is still a name). */
        private String text(ConfigObject block, String key, String what, boolean required, Origin at) {
            ConfigValue value = block.get(key);
            if (value == null) {
                if (required) {
                    errors.add(new ValidationError(at, what + " has no '" + key + "'"));
                }
                return null;
            }
            return switch (value.valueType()) {
                case STRING -> (String) value.unwrapped();
                case NUMBER, BOOLEAN -> value.render(Hocon.ONE_LINE);
                default -> {
                    errors.add(new ValidationError(Hocon.origin(value, at),
                            what + ": '" + key + "' must be a string, got " + Hocon.kind(value)));
                    yield null;
                }
            };
        }
    }
}
