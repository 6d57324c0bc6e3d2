package dev.synctalk.sync;

import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.PortSpec;

import java.nio.file.Path;
import java.util.List;

/**
 * The stage type of a Face-Sync trainer: one {@link SyncSamples} batch in per step, one
 * {@link SyncStepReport} out; its state depends on every earlier step unless it restores one of its
 * checkpoints ({@link SyncCheckpoints}), which is how the engine resumes it.
 */
abstract class SyncTrainerType<C extends Record> extends NativeStageType<C> {

    SyncTrainerType(String name, String description, Class<C> configType, String reported) {
        super(name, description, configType, List.of(PortSpec.of("samples", SyncSamples.class, "the samples of one step")),
                List.of(PortSpec.of("steps", SyncStepReport.class, reported)));
    }

    @Override
    public int lookbackFrames() {
        return ALL_HISTORY;
    }

    @Override
    public List<Long> checkpoints(C config, Path dir) {
        return SyncCheckpoints.list(dir);
    }
}
