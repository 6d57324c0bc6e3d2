package dev.synctalk.engine.api;

import dev.synctalk.monitoring.MetricsRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** A started run: await it, cancel it, watch it. */
public interface RunHandle {

    String runId();

    Path runDir();

    CompletionStage<RunResult> result();

    /** Stops every stage; the run ends CANCELLED with journals and outputs written so far kept. */
    void cancel();

    MetricsRegistry metrics();

    /** The run's metrics endpoint when the engine serves one. */
    Optional<URI> metricsUri();

    /** Receives progress about every quarter second and once more at the end; called on a engine thread. */
    void onProgress(Consumer<ProgressEvent> listener);

    default RunResult await(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return result().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("run " + runId() + " ended abnormally", e.getCause());
        }
    }

    default RunResult await() throws InterruptedException {
        try {
            return result().toCompletableFuture().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("run " + runId() + " ended abnormally", e.getCause());
        }
    }

    static CompletableFuture<RunResult> completed(RunResult r) {
        return CompletableFuture.completedFuture(r);
    }
}
