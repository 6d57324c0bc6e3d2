package dev.synctalk.engine.stage;

import java.util.List;

/**
 * The factory and contract of one stage type, as named by {@code type = ...} in graph files.
 * Implementations are discovered with {@link java.util.ServiceLoader} (list them in
 * {@code META-INF/services/dev.synctalk.engine.stage.StageType}) or registered programmatically.
 * By convention the implementation is a nested {@code Type} class of the stage class, next to its
 * {@code Config} record.
 *
 * @param <C> the config record; its components annotated with {@link Param} are the graph params
 */
public interface StageType<C extends Record> {
    int ALL_HISTORY = Integer.MAX_VALUE;

    /** The graph-file name, kebab-case, e.g. {@code video-decode}. */
    String name();

    /** One line for {@code graphs describe} and {@code --help}. */
    String description();

    Class<C> configType();

    List<PortSpec> inputs();

    List<PortSpec> outputs();

    default Placement placement() {
        return Placement.CPU;
    }

    /**
     * How many frames before frame {@code i} of its inputs this stage needs to produce output frame
     * {@code i} exactly (for example STFT context). Resume seeks sources this much earlier.
     * {@link #ALL_HISTORY} means the stage's state depends on every earlier frame (unless it restores a
     * checkpoint, see {@link #checkpoints}).
     */
    default int lookbackFrames() {
        return 0;
    }

    /**
     * True when the stage keeps no state between frames: what it emits for a frame depends only on that
     * frame's inputs (and on what it loads when created), and it emits nothing in {@code finish}. A graph may
     * then run it as several actors with {@code parallelism = N}; the engine restores frame order before
     * the next stage. Validation refuses {@code parallelism} above 1 for every other stage type.
     */
    default boolean stateless() {
        return false;
    }

    /**
     * Stateful stages that checkpoint (a training step owning its model): the input frame indices
     * through which the complete checkpoints in {@code checkpointDir} hold the stage's state, oldest
     * first. On resume the engine picks the newest one whose outputs downstream already has (journaled),
     * tells the stage through {@link StageContext#restoreFrom()}, feeds it only later inputs, and restarts
     * sources upstream right after it. Keep a few: the newest may be ahead of the journals.
     */
    default java.util.List<Long> checkpoints(C config, java.nio.file.Path checkpointDir) {
        return java.util.List.of();
    }

    /**
     * Checks that the checkpoint through input frame {@code through} (one that {@link #checkpoints} listed) can
     * be restored, e.g. its checksum. Resume skips a checkpoint that fails, with a warning naming it, and takes
     * the next older one.
     *
     * @throws Exception naming the checkpoint file and what is wrong with it
     */
    default void verifyCheckpoint(C config, java.nio.file.Path checkpointDir, long through) throws Exception {
    }

    /**
     * Process-wide preparation the stage's code needs before any stage starts, such as loading native
     * libraries (FFmpeg, OpenCV through JavaCPP). The engine calls it once per type and JVM, for every type
     * of a graph, on one thread, before it creates any stage: native class initialisers run concurrently on
     * several actor threads can deadlock on JavaCPP's loader lock.
     */
    default void prepare() throws Exception {
    }

    /**
     * What a user should hear at the start of a run with this config, though it does not stop the run: a
     * missing optional weight file, a feature that will fall back. Shown by {@code graphs validate} and logged
     * when the run starts, not when the stage gets to it.
     */
    default List<String> warnings(C config) {
        return List.of();
    }

    Stage create(C config, StageContext context) throws Exception;

    default PortSpec input(String port) {
        return inputs().stream().filter(p -> p.name().equals(port)).findFirst().orElse(null);
    }

    default PortSpec output(String port) {
        return outputs().stream().filter(p -> p.name().equals(port)).findFirst().orElse(null);
    }
}
