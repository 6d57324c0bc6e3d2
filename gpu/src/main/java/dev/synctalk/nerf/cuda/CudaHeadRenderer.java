package dev.synctalk.nerf.cuda;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.render.RayScan;
import dev.synctalk.gpu.cuda.head.FusedHeadKernels;
import dev.synctalk.gpu.cuda.nn.CudaNn;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.render.RayMarcher;
import dev.synctalk.gpu.render.VolumeRenderer;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.FrameConditioning;
import dev.synctalk.nerf.HeadRendering;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.Renderer;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link Renderer} on the device: the frame's audio code (smallnn.cu), rays of every pixel (camera_rays), the
 * marcher without jitter (march_train_count / write: the same marcher as training and as the CPU renderer), the ray
 * scan ({@link RayScan}), the fused head network in render mode, and volume rendering over the background.
 *
 * <p>{@link #enqueue} puts a whole frame on the device's stream without reading anything back: the encoding, SH and
 * network launches are sized by the frame's capacity (rays x max steps) and read the live-sample total from device
 * memory, so the host can queue the next frame while this one runs ({@link CudaFrameRenderer} pipelines frames that
 * way and downloads finished 8-bit frames). {@link #render} is the synchronous {@link HeadRendering} (evaluation,
 * previews, parity checks): the same {@link #enqueue}, then the image and opacity come back as floats. The fp16
 * weights are packed when the parameters changed (a trainer's renderer), not per frame.
 */
public final class CudaHeadRenderer implements HeadRendering, AutoCloseable {
    private final CudaDevice device;
    private final DeviceHeadNetwork net;
    private final boolean ownsNetwork;
    private final RayMarcher marcher;
    private final List<DeviceBuffer> frameBuffers = new ArrayList<>();
    private final DeviceBuffer pose;
    private final DeviceBuffer total;
    private RayScan rayScan;
    private int pixels;
    private long capacity;
    private DeviceBuffer origins, dirs, counts, rayRanges, points, sampleDirs, dt, t, enc, sh, sigma, rgb, image, depth,
            weightsSum, background;
    private Tensor uploadedBackground;
    private long lastLiveSamples;

    /** A renderer with its own copy of {@code trained}'s model on {@code device} (inference). */
    public CudaHeadRenderer(CudaDevice device, HeadTrainer trained) {
        this(new DeviceHeadNetwork(device, trained), true);
    }

    CudaHeadRenderer(DeviceHeadNetwork net, boolean ownsNetwork) {
        this.device = net.device;
        this.net = net;
        this.ownsNetwork = ownsNetwork;
        this.marcher = net.host.config().marcher();
        this.pose = device.allocateFloats(16);
        this.total = device.allocate(4);
    }

    private DeviceBuffer frameBuffer(long floats) {
        DeviceBuffer b = device.allocateFloats(Math.max(1, floats));
        frameBuffers.add(b);
        return b;
    }

    private void ensureSize(int count) {
        if (count == pixels) {
            return;
        }
        frameBuffers.forEach(DeviceBuffer::close);
        frameBuffers.clear();
        if (rayScan != null) {
            rayScan.close();
            rayScan = null;
        }
        uploadedBackground = null;
        pixels = 0;
        long samples = (long) count * marcher.maxSteps();
        origins = frameBuffer(3L * count);
        dirs = frameBuffer(3L * count);
        counts = frameBuffer(count);
        rayRanges = frameBuffer(2L * count);
        points = frameBuffer(3 * samples);
        sampleDirs = frameBuffer(3 * samples);
        dt = frameBuffer(samples);
        t = frameBuffer(samples);
        enc = frameBuffer(36 * samples);
        sh = frameBuffer(16 * samples);
        sigma = frameBuffer(samples);
        rgb = frameBuffer(3 * samples);
        image = frameBuffer(3L * count);
        depth = frameBuffer(count);
        weightsSum = frameBuffer(count);
        background = frameBuffer(3L * count);
        rayScan = new RayScan(device, count);
        pixels = count;
        capacity = samples;
    }

    CudaDevice device() {
        return device;
    }

    /** Live (network-evaluated) samples of the last {@link #render}. */
    public long lastLiveSamples() {
        return lastLiveSamples;
    }

    /** The audio window [window][feature] a frame reads (fill before {@link #enqueue}). */
    DeviceBuffer audioWindow() {
        return net.audio.windowFeatures();
    }

    /** Floats of one audio window: the attention's frames x one frame's features. */
    long audioWindowFloats() {
        return (long) net.audio.window() * net.audio.featureSize();
    }

    /** The expression [7] a frame reads (fill before {@link #enqueue}). */
    DeviceBuffer expression() {
        return net.expression;
    }

    /** The camera pose [4, 4] a frame reads (fill before {@link #enqueue}). */
    DeviceBuffer pose() {
        return pose;
    }

    /** The last enqueued frame's colour [W*H, 3] (over its background, or the head alone without one). */
    DeviceBuffer image() {
        return image;
    }

    /** The last enqueued frame's head opacity [W*H]. */
    DeviceBuffer opacity() {
        return weightsSum;
    }

    /** The last enqueued frame's live-sample total (one int). */
    DeviceBuffer liveSampleCount() {
        return total;
    }

    /** Sizes the frame buffers for {@code camera} (done by the first frame otherwise). */
    void prepare(CameraRays camera) {
        ensureSize(camera.width() * camera.height());
    }

    /**
     * Enqueues one frame of {@code camera} from the inputs already in {@link #pose()}, {@link #audioWindow()} and
     * {@link #expression()}, with individual code {@code codeIndex}, over {@code backgroundView} [W*H, 3] (absent: no
     * background, the head's colour alone): into {@link #image()} and {@link #opacity()}. Reads nothing back.
     */
    void enqueue(CameraRays camera, int codeIndex, DeviceView backgroundView) {
        int count = camera.width() * camera.height();
        ensureSize(count);
        net.ensurePacked();
        phaseAudioCode();
        phaseMarch(camera);
        phaseEncode();
        phaseSphericalHarmonics();
        phaseNetwork(codeIndex);
        phaseComposite(backgroundView);
    }

    // The phases of a frame, in order; each reads only what the ones before it left on the device, so a benchmark
    // may time one on its own by repeating it (HeadTrainingBenchmark's phase table).

    /** The frame's audio code from the window in {@link #audioWindow()}. */
    void phaseAudioCode() {
        net.audio.forward();
    }

    /** Rays of every pixel, live-sample counts, the ray scan (ranges and total) and the packed samples. */
    void phaseMarch(CameraRays camera) {
        int count = pixels;
        device.kernel(KernelCatalog.CAMERA_RAYS).launch(KernelCatalog.elementwise(device, count),
                KernelArgs.create().i32(camera.width()).i32(camera.height()).f32(camera.fx()).f32(camera.fy())
                        .f32(camera.cx()).f32(camera.cy()).buffer(pose).buffer(origins).buffer(dirs));
        device.kernel(KernelCatalog.MARCH_TRAIN_COUNT).launch(KernelCatalog.elementwise(device, count),
                marchArgs(count).buffer(counts));
        rayScan.scan(count, counts, rayRanges, total);
        device.kernel(KernelCatalog.MARCH_TRAIN_WRITE).launch(KernelCatalog.elementwise(device, count),
                marchArgs(count).buffer(rayRanges).buffer(points).buffer(sampleDirs).buffer(dt).buffer(t));
    }

    // The next three are sized by the capacity (rays x max steps); each kernel reads the live total from `total`.

    /** The tri-plane encoding of the live samples. */
    void phaseEncode() {
        CudaNn.hashGridForward(device, net.gridLaunch, capacity, total, DeviceView.of(points), 3,
                DeviceView.of(net.grid.params), DeviceView.of(enc), 36);
    }

    /** The view directions' spherical harmonics. */
    void phaseSphericalHarmonics() {
        CudaNn.shForward(device, capacity, total, DeviceView.of(sampleDirs), DeviceView.of(sh), 16);
    }

    /** The fused head network in render mode: density and colour of the live samples. */
    void phaseNetwork(int codeIndex) {
        long codeOffset = net.codeOffset(codeIndex);
        FusedHeadKernels.forward(device, capacity, total, enc, sh, net.packed, net.audio.code(), net.expression, 0,
                codeOffset < 0 ? null : net.codes.params, Math.max(0, codeOffset), sigma, 0, rgb, null, null, null);
    }

    /** Volume rendering of every ray over {@code backgroundView} into the image and opacity. */
    void phaseComposite(DeviceView backgroundView) {
        CudaNn.volumeRenderForward(device, new CudaNn.DeviceRays(pixels, rayRanges, DeviceView.of(sigma),
                        DeviceView.of(rgb), DeviceView.of(dt), DeviceView.of(t)), VolumeRenderer.TRAINING_THRESHOLD,
                backgroundView, DeviceView.of(image), DeviceView.of(depth), DeviceView.of(weightsSum));
    }

    @Override
    public Renderer.Frame render(CameraRays camera, Tensor cameraPose, FrameConditioning conditioning,
                                 Tensor backgroundImage) {
        int count = camera.width() * camera.height();
        if (backgroundImage != null) {
            Tensor.requireShape("background", backgroundImage, count, 3);
        }
        Tensor.requireShape("camera pose", cameraPose, 4, 4);
        requireAudioWindow(conditioning.audioWindow().data().length);
        ensureSize(count);
        if (backgroundImage != null && backgroundImage != uploadedBackground) {
            device.copyToDevice(backgroundImage.data(), background);
            uploadedBackground = backgroundImage;
        }
        device.copyToDevice(cameraPose.data(), pose);
        device.copyToDevice(conditioning.audioWindow().data(), net.audio.windowFeatures());
        device.copyToDevice(conditioning.expression().data(), net.expression);
        enqueue(camera, conditioning.frameIndex(), backgroundImage == null ? DeviceView.absent()
                : DeviceView.of(background));
        Tensor outImage = Tensor.zeros(count, 3);
        Tensor opacity = Tensor.zeros(count);
        device.copyToHost(image, outImage.data());
        device.copyToHost(weightsSum, opacity.data());
        lastLiveSamples = device.downloadInts(total, 1)[0];
        return new Renderer.Frame(camera.width(), camera.height(), outImage, opacity);
    }

    void requireAudioWindow(long floats) {
        if (floats != audioWindowFloats()) {
            throw new IllegalArgumentException("an audio window of this model holds " + net.audio.window() + " frames of "
                    + net.audio.featureSize() + " features (" + audioWindowFloats() + " floats), got " + floats);
        }
    }

    private KernelArgs marchArgs(int count) {
        return KernelArgs.create().i32(count).buffer(origins).buffer(dirs).buffer(net.occupancy).f32(marcher.bound())
                .f32(marcher.minNear()).f32(marcher.dtGamma()).f32(marcher.dtMin()).f32(marcher.dtMax())
                .i32(marcher.maxSteps()).i32(marcher.gridResolution()).i32(0).i64(0L);
    }

    @Override
    public void close() {
        frameBuffers.forEach(DeviceBuffer::close);
        frameBuffers.clear();
        if (rayScan != null) {
            rayScan.close();
            rayScan = null;
        }
        pose.close();
        total.close();
        if (ownsNetwork) {
            net.close();
        }
    }
}
