package dev.synctalk.engine.graph;

import java.util.List;

/** A graph that cannot be loaded or run; carries every error found, not just the first. */
public class GraphValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final transient List<ValidationError> errors;

    public GraphValidationException(String file, List<ValidationError> errors) {
        super(message(file, errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a GraphValidationException needs at least one error");
        }
        this.file = file;
        this.errors = List.copyOf(errors);
    }

    public GraphValidationException(String file, ValidationError error) {
        this(file, List.of(error));
    }

    /** The graph's source file (or {@code <api>} for programmatic graphs). */
    public String file() {
        return file;
    }

    public List<ValidationError> errors() {
        return errors;
    }

    private static String message(String file, List<ValidationError> errors) {
        StringBuilder text = new StringBuilder("graph ").append(file).append(" is invalid:");
        for (ValidationError error : errors) {
            text.append("\n  ").append(error);
        }
        return text.toString();
    }
}
