package dev.synctalk.engine.graph;

/** Where a graph element was declared: printed as {@code file:line} in every validation message. */
public record Origin(String file, int line) {
    public static final Origin PROGRAMMATIC = new Origin("<api>", 0);

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file;
    }
}
