package dev.synctalk.journal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The codecs known to a run, looked up by message class (writing) and by type name (reading). */
public final class PayloadCodecs {

    private final Map<String, PayloadCodec<?>> byName = new ConcurrentHashMap<>();
    private final Map<Class<?>, PayloadCodec<?>> byType = new ConcurrentHashMap<>();

    private PayloadCodecs() {
    }

    /** Every codec listed in {@code META-INF/services/dev.synctalk.journal.PayloadCodec} on the context class loader. */
    public static PayloadCodecs discover() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = PayloadCodecs.class.getClassLoader();
        }
        PayloadCodecs codecs = empty();
        try {
            for (PayloadCodec<?> codec : ServiceLoader.load(PayloadCodec.class, loader)) {
                codecs.register(codec);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load a payload codec listed in META-INF/services/"
                    + PayloadCodec.class.getName() + ": " + e.getMessage(), e);
        }
        return codecs;
    }

    public static PayloadCodecs empty() {
        return new PayloadCodecs();
    }

    /** Adds {@code codec}; a later registration for the same type name or class replaces the earlier one. */
    public PayloadCodecs register(PayloadCodec<?> codec) {
        Objects.requireNonNull(codec, "codec");
        String name = codec.typeName();
        Class<?> type = codec.type();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("payload codec " + codec.getClass().getName() + " has no type name");
        }
        if (type == null) {
            throw new IllegalArgumentException("payload codec " + codec.getClass().getName()
                    + " (type name '" + name + "') has no message class");
        }
        byName.put(name, codec);
        byType.put(type, codec);
        return this;
    }

    /**
     * The codec for exactly {@code type}, else the one registered for its nearest supertype (superclasses and
     * interfaces searched breadth-first, superclass before interfaces on each level).
     */
    @SuppressWarnings("unchecked")
    public <T> PayloadCodec<T> forType(Class<T> type) {
        Objects.requireNonNull(type, "type");
        Deque<Class<?>> toVisit = new ArrayDeque<>();
        Set<Class<?>> seen = new HashSet<>();
        toVisit.add(type);
        while (!toVisit.isEmpty()) {
            Class<?> candidate = toVisit.poll();
            if (!seen.add(candidate)) {
                continue;
            }
            PayloadCodec<?> codec = byType.get(candidate);
            if (codec != null) {
                return (PayloadCodec<T>) codec;
            }
            if (candidate.getSuperclass() != null) {
                toVisit.add(candidate.getSuperclass());
            }
            toVisit.addAll(java.util.Arrays.asList(candidate.getInterfaces()));
        }
        throw new IllegalArgumentException("no payload codec registered for " + type.getName()
                + " or any of its supertypes; registered classes: " + registeredClassNames());
    }

    public PayloadCodec<?> forName(String typeName) {
        PayloadCodec<?> codec = byName.get(Objects.requireNonNull(typeName, "typeName"));
        if (codec == null) {
            throw new IllegalArgumentException("no payload codec registered for type name '" + typeName
                    + "'; registered type names: " + new TreeSet<>(byName.keySet()));
        }
        return codec;
    }

    private Set<String> registeredClassNames() {
        Set<String> names = new TreeSet<>();
        byType.keySet().forEach(c -> names.add(c.getName()));
        return names;
    }
}
