package dev.synctalk.engine.graph;

/**
 * A connection from an output port to an input port.
 *
 * @param journal whether every message on this edge is written to a Chronicle Queue journal
 * @param buffer how many messages may wait on this edge before the producer is backpressured
 */
public record EdgeDecl(PortRef from, PortRef to, boolean journal, int buffer, Origin origin) {
    public static final int DEFAULT_BUFFER = 4;

    /** Stable id used for journal folder names: {@code from-stage.port--to-stage.port}. */
    public String id() {
        return from + "--" + to;
    }
}
