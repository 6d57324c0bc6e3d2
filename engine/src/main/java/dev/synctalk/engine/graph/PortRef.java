package dev.synctalk.engine.graph;

/** {@code stage.port} as written in an edge. */
public record PortRef(String stage, String port) {
    public static PortRef parse(String text) {
        int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1 || text.indexOf('.', dot + 1) >= 0) {
            throw new IllegalArgumentException("expected 'stage.port', got '" + text + "'");
        }
        return new PortRef(text.substring(0, dot), text.substring(dot + 1));
    }

    @Override
    public String toString() {
        return stage + "." + port;
    }
}
