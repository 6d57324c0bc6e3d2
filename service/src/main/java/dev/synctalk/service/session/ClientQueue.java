package dev.synctalk.service.session;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.ToLongFunction;

/**
 * The bounded queue between a session and one client connection: the session puts, the connection takes
 * only as fast as its socket drains. At most {@code capacity} items wait, so a client that stops reading
 * holds at most {@code capacity} items of the server's memory. What happens when it is full is the
 * slow-client policy:
 * <ul>
 *   <li>{@link Policy#DROP_OLDEST} (live sessions): the oldest waiting item is dropped, so the client
 *       skips ahead to the present and the session keeps real time for its journal and other viewers;</li>
 *   <li>{@link Policy#BLOCK} (uploads): the session waits, which backpressures render and source; a
 *       client that takes nothing for {@code stallMillis} ends the session with an error;</li>
 *   <li>{@link Policy#DISCONNECT} (extra MP4 viewers, whose byte stream cannot skip): the viewer is cut off.</li>
 * </ul>
 */
public final class ClientQueue<T> {

    public enum Policy { DROP_OLDEST, BLOCK, DISCONNECT }

    /** A client took nothing for too long under {@link Policy#BLOCK}. */
    public static final class ClientStalledException extends RuntimeException {
        ClientStalledException(String message) {
            super(message);
        }
    }

    private final int capacity;
    private final Policy policy;
    private final long stallMillis;
    private final ToLongFunction<T> sizeBytes;
    private final ArrayDeque<T> items = new ArrayDeque<>();
    private CompletableFuture<Optional<T>> waiting;
    private long queuedBytes;
    private long maxQueuedBytes;
    private int maxQueued;
    private long delivered;
    private long dropped;
    private boolean closed;
    private boolean cancelled;

    public ClientQueue(int capacity, Policy policy, long stallMillis, ToLongFunction<T> sizeBytes) {
        if (capacity < 1) {
            throw new IllegalArgumentException("client queue capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.policy = policy;
        this.stallMillis = stallMillis;
        this.sizeBytes = sizeBytes;
    }

    /** Queues an item for the client, applying the policy when the queue is full. */
    public void put(T item) throws InterruptedException {
        CompletableFuture<Optional<T>> handOver;
        synchronized (this) {
            if (cancelled || closed) {
                dropped++;
                return;
            }
            long deadline = System.currentTimeMillis() + stallMillis;
            while (items.size() >= capacity && !cancelled) {
                switch (policy) {
                    case DROP_OLDEST -> {
                        queuedBytes -= sizeBytes.applyAsLong(items.removeFirst());
                        dropped++;
                    }
                    case DISCONNECT -> {
                        cancelled = true;
                        dropped += items.size() + 1;
                        items.clear();
                        queuedBytes = 0;
                        notifyAll();
                        CompletableFuture<Optional<T>> w = waiting;
                        waiting = null;
                        if (w != null) {
                            w.complete(Optional.empty());
                        }
                        return;
                    }
                    case BLOCK -> {
                        long left = deadline - System.currentTimeMillis();
                        if (left <= 0) {
                            throw new ClientStalledException("the client took nothing for " + stallMillis / 1000
                                    + " s with " + items.size() + " frames waiting");
                        }
                        wait(left);
                    }
                }
            }
            if (cancelled) {
                dropped++;
                return;
            }
            if (waiting != null) {
                handOver = waiting;
                waiting = null;
                delivered++;
            } else {
                handOver = null;
                items.addLast(item);
                queuedBytes += sizeBytes.applyAsLong(item);
                maxQueuedBytes = Math.max(maxQueuedBytes, queuedBytes);
                maxQueued = Math.max(maxQueued, items.size());
            }
        }
        if (handOver != null) {
            handOver.complete(Optional.of(item));
        }
    }

    /** The next item, when there is one; empty once the session closed the queue and it is drained, or on cancel. */
    public CompletionStage<Optional<T>> take() {
        synchronized (this) {
            if (!items.isEmpty()) {
                T item = items.removeFirst();
                queuedBytes -= sizeBytes.applyAsLong(item);
                delivered++;
                notifyAll();
                return CompletableFuture.completedFuture(Optional.of(item));
            }
            if (closed || cancelled) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            if (waiting != null) {
                throw new IllegalStateException("one take at a time");
            }
            waiting = new CompletableFuture<>();
            return waiting;
        }
    }

    /** The session has put its last item. */
    public void close() {
        CompletableFuture<Optional<T>> w;
        synchronized (this) {
            closed = true;
            w = waiting;
            waiting = null;
            notifyAll();
        }
        if (w != null) {
            w.complete(Optional.empty());
        }
    }

    /** The client went away: drop what waits and whatever comes. */
    public void cancel() {
        CompletableFuture<Optional<T>> w;
        synchronized (this) {
            cancelled = true;
            dropped += items.size();
            items.clear();
            queuedBytes = 0;
            w = waiting;
            waiting = null;
            notifyAll();
        }
        if (w != null) {
            w.complete(Optional.empty());
        }
    }

    public synchronized boolean cancelled() {
        return cancelled;
    }

    public int capacity() {
        return capacity;
    }

    public Policy policy() {
        return policy;
    }

    public synchronized Stats stats() {
        return new Stats(items.size(), queuedBytes, maxQueued, maxQueuedBytes, delivered, dropped);
    }

    /** @param maxQueued the most items that ever waited; maxQueuedBytes likewise in bytes */
    public record Stats(int queued, long queuedBytes, int maxQueued, long maxQueuedBytes, long delivered, long dropped) {
    }
}
