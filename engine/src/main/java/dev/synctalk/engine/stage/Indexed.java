package dev.synctalk.engine.stage;

/**
 * Every message that travels on an edge carries the frame index it belongs to: the join key across
 * branches, the resume position of journals, and the order of outputs.
 */
public interface Indexed {
    long frameIndex();
}
