package dev.synctalk.gpu.cuda.render;

import java.util.ArrayList;
import java.util.List;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.LaunchShape;
import dev.synctalk.gpu.cuda.head.HeadModelStep;
import dev.synctalk.gpu.cuda.image.CudaGaussianBlur;
import dev.synctalk.gpu.cuda.image.CudaPortraitCompositing;
import dev.synctalk.gpu.cuda.nn.CudaNn;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.render.OccupancyMarch;
import dev.synctalk.gpu.render.VolumeRenderer;

/**
 * A frame rendered with occupancy-grid skipping (occupancy.cu): march (count live samples per ray, prefix sum,
 * write the packed live samples), the fused head networks on the live samples only, volume rendering over the
 * background, then portrait compositing (blurred face mask, masked merge into the source frame). The bitfield
 * grid is built from the network's own density at the cell centres (optionally restricted to an ellipsoid, the
 * benchmark's synthetic scene). One synchronisation per frame: the live-sample total sizes the network launch.
 */
public final class CudaOccupancyRenderer implements AutoCloseable {

    private final CudaDevice device;
    private final HeadModelStep network;
    private final OccupancyMarch march;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final DeviceBuffer bits, counts, rays, total, points, dirs, dt, t, enc, sh, sigma, rgb;
    private final DeviceBuffer background, image, depth, weightsSum;
    private long lastLiveSamples;

    public CudaOccupancyRenderer(CudaDevice device, HeadModelStep network, OccupancyMarch march, float[] backgroundRgb) {
        this.device = device;
        this.network = network;
        this.march = march;
        long maxSamples = Math.max((long) march.rays() * march.samplesPerRay(), march.cells());
        bits = own(device.allocate(4L * march.bitfieldWords()));
        counts = own(device.allocate(4L * march.rays()));
        rays = own(device.allocate(8L * march.rays()));
        total = own(device.allocate(4));
        points = own(device.allocateFloats(3 * maxSamples));
        dirs = own(device.allocateFloats(3 * maxSamples));
        dt = own(device.allocateFloats(maxSamples));
        t = own(device.allocateFloats(maxSamples));
        enc = own(device.allocateFloats(36 * maxSamples));
        sh = own(device.allocateFloats(16 * maxSamples));
        sigma = own(device.allocateFloats(maxSamples));
        rgb = own(device.allocateFloats(3 * maxSamples));
        if (backgroundRgb.length != 3L * march.rays()) {
            throw new IllegalArgumentException("background holds " + backgroundRgb.length + " floats, " + march.rays()
                    + " RGB pixels need " + 3L * march.rays());
        }
        background = own(device.upload(backgroundRgb));
        image = own(device.allocateFloats(3L * march.rays()));
        depth = own(device.allocateFloats(march.rays()));
        weightsSum = own(device.allocateFloats(march.rays()));
    }

    private DeviceBuffer own(DeviceBuffer b) {
        owned.add(b);
        return b;
    }

    private LaunchShape perItem(long items) {
        return KernelCatalog.elementwise(device, items);
    }

    /**
     * Builds the bitfield from the network's density at every cell centre: occupied where density > threshold
     * and, when {@code ellipsoidSemiAxes} is given, inside that ellipsoid (centred at the origin). Returns the
     * number of occupied cells (synchronises).
     */
    public long buildGrid(float threshold, float[] ellipsoidSemiAxes) {
        int cells = march.cells();
        device.kernel(KernelCatalog.OCCUPANCY_CELL_CENTRES).launch(perItem(cells),
                KernelArgs.create().i32(march.resolution()).f32(march.bound()).buffer(points).buffer(dirs));
        network.forwardSamples(cells, points, dirs, enc, sh, sigma, rgb);
        if (ellipsoidSemiAxes != null) {
            device.kernel(KernelCatalog.OCCUPANCY_ELLIPSOID_MASK).launch(perItem(cells),
                    KernelArgs.create().i32(cells).buffer(points).f32(ellipsoidSemiAxes[0]).f32(ellipsoidSemiAxes[1])
                            .f32(ellipsoidSemiAxes[2]).buffer(sigma));
        }
        buildBits(device, cells, sigma, threshold, bits);
        long occupied = 0;
        for (float word : device.download(bits, march.bitfieldWords())) {
            occupied += Integer.bitCount(Float.floatToRawIntBits(word));
        }
        return occupied;
    }

