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
 * {@link Renderer} on the device: the frame's audio code (smallnn.cu), rays of every pixel (camera_rays), the
 * marcher without jitter (march_train_count / write: the same marcher as training and as the CPU renderer),
 * the fused head network in render mode, and volume rendering over the background, then the image and the
 * opacity come back. One read back mid-frame (the live-sample total sizes the network launch) and one at the end.
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
        uploadedBackground = null;
        pixels = count;
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
        device.kernel(KernelCatalog.MARCH_TRAIN_COUNT).launch(KernelCatalog.elementwise(device, count),
                marchArgs(count).buffer(counts));
        device.kernel(KernelCatalog.SCAN_RAYS).launch(new LaunchShape(1, 1, 1, 1024, 1, 1, 0),
                KernelArgs.create().i32(count).buffer(counts).buffer(rayRanges).buffer(total));
        long m = device.downloadInts(total, 1)[0];
        lastLiveSamples = m;
        if (m > 0) {
            device.kernel(KernelCatalog.MARCH_TRAIN_WRITE).launch(KernelCatalog.elementwise(device, count),
                    marchArgs(count).buffer(rayRanges).buffer(points).buffer(sampleDirs).buffer(dt).buffer(t));
            net.encode(m, points, enc);
            CudaNn.shForward(device, m, DeviceView.of(sampleDirs), DeviceView.of(sh), 16);
            long codeOffset = net.codeOffset(conditioning.frameIndex());
            FusedHeadKernels.forward(device, m, enc, sh, net.packed, net.audio.code(), net.expression, 0,
                    codeOffset < 0 ? null : net.codes.params, Math.max(0, codeOffset), sigma, 0, rgb, null, null, null);
        }
        CudaNn.volumeRenderForward(device, new CudaNn.DeviceRays(count, rayRanges, DeviceView.of(sigma),
                        DeviceView.of(rgb), DeviceView.of(dt), DeviceView.of(t)), VolumeRenderer.TRAINING_THRESHOLD,
                backgroundImage == null ? DeviceView.absent() : DeviceView.of(background), DeviceView.of(image),
                DeviceView.of(depth), DeviceView.of(weightsSum));
        Tensor outImage = Tensor.zeros(count, 3);
        Tensor opacity = Tensor.zeros(count);
        device.copyToHost(image, outImage.data());
        device.copyToHost(weightsSum, opacity.data());
        return new Renderer.Frame(camera.width(), camera.height(), outImage, opacity);
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
        pose.close();
        total.close();
        if (ownsNetwork) {
            net.close();
        }
    }
}
