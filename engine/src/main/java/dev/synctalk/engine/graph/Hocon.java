package dev.synctalk.engine.graph;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.regex.Pattern;

/** Small bridges between Typesafe Config values and graph origins/messages. */
final class Hocon {
    private static final Pattern LINE_SUFFIX = Pattern.compile(": \\d+(-\\d+)?$");
    static final ConfigRenderOptions ONE_LINE = ConfigRenderOptions.concise().setJson(false);

    private Hocon() {
    }

    /**
     * The {@code file:line} of a value. Graph text is parsed with the file name as origin description,
     * so the description minus its {@code ": line"} suffix is the file. Values merged from several
     * places have no single line and get {@code fallback}.
     */
    static Origin origin(ConfigOrigin origin, Origin fallback) {
        if (origin == null) {
            return fallback;
        }
        String description = origin.description();
        if (description.startsWith("merge of ")) {
            return fallback;
        }
        String file = origin.filename() != null ? origin.filename() : LINE_SUFFIX.matcher(description).replaceFirst("");
        return new Origin(file, Math.max(origin.lineNumber(), 0));
    }

    static Origin origin(ConfigValue value, Origin fallback) {
        return value == null ? fallback : origin(value.origin(), fallback);
    }

    /** A Typesafe Config exception as a validation error, without the origin prefix it repeats in its message. */
    static ValidationError error(ConfigException e, Origin fallback) {
        Origin where = origin(e.origin(), fallback);
        String message = e.getMessage();
        if (e.origin() != null && message.startsWith(e.origin().description() + ": ")) {
            message = message.substring(e.origin().description().length() + 2);
        }
        return new ValidationError(where, message);
    }

    /**
     * A value as one line of HOCON. Typesafe Config leaves the braces off an object rendered on its own
     * (it assumes a root object), so they are put back here.
     */
    static String oneLine(ConfigValue value) {
        String text = value.render(ONE_LINE);
        return value.valueType() == ConfigValueType.OBJECT ? "{" + text + "}" : text;
    }

    /** The value for messages: strings quoted (so "25" and 25 differ), objects and lists on one line. */
    static String show(ConfigValue value) {
        return value.render(ConfigRenderOptions.concise());
    }

    /** The type of a value in words, for shape errors. */
    static String kind(ConfigValue value) {
        ConfigValueType type = value.valueType();
        return switch (type) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case STRING -> "a string";
        };
    }
}
