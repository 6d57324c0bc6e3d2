package dev.synctalk.engine.graph;

import dev.synctalk.engine.stage.StageType;
import java.util.List;
import java.util.Map;

/**
 * A graph that passed validation: every stage's type is known and its params are bound to the type's
 * config record; {@code order} is a topological order of stage names (producers before consumers).
 */
public record ValidatedGraph(GraphDefinition definition, Map<String, StageType<?>> types, Map<String, Record> configs,
                             List<String> order) {
    public ValidatedGraph {
        types = Map.copyOf(types);
        configs = Map.copyOf(configs);
        order = List.copyOf(order);
    }
}
