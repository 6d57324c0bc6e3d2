package dev.synctalk.engine.stage;

/**
 * A running stage instance. It is owned by exactly one actor, which calls it from one thread at a
 * time, so implementations keep mutable state without locks. The engine guarantees the call order:
 * {@code seek?} then ({@code produce}* | {@code process}* then {@code finish}) then {@code close}.
 */
public interface Stage extends AutoCloseable {

    /**
     * Source stages (no input ports): emits the next outputs, called only when downstream has demand.
     * @return false once the source is exhausted (outputs emitted in that same call still count)
     */
    default boolean produce(Emitter out) throws Exception {
        throw new IllegalStateException(getClass().getSimpleName() + " is not a source stage");
    }

    /** Handles one input message, or one frame-joined tuple for stages with several input ports. */
    default void process(Inputs in, Emitter out) throws Exception {
        throw new IllegalStateException(getClass().getSimpleName() + " does not accept inputs");
    }

    /** All inputs are complete: emit whatever is still buffered and write final outputs. */
    default void finish(Emitter out) throws Exception {
    }

    /**
     * Resume, sources only: downstream needs only frames {@code >= fromFrameIndex}, so the source must
     * skip the work for earlier frames (that is the point of resuming). Stateful downstream stages learn
     * their absolute position from the frame index of their first input. The engine drops whatever is
     * still emitted below the journaled position, so seeking early is always safe. Called at most
     * once, before the first {@link #produce}.
     */
    default void seek(long fromFrameIndex) throws Exception {
    }

    @Override
    default void close() throws java.io.IOException {
    }
}
