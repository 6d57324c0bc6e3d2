package dev.synctalk.engine.runtime;

import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.engine.stage.StageType;
import dev.synctalk.monitoring.StageMetrics;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Everything a {@link StageActor} needs to create and run its stage. Immutable.
 *
 * @param seekFrom for sources on resume: the first frame downstream still needs (0 on a fresh run)
 * @param parallelism how many actors run the stage, each with its own instance (above 1 only for stateless types)
 */
public record StageHost(String name, StageType<?> type, Record config, StageContext context, StageMetrics metrics,
                        long seekFrom, int parallelism) {
    public StageHost {
        if (parallelism < 1 || parallelism > 1 && !type.stateless()) {
            throw new IllegalArgumentException("stage '" + name + "' (type " + type.name() + "): parallelism "
                    + parallelism + " needs a stateless stage type and at least 1 actor");
        }
    }

    public String typeName() {
        return type.name();
    }

    public Set<String> outputPorts() {
        Set<String> ports = new LinkedHashSet<>();
        for (PortSpec p : type.outputs()) {
            ports.add(p.name());
        }
        return ports;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    Stage instantiate() throws Exception {
        return ((StageType) type).create(config, context);
    }
}
