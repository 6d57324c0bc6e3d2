package dev.synctalk.engine.graph;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;

/**
 * A parsed graph: stages in declaration order and edges. {@code resolved} is the whole resolved
 * HOCON (overrides applied), written into the run directory so that resume and replay use exactly the
 * graph the run started with.
 */
public record GraphDefinition(String name, String sourceFile, Map<String, StageDecl> stages, List<EdgeDecl> edges,
                              Config resolved) {
    public GraphDefinition {
        stages = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stages));
        edges = List.copyOf(edges);
    }
}
