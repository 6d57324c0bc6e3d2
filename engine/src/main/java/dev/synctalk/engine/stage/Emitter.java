package dev.synctalk.engine.stage;

/** Where a stage puts its outputs. Only valid during the call it was passed to. */
@FunctionalInterface
public interface Emitter {
    /** Emits {@code message} on output port {@code port}; the port must be declared by the stage type. */
    void emit(String port, Indexed message);
}
