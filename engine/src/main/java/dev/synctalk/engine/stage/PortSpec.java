package dev.synctalk.engine.stage;

import java.util.Objects;

/** A typed input or output port of a stage type. Messages on it are instances of {@code type}. */
public record PortSpec(String name, Class<? extends Indexed> type, String description) {
    public PortSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description;
    }

    public static PortSpec of(String name, Class<? extends Indexed> type, String description) {
        return new PortSpec(name, type, description);
    }
}
