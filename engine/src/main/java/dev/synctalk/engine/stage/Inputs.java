package dev.synctalk.engine.stage;

import java.util.Map;

/**
 * The input of one {@link Stage#process} call: a single message when the stage has one input port,
 * or one message per input port joined on the same frame index when it has several.
 */
public record Inputs(long frameIndex, Map<String, Indexed> byPort) {
    public Inputs {
        byPort = Map.copyOf(byPort);
    }

    public static Inputs single(String port, Indexed message) {
        return new Inputs(message.frameIndex(), Map.of(port, message));
    }

    public <T extends Indexed> T get(String port, Class<T> type) {
        Indexed m = byPort.get(port);
        if (m == null) {
            throw new IllegalArgumentException("no input on port '" + port + "' (have " + byPort.keySet() + ")");
        }
        return type.cast(m);
    }

    /** The only message, for single-input stages. */
    public Indexed only() {
        if (byPort.size() != 1) {
            throw new IllegalStateException("expected one input, have " + byPort.keySet());
        }
        return byPort.values().iterator().next();
    }
}