    public static void buildBits(CudaDevice device, int cells, DeviceBuffer density, float threshold, DeviceBuffer bits) {
        device.kernel(KernelCatalog.OCCUPANCY_BUILD).launch(KernelCatalog.elementwise(device, (cells + 31) / 32),
                KernelArgs.create().i32(cells).buffer(density).f32(threshold).buffer(bits));
    }

    /** Marching only: counts, ranges and packed live samples for {@code bitfield}; returns the total (synchronises). */
    public static long march(CudaDevice device, OccupancyMarch m, DeviceBuffer bitfield, DeviceBuffer counts,
                             DeviceBuffer rays, DeviceBuffer total, DeviceBuffer points, DeviceBuffer dirs,
                             DeviceBuffer dt, DeviceBuffer t) {
        LaunchShape perRay = KernelCatalog.elementwise(device, m.rays());
        device.kernel(KernelCatalog.MARCH_COUNT).launch(perRay, KernelArgs.create().i32(m.width()).i32(m.height())
                .f32(m.focalPx()).f32(m.cameraZ()).f32(m.bound()).i32(m.resolution()).buffer(bitfield)
                .i32(m.samplesPerRay()).buffer(counts));
        device.kernel(KernelCatalog.SCAN_RAYS).launch(new LaunchShape(1, 1, 1, 1024, 1, 1, 0),
                KernelArgs.create().i32(m.rays()).buffer(counts).buffer(rays).buffer(total));
        long live = Float.floatToRawIntBits(device.download(total, 1)[0]);
        device.kernel(KernelCatalog.MARCH_WRITE).launch(perRay, KernelArgs.create().i32(m.width()).i32(m.height())
                .f32(m.focalPx()).f32(m.cameraZ()).f32(m.bound()).i32(m.resolution()).buffer(bitfield)
                .i32(m.samplesPerRay()).buffer(rays).buffer(points).buffer(dirs).buffer(dt).buffer(t));
        return live;
    }

    /** Marches, runs the networks on the live samples and composites the head over the background. */
    public long renderHead() {
        lastLiveSamples = march(device, march, bits, counts, rays, total, points, dirs, dt, t);
        network.forwardSamples(lastLiveSamples, points, dirs, enc, sh, sigma, rgb);
        CudaNn.volumeRenderForward(device, new CudaNn.DeviceRays(march.rays(), rays, DeviceView.of(sigma),
                DeviceView.of(rgb), DeviceView.of(dt), DeviceView.of(t)), VolumeRenderer.TRAINING_THRESHOLD,
                DeviceView.of(background), DeviceView.of(image), DeviceView.of(depth), DeviceView.of(weightsSum));
        return lastLiveSamples;
    }

    /**
     * Portrait compositing of the last head render into {@code frame}: the RGB face mask blurred (its channel 0
     * becomes the merge weight), then out = head * m + frame * (1 - m). Scratch buffers are image-sized.
     */
    public void composePortrait(CudaGaussianBlur blur, DeviceBuffer frame, DeviceBuffer faceMaskRgb,
                                DeviceBuffer blurScratch, DeviceBuffer blurredMaskRgb, DeviceBuffer mask,
                                DeviceBuffer out) {
        long pixels = march.rays();
        blur.blur(faceMaskRgb, blurScratch, blurredMaskRgb, march.width(), march.height());
        device.kernel(KernelCatalog.TAKE_CHANNEL).launch(perItem(pixels),
                KernelArgs.create().i64(pixels).buffer(blurredMaskRgb).i32(0).buffer(mask));
        CudaPortraitCompositing.merge(device, pixels, image, frame, mask, out);
    }

    public long lastLiveSamples() {
        return lastLiveSamples;
    }

    public DeviceBuffer image() {
        return image;
    }

    @Override
    public void close() {
        owned.forEach(DeviceBuffer::close);
        owned.clear();
    }
}
