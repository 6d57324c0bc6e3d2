package dev.synctalk.nerf.cuda;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.nerf.HeadTrainingData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@link HeadTrainingData} uploaded once: every frame's pixels as bytes (rgbm [H*W][4], background [H*W][3]) in
 * chunks of frames (so no single allocation is rounded up by gigabytes), the poses [F][16] and the audio
 * features [frames][size]. Frames are read one at a time from the data's pixel source and not kept on the host.
 * A dataset that does not fit the device's free memory is refused before anything is uploaded.
 */
final class DeviceTrainingData implements AutoCloseable {
    private static final long CHUNK_BYTES = 256L << 20;

    private final CudaDevice device;
    private final HeadTrainingData data;
    private final int framesPerChunk;
    private final List<DeviceBuffer> rgbmChunks = new ArrayList<>();
    private final List<DeviceBuffer> backgroundChunks = new ArrayList<>();
    final DeviceBuffer poses;
    final DeviceBuffer audioFeatures;

    /**
     * @param workingBytes device memory the training step itself needs beside the data (checked together)
     * @param progress     called after each frame's upload with (frames done, frame count); may be null
     */
    DeviceTrainingData(CudaDevice device, HeadTrainingData data, long workingBytes,
                       java.util.function.BiConsumer<Integer, Integer> progress) {
        this.device = device;
        this.data = data;
        int pixels = data.pixelCount();
        long audioBytes = 4L * data.audioFeatures().length * data.featureSize();
        long needed = data.pixelBytes() + audioBytes + 64L * data.frameCount() + workingBytes;
        long free = device.freeMemoryBytes();
        if (needed > free) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the training data does not fit on %s: %d frames"
                            + " of %dx%d need %.2f GiB as bytes (images, masks, backgrounds) plus %.2f GiB for the"
                            + " training step, %.2f GiB in all, but %.2f GiB of %.2f GiB are free. Use fewer frames (a"
                            + " shorter video), smaller frames, fewer rays per step, or a GPU with more memory.",
                    device, data.frameCount(), data.width(), data.height(), gib(data.pixelBytes() + audioBytes),
                    gib(workingBytes), gib(needed), gib(free), gib(device.totalMemoryBytes())));
        }
        this.framesPerChunk = (int) Math.max(1, Math.min(data.frameCount(), CHUNK_BYTES / (4L * pixels)));
        float[] poseData = new float[16 * data.frameCount()];
        for (int f = 0; f < data.frameCount(); f++) {
            System.arraycopy(data.frames().get(f).pose(), 0, poseData, 16 * f, 16);
        }
        this.poses = device.upload(poseData);
        float[][] audio = data.audioFeatures();
        int size = data.featureSize();
        this.audioFeatures = device.allocateFloats(Math.max(1, (long) audio.length * size));
        for (int a = 0; a < audio.length; a++) {
            device.copyToDevice(audio[a], audioFeatures, (long) a * size);
        }
        byte[] rgbm = new byte[4 * pixels];
        byte[] background = new byte[3 * pixels];
        for (int f = 0; f < data.frameCount(); f++) {
            int chunk = f / framesPerChunk;
            if (chunk == rgbmChunks.size()) {
                int frames = Math.min(framesPerChunk, data.frameCount() - chunk * framesPerChunk);
                rgbmChunks.add(device.allocate(4L * pixels * frames));
                backgroundChunks.add(device.allocate(3L * pixels * frames));
            }
            try {
                data.pixelSource().read(f, rgbm, background);
            } catch (IOException e) {
                throw new UncheckedIOException("reading the pixels of training frame img_id "
                        + data.frames().get(f).imageId() + ": " + e.getMessage(), e);
            }
            int local = f % framesPerChunk;
            device.copyBytesToDevice(rgbm, rgbmChunks.get(chunk), 4L * pixels * local);
            device.copyBytesToDevice(background, backgroundChunks.get(chunk), 3L * pixels * local);
            if (progress != null) {
                progress.accept(f + 1, data.frameCount());
            }
        }
    }

    private static double gib(long bytes) {
        return bytes / (double) (1L << 30);
    }

    HeadTrainingData data() {
        return data;
    }

    DeviceBuffer rgbmChunk(int frame) {
        return rgbmChunks.get(frame / framesPerChunk);
    }

    long rgbmByteOffset(int frame) {
        return 4L * data.pixelCount() * (frame % framesPerChunk);
    }

    DeviceBuffer backgroundChunk(int frame) {
        return backgroundChunks.get(frame / framesPerChunk);
    }

    long backgroundByteOffset(int frame) {
        return 3L * data.pixelCount() * (frame % framesPerChunk);
    }

    @Override
    public void close() {
        rgbmChunks.forEach(DeviceBuffer::close);
        backgroundChunks.forEach(DeviceBuffer::close);
        poses.close();
        audioFeatures.close();
    }
}
