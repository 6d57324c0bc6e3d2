package dev.synctalk.service.stream;

/**
 * Where a session's packets go: the service's side of {@link SessionSinkStage}, attached to the run as a
 * live object. Called on the sink's thread, in frame order.
 */
public interface SessionOutput {

    /**
     * Hands one packet to the session's clients. May block to slow the session down (the graph
     * backpressures the source), as the session's slow-client policy says.
     */
    void deliver(StreamPacket packet) throws InterruptedException;

    /** Every packet has been delivered. */
    void complete();
}
