package dev.synctalk.sync;

import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.conv.CpuConvOps;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudaRuntime;
import dev.synctalk.gpu.cuda.SharedCudaDevices;
import dev.synctalk.gpu.cuda.conv.CudnnAudioVisualEncoder;
import dev.synctalk.gpu.cuda.conv.CudnnConvOps;
import dev.synctalk.nerf.audio.AudioVisualEncoder;

import java.util.Optional;

/**
 * Where a Face-Sync stage computes, from where the graph placed it: {@code device = "gpu:N"} gives cuDNN
 * on device N (shared with the other stages there, on its one thread), anything else the CPU reference
 * ops. Closing gives the device back.
 */
public final class FaceSyncCompute implements AutoCloseable {
    /** Windows per cuDNN encoder call. */
    private static final int ENCODE_BATCH = 256;

    private final ConvOps ops;
    private final CudaDevice device;
    private final int ordinal;
    private AudioVisualEncoder cachedEncoder;
    private CudnnAudioVisualEncoder cudnnEncoder;

    private FaceSyncCompute(ConvOps ops, CudaDevice device, int ordinal) {
        this.ops = ops;
        this.device = device;
        this.ordinal = ordinal;
    }

    /** @param cpuThreads threads of the CPU ops; 0 or less = one per core */
    public static FaceSyncCompute open(StageContext context, int cpuThreads) {
        if (context.gpuDevice().isEmpty()) {
            return cpu(cpuThreads);
        }
        int ordinal = context.gpuDevice().get();
        if (!CudaRuntime.available()) {
            throw new IllegalStateException("stage '" + context.stageName() + "' is placed on gpu:" + ordinal
                    + " but CUDA is not available here (" + CudaRuntime.unavailableReason()
                    + "); place it on the CPU with device = \"cpu\"");
        }
        CudaDevice device = SharedCudaDevices.acquire(ordinal);
        try {
            FaceSyncCompute compute = new FaceSyncCompute(new CudnnConvOps(device), device, ordinal);
            context.log().info("stage '{}': Face-Sync networks on {}", context.stageName(), compute.ops.name());
            return compute;
        } catch (RuntimeException | LinkageError e) {
            SharedCudaDevices.release(ordinal);
            throw e;
        }
    }

    /** The CPU reference ops. */
    public static FaceSyncCompute cpu(int threads) {
        return new FaceSyncCompute(new CpuConvOps(threads > 0 ? threads : Runtime.getRuntime().availableProcessors()),
                null, -1);
    }

    public ConvOps ops() {
        return ops;
    }

    /** The CUDA device when on the GPU. */
    public Optional<CudaDevice> device() {
        return Optional.ofNullable(device);
    }

    /**
     * Audio-visual encoder features [n, featureDim] of mel windows [n, 1, 80, 16], on cuDNN when on the GPU
     * ({@link CudnnAudioVisualEncoder}), else on the CPU ({@link AudioVisualEncoder#encode}).
     */
    public float[] encode(AudioVisualEncoder encoder, float[] mels, int n) {
        int windowFloats = AudioVisualEncoder.MEL_BANDS * AudioVisualEncoder.WINDOW_FRAMES;
        if (device == null) {
            return encoder.encode(dev.synctalk.gpu.tensor.Tensor.wrap(mels, n, 1, AudioVisualEncoder.MEL_BANDS,
                    AudioVisualEncoder.WINDOW_FRAMES)).data();
        }
        if (cachedEncoder != encoder) {
            if (cudnnEncoder != null) {
                cudnnEncoder.close();
            }
            // weights uploaded and algorithms chosen once per encoder, reused call after call
            cudnnEncoder = new CudnnAudioVisualEncoder(device, encoder, ENCODE_BATCH);
            cachedEncoder = encoder;
        }
        float[] out = new float[n * encoder.featureDim()];
        for (int s = 0; s < n; s += ENCODE_BATCH) {
            int m = Math.min(ENCODE_BATCH, n - s);
            float[] part = java.util.Arrays.copyOfRange(mels, s * windowFloats, (s + m) * windowFloats);
            System.arraycopy(cudnnEncoder.encode(part, m), 0, out, s * encoder.featureDim(), m * encoder.featureDim());
        }
        return out;
    }

    @Override
    public void close() {
        if (cudnnEncoder != null) {
            cudnnEncoder.close();
        }
        ops.close();
        if (device != null) {
            SharedCudaDevices.release(ordinal);
        }
    }
}
