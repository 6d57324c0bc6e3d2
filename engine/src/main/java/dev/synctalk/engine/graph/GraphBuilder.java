package dev.synctalk.engine.graph;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Graphs built in code (the embedding API). The result is the same model a file gives, validated by
 * the same {@link GraphValidator}, with {@link Origin#PROGRAMMATIC} as the origin of every element.
 */
public final class GraphBuilder {
    private final String name;
    private String description;
    private final Map<String, StageDecl> stages = new LinkedHashMap<>();
    private final List<EdgeDecl> edges = new ArrayList<>();

    private GraphBuilder(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    public static GraphBuilder named(String name) {
        return new GraphBuilder(name);
    }

    public GraphBuilder description(String text) {
        this.description = text;
        return this;
    }

    /**
     * @param params param key (kebab-case, as in files) to value: numbers, booleans, strings, paths,
     *     enums, lists and maps of those; null values are left out (the param's default applies)
     */
    public GraphBuilder stage(String name, String type, Map<String, ?> params) {
        return stageOnDevice(name, type, GraphLoader.DEFAULT_DEVICE, params);
    }

    public GraphBuilder stageOnDevice(String name, String type, String device, Map<String, ?> params) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(device, "device");
        if (stages.containsKey(name)) {
            throw new IllegalArgumentException("graph " + this.name + " already has a stage named '" + name + "'");
        }
        stages.put(name, new StageDecl(name, type, paramsConfig(name, params), device, null, Origin.PROGRAMMATIC));
        return this;
    }

    /**
     * Runs {@code stage} (already added, of a stateless type) as {@code actors} actors; frame order is
     * restored before its outputs move on.
     */
    public GraphBuilder parallelism(String stage, int actors) {
        StageDecl s = stages.get(stage);
        if (s == null) {
            throw new IllegalArgumentException("graph " + name + " has no stage named '" + stage + "'");
        }
        stages.put(stage, new StageDecl(s.name(), s.type(), s.params(), s.device(), s.dispatcher(), actors, s.origin()));
        return this;
    }

    /** Connects {@code "stage.port"} to {@code "stage.port"}, not journaled, default buffer. */
    public GraphBuilder edge(String from, String to) {
        return edge(from, to, false, EdgeDecl.DEFAULT_BUFFER);
    }

    public GraphBuilder journaledEdge(String from, String to) {
        return edge(from, to, true, EdgeDecl.DEFAULT_BUFFER);
    }

    public GraphBuilder edge(String from, String to, boolean journal, int buffer) {
        edges.add(new EdgeDecl(GraphLoader.portRef(Objects.requireNonNull(from, "from")),
                GraphLoader.portRef(Objects.requireNonNull(to, "to")), journal, buffer, Origin.PROGRAMMATIC));
        return this;
    }

    public GraphDefinition build() {
        return new GraphDefinition(name, Origin.PROGRAMMATIC.file(), stages, edges,
                GraphLoader.configOf(name, description, stages, edges));
    }

    private static Config paramsConfig(String stage, Map<String, ?> params) {
        Map<String, Object> plain = new LinkedHashMap<>();
        if (params != null) {
            params.forEach((key, value) -> {
                if (value != null) {
                    plain.put(key, plain(stage, key, value));
                }
            });
        }
        return ConfigValueFactory.fromMap(plain, Origin.PROGRAMMATIC.file()).toConfig();
    }

    /** Java values as the HOCON values a file would hold. */
    private static Object plain(String stage, String key, Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Path path) {
            return path.toString();
        }
        if (value instanceof Enum<?> constant) {
            return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        if (value instanceof Iterable<?> items) {
            List<Object> list = new ArrayList<>();
            items.forEach(item -> list.add(plain(stage, key, item)));
            return list;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> object = new LinkedHashMap<>();
            map.forEach((k, v) -> object.put(String.valueOf(k), plain(stage, key, v)));
            return object;
        }
        throw new IllegalArgumentException("stage '" + stage + "' param '" + key + "': cannot express a "
                + value.getClass().getName() + " as a graph param value");
    }
}
