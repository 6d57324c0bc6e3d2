package dev.synctalk.nerf.cuda;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.DeviceEvent;
import dev.synctalk.gpu.cuda.PinnedHostBuffer;
import dev.synctalk.gpu.cuda.image.CudaFrameRgb8;
import dev.synctalk.gpu.cuda.nn.DeviceView;
import dev.synctalk.gpu.cuda.torso.CudaTorsoRenderer;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.render.FramePipeline;
import dev.synctalk.nerf.FrameComposition;
import dev.synctalk.nerf.FrameJob;
import dev.synctalk.nerf.HostFrameRenderer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Finished 8-bit frames on the device, pipelined: the twin of {@link HostFrameRenderer}. Per frame, with nothing
 * read back until the frame is collected:
 * <ol>
 *   <li>the frame's inputs (pose, expression, audio window; in portrait mode the original frame and face mask as
 *       bytes) are written into the slot's pinned staging memory and copied to the device asynchronously;</li>
 *   <li>{@link CudaHeadRenderer#enqueue} renders the head (over the background, or alone for the torso);</li>
 *   <li>the frame is composed on the device: quantized (frame.cu), head over torso over background
 *       ({@link CudaTorsoRenderer#compositeOnDevice}) then quantized, or pasted into the original (portrait_rgb8);</li>
 *   <li>the 8-bit frame (0.75 MB at 512x512, not 4 MB of floats) and the live-sample count are copied into the
 *       slot's pinned output and the slot's event is recorded.</li>
 * </ol>
 * Collecting a frame waits on its event only, so with two slots the device renders frame N + 1 while the host
 * takes frame N. All frames share the device-side buffers; the stream's order keeps frames apart. One thread.
 */
public final class CudaFrameRenderer implements AutoCloseable {
    private static final long POSE_BYTES = 64;
    private static final long EXPRESSION_OFFSET = 64;
    private static final long AUDIO_OFFSET = 128;
    private static final int EXPRESSION_FLOATS = 7;

    private final CudaDevice device;
    private final CudaHeadRenderer head;
    private final CudaTorsoRenderer torso;
    private final CameraRays camera;
    private final FrameComposition composition;
    private final long pixels;
    private final long audioFloats;
    private final long originalOffset;
    private final long maskOffset;
    private final long inputBytes;
    private final long countOffset;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final DeviceBuffer background;
    private final DeviceBuffer frameRgb8;
    private final DeviceBuffer original;
    private final DeviceBuffer mask;
    private long lastLiveSamples;

    /**
     * @param head       the head renderer (its model is the trained head, or a trainer's current one)
     * @param torso      the torso renderer for {@link FrameComposition#HEAD_OVER_TORSO} (it holds its own
     *                   background), else null
     * @param background the background image [H*W*3] for the head-over-background and portrait frames; unused with a
     *                   torso (may be null then)
     */
    public CudaFrameRenderer(CudaHeadRenderer head, CudaTorsoRenderer torso, CameraRays camera, float[] background,
                             FrameComposition composition) {
        this.pixels = (long) camera.width() * camera.height();
        if ((composition == FrameComposition.HEAD_OVER_TORSO) != (torso != null)) {
            throw new IllegalArgumentException(composition + " frames " + (torso == null ? "need" : "take no")
                    + " torso renderer");
        }
        if (torso != null && torso.pixelCount() != pixels) {
            throw new IllegalArgumentException("the torso renderer makes frames of " + torso.pixelCount()
                    + " pixels, the camera " + pixels);
        }
        if (composition != FrameComposition.HEAD_OVER_TORSO && (background == null || background.length != 3 * pixels)) {
            throw new IllegalArgumentException("a " + camera.width() + "x" + camera.height() + " background holds "
                    + 3 * pixels + " floats, got " + (background == null ? "none" : background.length));
        }
        this.device = head.device();
        this.head = head;
        this.torso = torso;
        this.camera = camera;
        this.composition = composition;
        this.audioFloats = head.audioWindowFloats();
        this.originalOffset = align(AUDIO_OFFSET + 4 * audioFloats);
        boolean portrait = composition == FrameComposition.PORTRAIT;
        this.maskOffset = originalOffset + (portrait ? 3 * pixels : 0);
        this.inputBytes = maskOffset + (portrait ? pixels : 0);
        this.countOffset = align(3 * pixels);
        try {
            head.prepare(camera);
            this.background = composition == FrameComposition.HEAD_OVER_TORSO ? null : own(device.upload(background));
            this.frameRgb8 = own(device.allocate(3 * pixels));
            this.original = portrait ? own(device.allocate(3 * pixels)) : null;
            this.mask = portrait ? own(device.allocate(pixels)) : null;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static long align(long bytes) {
        return (bytes + 255) & ~255L;
    }

    private DeviceBuffer own(DeviceBuffer b) {
        owned.add(b);
        return b;
    }

    public FrameComposition composition() {
        return composition;
    }

    /** Network-evaluated samples of the last collected frame. */
    public long lastLiveSamples() {
        return lastLiveSamples;
    }

    /** A pipeline of {@code depth} slots (pinned staging and an event each) over this renderer. */
    public FramePipeline<FrameJob, byte[]> pipeline(int depth) {
        return new FramePipeline<>(depth, DeviceSlot::new);
    }

    /** One frame in flight: pinned inputs and output, and the event that marks its download done. */
    private final class DeviceSlot implements FramePipeline.Slot<FrameJob, byte[]> {
        private final PinnedHostBuffer input;
        private final PinnedHostBuffer output;
        private final DeviceEvent done;

        DeviceSlot() {
            PinnedHostBuffer in = null;
            PinnedHostBuffer out = null;
            try {
                in = device.allocatePinned(inputBytes);
                out = device.allocatePinned(countOffset + 4);
                this.done = device.createEvent();
            } catch (RuntimeException e) {
                if (in != null) {
                    in.close();
                }
                if (out != null) {
                    out.close();
                }
                throw e;
            }
            this.input = in;
            this.output = out;
        }

        @Override
        public void start(FrameJob job) {
            float[] audio = job.conditioning().audioWindow().data();
            head.requireAudioWindow(audio.length);
            float[] expression = job.conditioning().expression().data();
            if (expression.length != EXPRESSION_FLOATS) {
                throw new IllegalArgumentException("an expression has " + EXPRESSION_FLOATS + " coefficients, got "
                        + expression.length);
            }
            FrameJob.Portrait portrait = composition == FrameComposition.PORTRAIT
                    ? job.requirePortrait(Math.toIntExact(pixels)) : null;
            ByteBuffer staging = input.bytes();
            staging.position(0);
            staging.asFloatBuffer().put(job.pose().data());
            staging.position((int) EXPRESSION_OFFSET);
            staging.asFloatBuffer().put(expression);
            staging.position((int) AUDIO_OFFSET);
            staging.asFloatBuffer().put(audio);
            device.copyToDeviceAsync(input, 0, head.pose(), 0, POSE_BYTES);
            device.copyToDeviceAsync(input, EXPRESSION_OFFSET, head.expression(), 0, 4L * EXPRESSION_FLOATS);
            device.copyToDeviceAsync(input, AUDIO_OFFSET, head.audioWindow(), 0, 4 * audioFloats);
            if (portrait != null) {
                staging.position((int) originalOffset);
                staging.put(portrait.originalRgb());
                staging.position((int) maskOffset);
                staging.put(portrait.faceMaskGreen());
                device.copyToDeviceAsync(input, originalOffset, original, 0, 3 * pixels);
                device.copyToDeviceAsync(input, maskOffset, mask, 0, pixels);
            }
            int code = job.conditioning().frameIndex();
            switch (composition) {
                case HEAD_OVER_BACKGROUND -> {
                    head.enqueue(camera, code, DeviceView.of(background));
                    CudaFrameRgb8.quantize(device, pixels, head.image(), frameRgb8);
                }
                case HEAD_OVER_TORSO -> {
                    head.enqueue(camera, code, DeviceView.absent());
                    torso.renderLayer(DeviceView.of(head.pose()), 0);
                    DeviceBuffer composed = torso.compositeOnDevice(DeviceView.of(head.image()),
                            DeviceView.of(head.opacity()));
                    CudaFrameRgb8.quantize(device, pixels, composed, frameRgb8);
                }
                case PORTRAIT -> {
                    head.enqueue(camera, code, DeviceView.of(background));
                    CudaFrameRgb8.portrait(device, pixels, head.image(), original, 0, mask, 0, frameRgb8);
                }
            }
            device.copyToHostAsync(frameRgb8, 0, output, 0, 3 * pixels);
            device.copyToHostAsync(head.liveSampleCount(), 0, output, countOffset, 4);
            done.record();
        }

        @Override
        public byte[] finish() {
            done.synchronize();
            ByteBuffer view = output.bytes();
            byte[] rgb = new byte[Math.toIntExact(3 * pixels)];
            view.get(rgb);
            lastLiveSamples = view.getInt((int) countOffset);
            return rgb;
        }

        @Override
        public void close() {
            done.close();
            input.close();
            output.close();
        }
    }

    @Override
    public void close() {
        owned.forEach(DeviceBuffer::close);
        owned.clear();
    }
}
