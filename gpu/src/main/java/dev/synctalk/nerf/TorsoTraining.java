package dev.synctalk.nerf;

/**
 * A torso trainer as the torso-train stage drives it, one implementation per backend: {@link TorsoTrainer}
 * (CPU, the reference) and the CUDA trainer ({@code dev.synctalk.gpu.cuda.torso.CudaTorsoTrainer}), which
 * train the same {@link TorsoModel} with the same losses, optimiser groups, schedule, sampler and checkpoint
 * format. Step k trains on the frame and pixels {@link TorsoPixelSampler} draws for k.
 */
public interface TorsoTraining extends TorsoTrainerState, AutoCloseable {

    /** Where it runs, for logs (e.g. "CPU, 16 threads"). */
    String description();

    TorsoTrainingData data();

    /** The training frame (index into {@link #data()}) of step {@code step}. */
    int frameOfStep(long step);

    /**
     * Trains step {@link #step()} and advances.
     *
     * @throws TorsoDivergedException when the loss or a parameter is no longer finite; the trainer is then
     *                                unusable, and nothing of this step must be checkpointed
     */
    TorsoStepResult trainStep();

    /** Torso over the background for training frame {@code frame} with its torso code, [H*W*3] (a preview). */
    float[] renderFrame(int frame);

    @Override
    void close();
}
