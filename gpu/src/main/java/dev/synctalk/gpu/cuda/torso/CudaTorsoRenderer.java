package dev.synctalk.gpu.cuda.torso;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.nerf.TorsoModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Full-frame torso rendering and compositing on the device, the twin of {@link TorsoModel#renderLayer} and
 * {@link dev.synctalk.gpu.render.HeadTorsoComposite}: for a frame's head pose and torso code, the torso layer
 * (alpha [W*H], colour [W*H, 3]) of every pixel in chunks of up to {@value #CHUNK_PIXELS} pixels, then head over
 * torso over the background image (uploaded once) into a device frame [W*H, 3]. Everything stays on the device
 * until the one download of the finished frame ({@link #frame}); a head rendered on the device composites with
 * {@link #compositeOnDevice} without any copy. One thread drives it.
 */
public final class CudaTorsoRenderer implements AutoCloseable {
    /** Pixels per forward pass: a 512x512 frame in one, with about 270 floats of activations per pixel. */
    public static final long CHUNK_PIXELS = 262_144;

    private final CudaDevice device;
    private final CudaTorsoNetwork network;
    private final boolean ownsNetwork;
    private final int width;
    private final int height;
    private final CudaTorsoNetwork.Workspace workspace;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final DeviceBuffer pose;
    private final DeviceBuffer background;
    private final DeviceBuffer alpha;
    private final DeviceBuffer rgb;
    private final DeviceBuffer out;
    private DeviceBuffer headAccum;
    private DeviceBuffer headOpacity;

    /** A renderer over {@code network}'s parameters (a trainer's, which keep training, or its own). */
    public CudaTorsoRenderer(CudaTorsoNetwork network, boolean ownsNetwork, int width, int height, float[] background) {
        long pixels = (long) width * height;
        if (background.length != 3 * pixels) {
            throw new IllegalArgumentException("background holds " + background.length + " floats, a " + width + "x"
                    + height + " RGB frame needs " + 3 * pixels);
        }
        this.device = network.device();
        this.network = network;
        this.ownsNetwork = ownsNetwork;
        this.width = width;
        this.height = height;
        try {
            this.workspace = network.workspace(Math.min(pixels, CHUNK_PIXELS), false);
            this.pose = own(device.allocateFloats(16));
            this.background = own(device.upload(background));
            this.alpha = own(device.allocateFloats(pixels));
            this.rgb = own(device.allocateFloats(3 * pixels));
            this.out = own(device.allocateFloats(3 * pixels));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A renderer of a trained (host) model: its parameters are uploaded once. */
    public static CudaTorsoRenderer of(CudaDevice device, TorsoModel model, int width, int height, float[] background) {
        CudaTorsoNetwork network = new CudaTorsoNetwork(device, model, false);
        try {
            return new CudaTorsoRenderer(network, true, width, height, background);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    private DeviceBuffer own(DeviceBuffer b) {
        owned.add(b);
        return b;
    }

    public long pixelCount() {
        return (long) width * height;
    }

    /** The torso layer of the frame with head pose {@code headPose} [16] and torso code {@code codeIndex}. */
    public void renderLayer(float[] headPose, int codeIndex) {
        if (headPose.length != 16) {
            throw new IllegalArgumentException("a head pose has 16 numbers, got " + headPose.length);
        }
        device.copyToDevice(headPose, pose);
        renderLayer(DeviceView.of(pose), codeIndex);
    }

    /**
     * As {@link #renderLayer(float[], int)} with the head pose [16] already on the device (a pipelined renderer's
     * frame input): enqueued only, nothing is copied from the host.
     */
    public void renderLayer(DeviceView headPose, int codeIndex) {
        float shrink = network.config().shrink();
        long pixels = pixelCount();
        for (long first = 0; first < pixels; first += workspace.capacity()) {
            long n = Math.min(workspace.capacity(), pixels - first);
            TorsoKernels.pixelCoords(device, n, first, width, height, shrink, DeviceView.of(workspace.shrunkCoordinates()));
            network.forward(workspace, n, headPose, codeIndex);
            TorsoKernels.output(device, n, DeviceView.of(workspace.raw()), DeviceView.of(alpha).plus(first),
                    DeviceView.of(rgb).plus(3 * first));
        }
    }

    /** The torso alpha [W*H] of the last {@link #renderLayer} (device). */
    public DeviceBuffer alpha() {
        return alpha;
    }

    /** The torso colour [W*H, 3] of the last {@link #renderLayer} (device). */
    public DeviceBuffer rgb() {
        return rgb;
    }

    /**
     * Head over the last torso layer over the background into the device frame: headAccum [W*H, 3] (the head's
     * colour rendered without background) and headOpacity [W*H], both on the device; absent views give the torso
     * over the background alone.
     */
    public DeviceBuffer compositeOnDevice(DeviceView headAccumView, DeviceView headOpacityView) {
        TorsoKernels.composite(device, pixelCount(), headAccumView, headOpacityView, DeviceView.of(alpha),
                DeviceView.of(rgb), DeviceView.of(background), DeviceView.of(out));
        return out;
    }

    /**
     * The finished frame [W*H*3] for head pose and torso code: torso layer, compositing with the head given on the
     * host (its colour without background [W*H*3] and opacity [W*H], both uploaded; null for no head), then one
     * download.
     */
    public float[] frame(float[] headPose, int codeIndex, float[] headAccumHost, float[] headOpacityHost) {
        renderLayer(headPose, codeIndex);
        DeviceView accumView = DeviceView.absent();
        DeviceView opacityView = DeviceView.absent();
        if (headAccumHost != null) {
            if (headOpacityHost == null || headAccumHost.length != 3 * pixelCount()
                    || headOpacityHost.length != pixelCount()) {
                throw new IllegalArgumentException("the head of a " + width + "x" + height + " frame needs colour ["
                        + 3 * pixelCount() + "] and opacity [" + pixelCount() + "]");
            }
            if (headAccum == null) {
                headAccum = own(device.allocateFloats(3 * pixelCount()));
                headOpacity = own(device.allocateFloats(pixelCount()));
            }
            device.copyToDevice(headAccumHost, headAccum);
            device.copyToDevice(headOpacityHost, headOpacity);
            accumView = DeviceView.of(headAccum);
            opacityView = DeviceView.of(headOpacity);
        }
        return device.download(compositeOnDevice(accumView, opacityView), Math.toIntExact(3 * pixelCount()));
    }

    @Override
    public void close() {
        if (workspace != null) {
            workspace.close();
        }
        owned.forEach(DeviceBuffer::close);
        owned.clear();
        if (ownsNetwork) {
            network.close();
        }
    }
}
