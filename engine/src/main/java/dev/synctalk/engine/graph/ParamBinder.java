package dev.synctalk.engine.graph;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.StageType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Binds a stage's HOCON {@code params} block to its type's config record. Keys are the record
 * components in kebab-case; {@link Param} gives defaults. Every problem is reported, not just the first.
 */
public final class ParamBinder {

    /**
     * One parameter as shown by {@code graphs describe}; {@code defaultValue} is HOCON text or null,
     * {@code range} the allowed numbers ({@code "1..240"}, {@code ">= 0"}) or null when unbounded.
     */
    public record ParamInfo(String key, String javaType, boolean required, String defaultValue, String doc,
                            String range, boolean output) {
    }

    private ParamBinder() {
    }

    /** @throws GraphValidationException listing every missing, ill-typed or unknown param */
    public static <C extends Record> C bind(StageType<C> type, Config params, Origin where) {
        List<ValidationError> errors = new ArrayList<>();
        C config = bind(type, null, params, where, errors);
        if (!errors.isEmpty()) {
            throw new GraphValidationException(where.file(), errors);
        }
        return config;
    }

    /**
     * @throws IllegalArgumentException when the record is not a valid config record (a component
     *     without {@link Param}, an unsupported type, a default that does not parse)
     */
    public static List<ParamInfo> describe(Class<? extends Record> configType) {
        List<String> problems = new ArrayList<>();
        List<Spec> specs = specs(configType, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return specs.stream()
                .map(s -> new ParamInfo(s.key, typeName(s.type), s.required(), s.defaultText(), s.param.doc(),
                        rangeText(s.param), s.param.output()))
                .toList();
    }

    /** {@code sampleRateHz} -> {@code sample-rate-hz}; {@code gpuID} -> {@code gpu-id}. */
    static String kebab(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean afterLower = i > 0 && !Character.isUpperCase(camel.charAt(i - 1));
                boolean endsAcronym = i > 0 && Character.isUpperCase(camel.charAt(i - 1))
                        && i + 1 < camel.length() && Character.isLowerCase(camel.charAt(i + 1));
                if (afterLower || endsAcronym) {
                    out.append('-');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Binds and reports into {@code errors}; returns null when anything is wrong. */
    static <C extends Record> C bind(StageType<C> type, String stageName, Config params, Origin where,
                                     List<ValidationError> errors) {
        String subject = stageName == null
                ? "stage type '" + type.name() + "'"
                : "stage '" + stageName + "' (type " + type.name() + ")";
        Class<C> configType = type.configType();
        List<String> problems = new ArrayList<>();
        List<Spec> specs = specs(configType, problems);
        if (!problems.isEmpty()) {
            for (String problem : problems) {
                errors.add(new ValidationError(where, subject + " has a broken config record (a bug in the stage type): "
                        + problem));
            }
            return null;
        }
        int errorsBefore = errors.size();
        Set<String> keys = specs.stream().map(s -> s.key).collect(Collectors.toCollection(LinkedHashSet::new));
        for (String given : params.root().keySet()) {
            if (!keys.contains(given)) {
                String known = keys.isEmpty() ? "it takes no params" : "its params: " + String.join(", ", keys);
                errors.add(new ValidationError(Hocon.origin(params.root().get(given), where),
                        subject + " has no param '" + given + "'" + Suggestions.didYouMean(given, keys) + " (" + known + ")"));
            }
        }
        Object[] args = new Object[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            Spec spec = specs.get(i);
            ConfigValue value = params.root().get(spec.key);
            if (value == null || value.valueType() == ConfigValueType.NULL) {
                if (spec.required()) {
                    errors.add(new ValidationError(where, subject + " is missing required param '" + spec.key + "' ("
                            + expectation(spec.type) + (spec.param.doc().isEmpty() ? "" : ": " + spec.param.doc()) + ")"));
                } else {
                    args[i] = spec.defaultValue;
                }
                continue;
            }
            try {
                args[i] = convert(value, spec.type);
                String problem = outOfBounds(spec.param, args[i]);
                if (problem != null) {
                    errors.add(new ValidationError(Hocon.origin(value, where), subject + " param '" + spec.key + "': "
                            + problem + ", got " + Hocon.show(value)));
                }
            } catch (Mismatch mismatch) {
                errors.add(new ValidationError(Hocon.origin(value, where), subject + " param '" + spec.key + "': expected "
                        + expectation(spec.type) + ", got " + Hocon.show(value) + mismatch.detail()));
            }
        }
        if (errors.size() > errorsBefore) {
            return null;
        }
        try {
            Constructor<C> constructor = configType.getDeclaredConstructor(
                    specs.stream().map(s -> s.component.getType()).toArray(Class<?>[]::new));
            constructor.trySetAccessible();
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            // The record's own checks (compact constructor) rejected the combination of values.
            Throwable cause = e.getCause();
            errors.add(new ValidationError(where, subject + " rejected its params: "
                    + (cause.getMessage() != null ? cause.getMessage() : cause.toString())));
        } catch (ReflectiveOperationException e) {
            errors.add(new ValidationError(where, subject + " cannot construct " + configType.getName() + ": " + e));
        }
        return null;
    }

    private record Spec(String key, RecordComponent component, Param param, Type type, Object defaultValue) {
        boolean required() {
            return Param.REQUIRED.equals(param.defaultValue());
        }

        String defaultText() {
            String text = param.defaultValue();
            return Param.REQUIRED.equals(text) || Param.NONE.equals(text) ? null : text;
        }
    }

    private static List<Spec> specs(Class<? extends Record> configType, List<String> problems) {
        List<Spec> specs = new ArrayList<>();
        for (RecordComponent component : configType.getRecordComponents()) {
            String where = configType.getName() + "." + component.getName();
            Param param = component.getAnnotation(Param.class);
            if (param == null) {
                problems.add("component " + where + " has no @Param annotation");
                continue;
            }
            Type type = component.getGenericType();
            if (!supported(type)) {
                problems.add("component " + where + " has unsupported type " + type.getTypeName()
                        + " (supported: int, long, double, float, boolean, String, Path, enums, List of those)");
                continue;
            }
            Object defaultValue = null;
            String text = param.defaultValue();
            if (Param.NONE.equals(text) && component.getType().isPrimitive()) {
                problems.add("component " + where + " is primitive and cannot default to NONE (null)");
                continue;
            }
            if (param.output() && component.getType() != Path.class) {
                problems.add("component " + where + " is marked output but is not a Path");
                continue;
            }
            if (!Param.REQUIRED.equals(text) && !Param.NONE.equals(text)) {
                try {
                    defaultValue = convert(parseValue(text), type);
                } catch (Mismatch | ConfigException e) {
                    problems.add("default '" + text + "' of " + where + " is not a valid " + expectation(type));
                    continue;
                }
                String problem = outOfBounds(param, defaultValue);
                if (problem != null) {
                    problems.add("default '" + text + "' of " + where + ": " + problem);
                    continue;
                }
            }
            specs.add(new Spec(kebab(component.getName()), component, param, type, defaultValue));
        }
        return specs;
    }

    /** What is wrong with a converted value given its param's bounds, or null when it is within them. */
    private static String outOfBounds(Param param, Object value) {
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String problem = outOfBounds(param, list.get(i));
                if (problem != null) {
                    return "element " + i + ": " + problem;
                }
            }
            return null;
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (d < param.min() || d > param.max()) {
                return "must be " + describeRange(param);
            }
        }
        if (value instanceof Path p && param.output()) {
            Path normal = p.normalize();
            if (p.isAbsolute() || normal.startsWith("..")) {
                return "an output path is relative to the run's outputs folder and stays inside it (runs/<id>/outputs/);"
                        + " '" + p + "' " + (p.isAbsolute() ? "is absolute" : "leaves it");
            }
        }
        return null;
    }

    private static String describeRange(Param param) {
        boolean low = param.min() != Double.NEGATIVE_INFINITY;
        boolean high = param.max() != Double.POSITIVE_INFINITY;
        if (low && high) {
            return "in [" + number(param.min()) + ", " + number(param.max()) + "]";
        }
        return low ? "at least " + number(param.min()) : "at most " + number(param.max());
    }

    private static String rangeText(Param param) {
        boolean low = param.min() != Double.NEGATIVE_INFINITY;
        boolean high = param.max() != Double.POSITIVE_INFINITY;
        if (low && high) {
            return number(param.min()) + ".." + number(param.max());
        }
        return low ? ">= " + number(param.min()) : high ? "<= " + number(param.max()) : null;
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static ConfigValue parseValue(String hocon) {
        // An empty default means the empty string, which HOCON cannot write unquoted.
        return ConfigFactory.parseString("v = " + (hocon.isEmpty() ? "\"\"" : hocon)).getValue("v");
    }

    private static final class Mismatch extends Exception {
        private static final long serialVersionUID = 1L;

        Mismatch(String detail) {
            super(detail, null, false, false);
        }

        String detail() {
            return getMessage() == null ? "" : getMessage();
        }
    }

    private static boolean supported(Type type) {
        if (type instanceof ParameterizedType p) {
            return p.getRawType() == List.class && p.getActualTypeArguments()[0] instanceof Class<?> element
                    && !element.isPrimitive() && scalar(element);
        }
        return type instanceof Class<?> c && scalar(c);
    }

    private static boolean scalar(Class<?> c) {
        return c == int.class || c == Integer.class || c == long.class || c == Long.class || c == double.class
                || c == Double.class || c == float.class || c == Float.class || c == boolean.class || c == Boolean.class
                || c == String.class || c == Path.class || c.isEnum();
    }

    private static Object convert(ConfigValue value, Type type) throws Mismatch {
        if (type instanceof ParameterizedType p) {
            if (!(value instanceof ConfigList list)) {
                throw new Mismatch(null);
            }
            Class<?> element = (Class<?>) p.getActualTypeArguments()[0];
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                try {
                    out.add(convertScalar(list.get(i), element));
                } catch (Mismatch m) {
                    throw new Mismatch(" (element " + i + " is " + Hocon.show(list.get(i)) + ", not "
                            + expectation(element) + ")");
                }
            }
            return List.copyOf(out);
        }
        return convertScalar(value, (Class<?>) type);
    }

    private static Object convertScalar(ConfigValue value, Class<?> c) throws Mismatch {
        ConfigValueType kind = value.valueType();
        Object raw = value.unwrapped();
        if (c == int.class || c == Integer.class) {
            long whole = whole(value);
            if (whole < Integer.MIN_VALUE || whole > Integer.MAX_VALUE) {
                throw new Mismatch(" (out of int range)");
            }
            return (int) whole;
        }
        if (c == long.class || c == Long.class) {
            return whole(value);
        }
        if (c == double.class || c == Double.class) {
            return number(value).doubleValue();
        }
        if (c == float.class || c == Float.class) {
            return number(value).floatValue();
        }
        if (c == boolean.class || c == Boolean.class) {
            if (kind != ConfigValueType.BOOLEAN) {
                throw new Mismatch(null);
            }
            return raw;
        }
        if (c == String.class) {
            return switch (kind) {
                case STRING -> raw;
                // Unquoted 123 or true in HOCON is still the text the user wrote.
                case NUMBER, BOOLEAN -> value.render(Hocon.ONE_LINE);
                default -> throw new Mismatch(null);
            };
        }
        if (c == Path.class) {
            if (kind != ConfigValueType.STRING) {
                throw new Mismatch(null);
            }
            try {
                return Path.of((String) raw);
            } catch (InvalidPathException e) {
                throw new Mismatch(" (" + e.getReason() + ")");
            }
        }
        if (c.isEnum()) {
            if (kind != ConfigValueType.STRING) {
                throw new Mismatch(null);
            }
            String wanted = ((String) raw).replace('-', '_');
            for (Object constant : c.getEnumConstants()) {
                if (((Enum<?>) constant).name().equalsIgnoreCase(wanted)) {
                    return constant;
                }
            }
            throw new Mismatch(null);
        }
        throw new IllegalStateException("unsupported param type " + c.getName());
    }

    private static Number number(ConfigValue value) throws Mismatch {
        if (value.valueType() != ConfigValueType.NUMBER) {
            throw new Mismatch(null);
        }
        return (Number) value.unwrapped();
    }

    private static long whole(ConfigValue value) throws Mismatch {
        Number n = number(value);
        if (n instanceof Integer || n instanceof Long) {
            return n.longValue();
        }
        double d = n.doubleValue();
        if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) > 0x1p62) {
            throw new Mismatch(null);
        }
        return (long) d;
    }

    /** The Java type as written in the record, for {@code describe}. */
    private static String typeName(Type type) {
        if (type instanceof ParameterizedType p) {
            return "List<" + ((Class<?>) p.getActualTypeArguments()[0]).getSimpleName() + ">";
        }
        return ((Class<?>) type).getSimpleName();
    }

    /** What a value must look like, for error messages. */
    private static String expectation(Type type) {
        if (type instanceof ParameterizedType p) {
            return "a list of " + expectation(p.getActualTypeArguments()[0]);
        }
        Class<?> c = (Class<?>) type;
        if (c.isEnum()) {
            return "one of " + Arrays.stream(c.getEnumConstants())
                    .map(e -> ((Enum<?>) e).name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .collect(Collectors.joining(", "));
        }
        if (c == Integer.class) {
            return "int";
        }
        if (c == Long.class || c == Double.class || c == Float.class || c == Boolean.class) {
            return c.getSimpleName().toLowerCase(Locale.ROOT);
        }
        if (c == String.class) {
            return "string";
        }
        if (c == Path.class) {
            return "path string";
        }
        return c.getName();
    }
}
