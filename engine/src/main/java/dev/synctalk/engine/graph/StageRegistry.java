package dev.synctalk.engine.graph;

import dev.synctalk.engine.stage.StageType;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The stage types a graph may name, by their graph-file name. Built once at startup (discovery plus
 * programmatic registration), then only read; not synchronized.
 */
public final class StageRegistry {
    private final TreeMap<String, StageType<?>> byName = new TreeMap<>();

    private StageRegistry() {
    }

    /** Every {@link StageType} listed in {@code META-INF/services} on the context class loader. */
    @SuppressWarnings("rawtypes")
    public static StageRegistry discover() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = StageRegistry.class.getClassLoader();
        }
        StageRegistry registry = new StageRegistry();
        for (StageType type : ServiceLoader.load(StageType.class, loader)) {
            registry.register(type);
        }
        return registry;
    }

    public static StageRegistry of(StageType<?>... types) {
        StageRegistry registry = new StageRegistry();
        for (StageType<?> type : types) {
            registry.register(type);
        }
        return registry;
    }

    /** @throws IllegalArgumentException when another type already has this name */
    public StageRegistry register(StageType<?> type) {
        String name = type.name();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("stage type " + type.getClass().getName() + " has no name");
        }
        StageType<?> previous = byName.putIfAbsent(name, type);
        if (previous != null) {
            throw new IllegalArgumentException("stage type name '" + name + "' is registered twice: by "
                    + previous.getClass().getName() + " and by " + type.getClass().getName());
        }
        return this;
    }

    public Optional<StageType<?>> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** All types, sorted by name. */
    public Collection<StageType<?>> all() {
        return Collections.unmodifiableList(List.copyOf(byName.values()));
    }

    Collection<String> names() {
        return Collections.unmodifiableSet(byName.keySet());
    }
}
