package dev.synctalk.engine.graph;

import java.util.Objects;

/** One problem found in a graph: where it was declared and what is wrong, printed as {@code file:line: reason}. */
public record ValidationError(Origin origin, String message) {
    public ValidationError {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return origin + ": " + message;
    }
}
