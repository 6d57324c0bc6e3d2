package dev.synctalk.gpu.cuda.image;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.KernelRef;
import dev.synctalk.gpu.cuda.LaunchShape;
import dev.synctalk.gpu.image.GaussianTaps;

/**
 * Separable Gaussian blur of HWC float RGB images on the device (blur.cu), forward and backward; the
 * GPU twin of {@link dev.synctalk.gpu.image.GaussianBlur}. Holds its taps on the device until closed.
 */
public final class CudaGaussianBlur implements AutoCloseable {
    private final CudaDevice device;
    private final GaussianTaps taps;
    private final DeviceBuffer deviceTaps;

    public CudaGaussianBlur(CudaDevice device, GaussianTaps taps) {
        this.device = device;
        this.taps = taps;
        this.deviceTaps = device.upload(taps.weights());
    }

    public GaussianTaps taps() {
        return taps;
    }

    /**
     * out = blur(in); {@code scratch} holds the row pass. All three are width x height x 3 floats;
     * {@code out} may be {@code in}, {@code scratch} must differ from both.
     */
    public void blur(DeviceBuffer in, DeviceBuffer scratch, DeviceBuffer out, int width, int height) {
        twoPasses(KernelCatalog.BLUR_ROWS, KernelCatalog.BLUR_COLS, in, scratch, out, width, height);
    }

    /** gradIn = blur^T(gradOut): the column pass transposed first, then the row pass. */
    public void blurBackward(DeviceBuffer gradOut, DeviceBuffer scratch, DeviceBuffer gradIn, int width, int height) {
        twoPasses(KernelCatalog.BLUR_COLS_BACKWARD, KernelCatalog.BLUR_ROWS_BACKWARD, gradOut, scratch, gradIn, width,
                height);
    }

    private void twoPasses(KernelRef first, KernelRef second, DeviceBuffer in, DeviceBuffer scratch, DeviceBuffer out,
                           int width, int height) {
        if (taps.radius() >= width || taps.radius() >= height) {
            throw new IllegalArgumentException("blur radius " + taps.radius() + " needs an image larger than the radius "
                    + "in both directions, got " + width + "x" + height);
        }
        long floats = (long) width * height * 3;
        for (DeviceBuffer b : new DeviceBuffer[] {in, scratch, out}) {
            if (b.floatCount() < floats) {
                throw new IllegalArgumentException("blur buffer holds " + b.floatCount() + " floats, a " + width + "x"
                        + height + " RGB image needs " + floats);
            }
        }
        LaunchShape shape = LaunchShape.perPixel(width, height, KernelCatalog.PIXEL_BLOCK_X, KernelCatalog.PIXEL_BLOCK_Y);
        device.kernel(first).launch(shape, KernelArgs.create().buffer(in).buffer(scratch).i32(width).i32(height)
                .buffer(deviceTaps).i32(taps.radius()));
        device.kernel(second).launch(shape, KernelArgs.create().buffer(scratch).buffer(out).i32(width).i32(height)
                .buffer(deviceTaps).i32(taps.radius()));
    }

    @Override
    public void close() {
        deviceTaps.close();
    }
}
