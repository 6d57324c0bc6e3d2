package dev.synctalk.engine.stage;

import java.util.List;
import java.util.Objects;

/**
 * The usual shape of a {@link StageType}: name, description, config record and ports fixed at
 * construction, so a stage's {@code Type} only says how to create the stage (and overrides placement,
 * look-back or checkpoints when it has them).
 */
public abstract class AbstractStageType<C extends Record> implements StageType<C> {
    private final String name;
    private final String description;
    private final Class<C> configType;
    private final List<PortSpec> inputs;
    private final List<PortSpec> outputs;

    protected AbstractStageType(String name, String description, Class<C> configType, List<PortSpec> inputs,
                                List<PortSpec> outputs) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.configType = Objects.requireNonNull(configType, "configType");
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final Class<C> configType() {
        return configType;
    }

    @Override
    public final List<PortSpec> inputs() {
        return inputs;
    }

    @Override
    public final List<PortSpec> outputs() {
        return outputs;
    }
}
