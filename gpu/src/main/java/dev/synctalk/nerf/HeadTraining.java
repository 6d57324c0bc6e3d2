package dev.synctalk.nerf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Head training by step number, on one of two implementations of the same model: {@link CpuHeadTraining}
 * (the reference, op by op on a {@link dev.synctalk.gpu.tensor.Backend}) and the device-resident trainer
 * (dev.synctalk.nerf.cuda.CudaHeadTrainer). Both read the same {@link HeadTrainingData}, draw the same pixels
 * from {@link TrainingSampler}, follow the same {@link HeadTrainingPlan} and write the same {@link Checkpoint}
 * format, so a checkpoint of one loads in the other.
 */
public interface HeadTraining extends AutoCloseable {

    HeadTrainingPlan plan();

    /** Steps done (the next step's number). */
    long step();

    /**
     * Runs step {@link #step()}: samples its frame and rays, forward, losses, backward, AdamW.
     *
     * @throws TrainingDivergedException when the loss or a parameter is not finite (nothing is written)
     */
    TrainStepResult trainStep();

    void writeCheckpoint(Path file) throws IOException;

    /** Restores a checkpoint written by either implementation. */
    void restoreCheckpoint(Path file) throws IOException;

    /** Renders with the current parameters (previews). */
    HeadRendering renderer();

    /** What runs the steps, for the log. */
    String description();

    /** Device memory in use by this process's context, bytes; empty on the CPU. */
    default OptionalLong deviceMemoryUsedBytes() {
        return OptionalLong.empty();
    }

    /** The device's total memory, bytes; empty on the CPU. */
    default OptionalLong deviceMemoryTotalBytes() {
        return OptionalLong.empty();
    }

    @Override
    void close();
}
