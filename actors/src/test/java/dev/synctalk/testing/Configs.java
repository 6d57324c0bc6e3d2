package dev.synctalk.testing;

import dev.synctalk.engine.stage.Param;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds a stage config record the way a graph file would: every component from its {@link Param}
 * default, unless overridden by component name. Keeps the tests honest about the declared defaults.
 */
public final class Configs {
    private Configs() {
    }

    public static <C extends Record> C of(Class<C> type, Map<String, Object> overrides) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            if (overrides.containsKey(c.getName())) {
                args[i] = overrides.get(c.getName());
                continue;
            }
            Param param = c.getAnnotation(Param.class);
            if (param == null || param.defaultValue().equals(Param.REQUIRED)) {
                throw new IllegalArgumentException(type.getSimpleName() + "." + c.getName() + " is required");
            }
            args[i] = param.defaultValue().equals(Param.NONE) ? null : parse(param.defaultValue(), c.getType());
        }
        for (Object key : overrides.keySet()) {
            boolean known = false;
            for (RecordComponent c : components) {
                known |= c.getName().equals(key);
            }
            if (!known) {
                throw new IllegalArgumentException(type.getSimpleName() + " has no component " + key);
            }
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    private static Object parse(String text, Class<?> type) {
        String unquoted = text.startsWith("\"") && text.endsWith("\"") ? text.substring(1, text.length() - 1) : text;
        if (type == int.class) {
            return Integer.parseInt(unquoted);
        } else if (type == long.class) {
            return Long.parseLong(unquoted);
        } else if (type == double.class) {
            return Double.parseDouble(unquoted);
        } else if (type == float.class) {
            return Float.parseFloat(unquoted);
        } else if (type == boolean.class) {
            return Boolean.parseBoolean(unquoted);
        } else if (type == String.class) {
            return unquoted;
        } else if (type == Path.class) {
            return Path.of(unquoted);
        } else if (type.isEnum()) {
            for (Object constant : type.getEnumConstants()) {
                String name = ((Enum<?>) constant).name();
                if (name.equalsIgnoreCase(unquoted.replace('-', '_'))) {
                    return constant;
                }
            }
        }
        throw new IllegalArgumentException("cannot parse default '" + text + "' as " + type.getSimpleName());
    }
}
