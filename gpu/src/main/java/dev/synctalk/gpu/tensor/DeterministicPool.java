package dev.synctalk.gpu.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * A fixed-size thread pool whose results never depend on its size.
 *
 * <p>Work is cut into tasks whose boundaries depend only on the problem (item count and a chunk
 * size fixed by the op), never on the number of threads. Every task writes a disjoint region, and
 * reductions go through per-chunk partial buffers that are summed in chunk order. So one thread
 * and sixteen threads produce bit-identical floats.
 */
public final class DeterministicPool implements AutoCloseable {

    /** Body of one task over the item range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** Body of one task with its own index. */
    @FunctionalInterface
    public interface TaskBody {
        void run(int task);
    }

    /** Accumulates the items [start, end) into {@code partial}, a zeroed buffer owned by this chunk. */
    @FunctionalInterface
    public interface PartialBody {
        void accumulate(int start, int end, float[] partial);
    }

    private static final int SUM_BLOCK = 4096;

    private final int threads;
    private final ForkJoinPool pool;

    public DeterministicPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, was " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} for every task index in [0, taskCount); tasks must write disjoint data. */
    public void forEachTask(int taskCount, TaskBody body) {
        if (taskCount <= 0) {
            return;
        }
        if (pool == null || taskCount == 1) {
            for (int task = 0; task < taskCount; task++) {
                body.run(task);
            }
            return;
        }
        List<Callable<Void>> calls = new ArrayList<>(taskCount);
        for (int task = 0; task < taskCount; task++) {
            int t = task;
            calls.add(() -> {
                body.run(t);
                return null;
            });
        }
        List<Future<Void>> futures = pool.invokeAll(calls);
        for (Future<Void> future : futures) {
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a CPU backend task", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("CPU backend task failed", cause);
            }
        }
    }

    /** Number of chunks [c*chunkSize, min((c+1)*chunkSize, itemCount)) that cover itemCount items. */
    public static int chunkCount(int itemCount, int chunkSize) {
        return (itemCount + chunkSize - 1) / chunkSize;
    }

    /** Runs {@code body} on consecutive item ranges of {@code chunkSize}; ranges write disjoint data. */
    public void forEachChunk(int itemCount, int chunkSize, RangeBody body) {
        int chunks = chunkCount(itemCount, chunkSize);
        forEachTask(chunks, c -> body.run(c * chunkSize, Math.min(itemCount, (c + 1) * chunkSize)));
    }

    /**
     * Deterministic reduction: each chunk of items accumulates into its own zeroed buffer of
     * {@code length} floats, then {@code target[targetOffset + i] += p_0[i] + p_1[i] + ...}, the
     * partials summed left to right in chunk order.
     */
    public void sumChunkPartials(int itemCount, int chunkSize, float[] target, int targetOffset, int length,
                                 PartialBody body) {
        int chunks = chunkCount(itemCount, chunkSize);
        if (chunks == 0) {
            return;
        }
        float[][] partials = new float[chunks][length];
        forEachTask(chunks, c -> body.accumulate(c * chunkSize, Math.min(itemCount, (c + 1) * chunkSize), partials[c]));
        forEachChunk(length, SUM_BLOCK, (start, end) -> {
            for (int i = start; i < end; i++) {
                float sum = partials[0][i];
                for (int c = 1; c < chunks; c++) {
                    sum += partials[c][i];
                }
                target[targetOffset + i] += sum;
            }
        });
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
