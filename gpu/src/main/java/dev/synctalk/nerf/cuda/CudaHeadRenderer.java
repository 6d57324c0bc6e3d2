package dev.synctalk.nerf.cuda;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.LaunchShape;
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
 * {@link Renderer} on the device: the frame's audio code (smallnn.cu), rays of every pixel (camera_rays), then
 * rounds of marching and compositing with early termination (headtrain.cu render_*): each round marches the
 * next samples of the rays still alive (2, 2, 4, 8 per ray: the single-pass marcher's samples, resumed), the
 * fused head network evaluates them, and the composite continues; a ray stops at transmittance below the
 * threshold or when it has no more samples. Samples after a ray's termination, which the CPU {@link Renderer}
 * marches and then ignores, are never evaluated; the image is the same composite. The alive count is read back
 * once per round (it sizes the next launches), the image and opacity at the end.
 */
public final class CudaHeadRenderer implements HeadRendering, AutoCloseable {
    private final CudaDevice device;
    private final DeviceHeadNetwork net;
    private final boolean ownsNetwork;
    private final RayMarcher marcher;
    private final List<DeviceBuffer> frameBuffers = new ArrayList<>();
    private final DeviceBuffer pose;
    private final DeviceBuffer total;
    private int pixels;
    private DeviceBuffer origins, dirs, rayState, rayCounts, aliveFlags, ranges, listA, listB, taken, points, sampleDirs,
            dt, t, enc, sh, sigma, rgb, image, depth, weightsSum, background;
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
        uploadedBackground = null;
        pixels = count;
        long samples = (long) count * marcher.maxSteps();
        origins = frameBuffer(3L * count);
        dirs = frameBuffer(3L * count);
        rayState = frameBuffer(8L * count);
        rayCounts = frameBuffer(count);
        aliveFlags = frameBuffer(count);
        ranges = frameBuffer(2L * count);
        listA = frameBuffer(count);
        listB = frameBuffer(count);
        taken = frameBuffer(count);
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
    }

    public long lastLiveSamples() {
        return lastLiveSamples;
    }

    @Override
    public Renderer.Frame render(CameraRays camera, Tensor cameraPose, FrameConditioning conditioning,
                                 Tensor backgroundImage) {
        int count = camera.width() * camera.height();
        if (backgroundImage != null) {
            Tensor.requireShape("background", backgroundImage, count, 3);
        }
        Tensor.requireShape("camera pose", cameraPose, 4, 4);
        ensureSize(count);
        if (backgroundImage != null && backgroundImage != uploadedBackground) {
            device.copyToDevice(backgroundImage.data(), background);
            uploadedBackground = backgroundImage;
        }
        device.copyToDevice(cameraPose.data(), pose);
        device.copyToDevice(conditioning.audioWindow().data(), net.audio.windowFeatures());
        device.copyToDevice(conditioning.expression().data(), net.expression);
        net.pack();
        net.audio.forward();
        device.kernel(KernelCatalog.CAMERA_RAYS).launch(KernelCatalog.elementwise(device, count),
                KernelArgs.create().i32(camera.width()).i32(camera.height()).f32(camera.fx()).f32(camera.fy())
                        .f32(camera.cx()).f32(camera.cy()).buffer(pose).buffer(origins).buffer(dirs));
        device.kernel(KernelCatalog.RENDER_RAYS_INIT).launch(KernelCatalog.elementwise(device, count),
                KernelArgs.create().i32(count).buffer(origins).buffer(dirs).f32(marcher.bound()).f32(marcher.minNear())
                        .buffer(rayState).buffer(rayCounts).buffer(aliveFlags));
        int alive = compact(count, null, listA);
        long evaluated = 0;
        long codeOffset = net.codeOffset(conditioning.frameIndex());
        DeviceBuffer list = listA;
        DeviceBuffer other = listB;
        for (int round = 0; alive > 0; round++) {
            int k = round < 2 ? 2 : Math.min(marcher.maxSteps(), 4 << (round - 2));
            long slots = (long) alive * k;
            device.kernel(KernelCatalog.RENDER_MARCH_ROUND).launch(KernelCatalog.elementwise(device, alive),
                    KernelArgs.create().i32(alive).buffer(list).i32(k).buffer(origins).buffer(dirs).buffer(net.occupancy)
                            .f32(marcher.bound()).f32(marcher.dtGamma()).f32(marcher.dtMin()).f32(marcher.dtMax())
                            .i32(marcher.maxSteps()).i32(marcher.gridResolution()).buffer(rayState).buffer(rayCounts)
                            .buffer(taken).buffer(points).buffer(sampleDirs).buffer(dt).buffer(t));
            net.encode(slots, points, enc);
            CudaNn.shForward(device, slots, DeviceView.of(sampleDirs), DeviceView.of(sh), 16);
            FusedHeadKernels.forward(device, slots, enc, sh, net.packed, net.audio.code(), net.expression, 0,
                    codeOffset < 0 ? null : net.codes.params, Math.max(0, codeOffset), sigma, 0, rgb, null, null, null);
            device.kernel(KernelCatalog.RENDER_COMPOSITE_ROUND).launch(KernelCatalog.elementwise(device, alive),
                    KernelArgs.create().i32(alive).buffer(list).i32(k).buffer(taken).buffer(sigma).buffer(rgb).buffer(dt)
                            .buffer(t).f32(VolumeRenderer.TRAINING_THRESHOLD).buffer(rayState).buffer(rayCounts)
                            .buffer(aliveFlags));
            evaluated += slots;
            alive = compact(alive, list, other);
            DeviceBuffer swap = list;
            list = other;
            other = swap;
        }
        lastLiveSamples = evaluated;
        device.kernel(KernelCatalog.RENDER_FINISH).launch(KernelCatalog.elementwise(device, count),
                KernelArgs.create().i32(count).buffer(rayState).optionalBuffer(backgroundImage == null ? null : background)
                        .buffer(image).buffer(depth).buffer(weightsSum));
        Tensor outImage = Tensor.zeros(count, 3);
        Tensor opacity = Tensor.zeros(count);
        device.copyToHost(image, outImage.data());
        device.copyToHost(weightsSum, opacity.data());
        return new Renderer.Frame(camera.width(), camera.height(), outImage, opacity);
    }

    /** into = the entries of {@code from} (null: 0 .. count - 1) whose alive flag is set; returns how many. */
    private int compact(int count, DeviceBuffer from, DeviceBuffer into) {
        device.kernel(KernelCatalog.SCAN_RAYS).launch(new LaunchShape(1, 1, 1, 1024, 1, 1, 0),
                KernelArgs.create().i32(count).buffer(aliveFlags).buffer(ranges).buffer(total));
        device.kernel(KernelCatalog.RENDER_COMPACT).launch(KernelCatalog.elementwise(device, count),
                KernelArgs.create().i32(count).optionalBuffer(from).buffer(aliveFlags).buffer(ranges).buffer(into));
        return device.downloadInts(total, 1)[0];
    }

    @Override
    public void close() {
        frameBuffers.forEach(DeviceBuffer::close);
        frameBuffers.clear();
        pose.close();
        total.close();
        if (ownsNetwork) {
            net.close();
        }
    }
}
