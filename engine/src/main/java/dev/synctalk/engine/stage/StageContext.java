package dev.synctalk.engine.stage;

import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;

/** What the engine gives a stage instance: where to write, how to log and report progress. */
public interface StageContext {

    /** The stage's name in the graph (not its type). */
    String stageName();

    String runId();

    /** {@code runs/<run-id>/}. */
    Path runDir();

    /** {@code runs/<run-id>/outputs/}: relative output paths in params resolve against it. */
    Path outputDir();

    /**
     * Resolves an output path param under {@link #outputDir()}.
     *
     * @throws IllegalArgumentException for a path that leaves the outputs folder (relative with {@code ..}, or
     *     absolute elsewhere): a run writes only inside its own directory
     */
    default Path output(Path relative) {
        Path outputs = outputDir().toAbsolutePath().normalize();
        Path resolved = outputs.resolve(relative).normalize();
        if (!resolved.startsWith(outputs)) {
            throw new IllegalArgumentException("stage '" + stageName() + "': output path '" + relative
                    + "' is not inside the run's outputs folder " + outputs + "; output paths are relative to it"
                    + " and stay inside it");
        }
        return resolved;
    }

    /**
     * On resume, the checkpoint (by the input frame index it holds the state through) that this stage
     * must restore before taking inputs; empty on a fresh run or when no checkpoint fits.
     */
    default java.util.OptionalLong restoreFrom() {
        return java.util.OptionalLong.empty();
    }

    /** {@code runs/<run-id>/checkpoints/<stage>/}: where a stateful stage keeps its checkpoints. */
    default Path checkpointDir() {
        return runDir().resolve("checkpoints").resolve(stageName());
    }

    /**
     * A live object the embedder handed to this run ({@link dev.synctalk.engine.api.Engine#start(
     * dev.synctalk.engine.graph.GraphDefinition, String, java.util.Map, java.util.Map)}): how a stage reaches
     * things outside the graph, such as a streaming session's audio inbox or its clients.
     *
     * @throws IllegalStateException naming the key when the run was started without it
     */
    default <T> T attachment(String key, Class<T> type) {
        throw new IllegalStateException("stage '" + stageName() + "' needs the live object '" + key + "' ("
                + type.getSimpleName() + "), which only an embedding service passes when it starts the run");
    }

    /** The GPU device ordinal when the stage is placed on {@code gpu:N}. */
    Optional<Integer> gpuDevice();

    Logger log();

    Progress progress();

    /** A point of a training curve (loss, PSNR...), shown on the dashboard and in metrics. */
    default void curve(String series, long step, double value) {
    }

    /** The newest preview image under {@code name} (PNG bytes), shown on the dashboard. */
    default void preview(String name, byte[] png) {
    }

    /** Long work reports how far it is; the engine shows it as a progress bar and in metrics. */
    interface Progress {
        /** Expected units of work (frames, steps); 0 or less means unknown. */
        void total(long units, String unitName);

        void advance(long units);
    }
}
