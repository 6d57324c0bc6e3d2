package dev.synctalk.gpu.render;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Frames rendered in order with up to {@code depth} of them queued at once: {@link #submit} starts a frame in a
 * free slot and then collects the oldest frames until fewer than {@code depth} remain in flight, so while the host
 * waits for frame N the device already holds frame N + 1 (with depth 2) and never idles between frames. Each slot
 * owns what its frame needs while in flight (on a GPU: pinned staging memory for inputs and output, and a
 * completion event); a slot is reused only after its frame was collected, and closed only when nothing is pending
 * on it. One thread drives a pipeline.
 *
 * @param <J> what describes one frame (its inputs)
 * @param <R> one finished frame, owned by the caller (never a view of slot memory)
 */
public final class FramePipeline<J, R> implements AutoCloseable {

    /** One frame's worth of resources, reused frame after frame. */
    public interface Slot<J, R> extends AutoCloseable {
        /** Stages the job's inputs and starts the frame; returns once the work is queued (or done, on a CPU). */
        void start(J job);

        /** Waits for the started frame and returns it, copied out of the slot's memory. */
        R finish();

        /** Frees the slot's resources; called once, never while a frame is pending on it. */
        @Override
        void close();
    }

    /** A collected frame. */
    public record Done<R>(long frameIndex, R frame) {
    }

    private record Pending<J, R>(long frameIndex, Slot<J, R> slot) {
    }

    private final int depth;
    private final List<Slot<J, R>> slots = new ArrayList<>();
    private final ArrayDeque<Slot<J, R>> free = new ArrayDeque<>();
    private final ArrayDeque<Pending<J, R>> inFlight = new ArrayDeque<>();
    private long lastSubmitted = Long.MIN_VALUE;
    private boolean closed;

    /** {@code depth} slots from {@code slotFactory}, made now (any made before a failing one are closed again). */
    public FramePipeline(int depth, Supplier<? extends Slot<J, R>> slotFactory) {
        if (depth < 1) {
            throw new IllegalArgumentException("a frame pipeline needs at least one slot, got " + depth);
        }
        this.depth = depth;
        try {
            for (int i = 0; i < depth; i++) {
                Slot<J, R> s = slotFactory.get();
                slots.add(s);
                free.add(s);
            }
        } catch (RuntimeException | Error e) {
            slots.forEach(FramePipeline::closeQuietly);
            throw e;
        }
    }

    public int depth() {
        return depth;
    }

    /** Frames started and not yet collected. */
    public int inFlight() {
        return inFlight.size();
    }

    /**
     * Starts frame {@code frameIndex} (indices strictly increase) and returns the frames collected to keep at most
     * {@code depth - 1} in flight, oldest first. A start that throws leaves its slot free and nothing in flight added.
     */
    public List<Done<R>> submit(long frameIndex, J job) {
        requireOpen();
        if (frameIndex <= lastSubmitted) {
            throw new IllegalArgumentException("frame " + frameIndex + " submitted after frame " + lastSubmitted
                    + ": frames go in increasing order");
        }
        if (free.isEmpty()) {
            throw new IllegalStateException("all " + depth + " slots hold frames in flight");
        }
        Slot<J, R> slot = free.poll();
        try {
            slot.start(job);
        } catch (RuntimeException | Error e) {
            free.addFirst(slot);
            throw e;
        }
        lastSubmitted = frameIndex;
        inFlight.add(new Pending<>(frameIndex, slot));
        List<Done<R>> done = new ArrayList<>(1);
        while (inFlight.size() >= depth) {
            done.add(collectOldest());
        }
        return done;
    }

    /** Waits for every frame in flight; returns them oldest first. */
    public List<Done<R>> drain() {
        requireOpen();
        List<Done<R>> done = new ArrayList<>(inFlight.size());
        while (!inFlight.isEmpty()) {
            done.add(collectOldest());
        }
        return done;
    }

    /** The oldest frame; one whose wait fails is over all the same (its slot is free again, the error goes up). */
    private Done<R> collectOldest() {
        Pending<J, R> p = inFlight.poll();
        try {
            return new Done<>(p.frameIndex(), p.slot().finish());
        } finally {
            free.add(p.slot());
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("frame pipeline is closed");
        }
    }

    /**
     * Waits for whatever is still in flight (its results are dropped; a failing frame does not stop the others from
     * being waited for), then closes every slot.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!inFlight.isEmpty()) {
            Pending<J, R> p = inFlight.poll();
            try {
                p.slot().finish();
            } catch (RuntimeException e) {
                // closing after a failure: the first error is what the caller reports
            }
        }
        slots.forEach(FramePipeline::closeQuietly);
        free.clear();
    }

    private static void closeQuietly(Slot<?, ?> s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            // keep closing the others
        }
    }
}
