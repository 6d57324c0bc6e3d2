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

    /**
     * What the stage types say a user should hear before the run starts ({@link StageType#warnings}), each
     * prefixed with its stage, in graph order.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public List<String> warnings() {
        List<String> out = new java.util.ArrayList<>();
        for (String stage : order) {
            StageType type = types.get(stage);
            for (Object warning : type.warnings(configs.get(stage))) {
                out.add("stage '" + stage + "' (" + type.name() + "): " + warning);
            }
        }
        return out;
    }
    public ValidatedGraph {
        types = Map.copyOf(types);
        configs = Map.copyOf(configs);
        order = List.copyOf(order);
    }
}
