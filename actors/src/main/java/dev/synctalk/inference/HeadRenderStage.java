package dev.synctalk.inference;

import dev.synctalk.audio.MelWindow;
import dev.synctalk.dataset.DatasetException;
import dev.synctalk.dataset.DatasetFrame;
import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.DatasetSequence;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.gpu.cuda.CudaBackend;
import dev.synctalk.gpu.cuda.torso.CudaTorsoRenderer;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.compute.StageBackends;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.nerf.Checkpoint;
import dev.synctalk.nerf.FrameCompositor;
import dev.synctalk.nerf.FrameConditioning;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.HeadRendering;
import dev.synctalk.nerf.FrameComposition;
import dev.synctalk.nerf.FrameJob;
import dev.synctalk.nerf.HostFrameRenderer;
import dev.synctalk.nerf.cuda.CudaFrameRenderer;
import dev.synctalk.nerf.cuda.CudaHeadRenderer;
import dev.synctalk.nerf.cuda.HeadTrainingBenchmark;
import dev.synctalk.gpu.render.FramePipeline;
import dev.synctalk.image.ByteImage;
import dev.synctalk.gpu.image.FrameRgb8;
import dev.synctalk.monitoring.SteadyRate;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.nerf.TorsoCheckpoint;
import dev.synctalk.nerf.TorsoModel;
import dev.synctalk.portrait.FaceMask;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.training.AudioFeatureKind;
import dev.synctalk.training.HeadModelSpec;
import dev.synctalk.training.NerfPoses;
import dev.synctalk.training.TorsoModelSpec;
import dev.synctalk.training.TrainingSet;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Renders the trained head for each audio frame: frame i is driven by the log-mel windows of frames
 * i-4 .. i+3 (zeros past the ends), and takes pose, expression and image id from the dataset's
 * sequence replayed back and forth as the reference does (frame i uses entry i mod N, mirrored on
 * every other pass: {@link DatasetSequence}). The head is composited over bc.jpg.
 *
 * <p>{@code portrait = true} is the reference's {@code --portrait}: the render is merged into the
 * original frame (ori_imgs) through the face mask (parsing/N_face.png) with
 * {@link FrameRgb8#portrait} ({@link dev.synctalk.portrait.PortraitMerge}'s blend on the files' bytes), so
 * outside the face region the output is the original frame. It is a param of
 * this stage rather than a separate stage because a graph file cannot switch a stage on and off.
 *
 * <p>{@code torso} (a torso.ckpt with torso.json beside it, from train-torso.conf) renders head over
 * torso over bc.jpg with {@link FrameCompositor}, torso code 0 as the reference does at test time; placed on
 * a GPU, the torso layer and the compositing run on the device ({@link CudaTorsoRenderer}). Torso
 * and portrait are alternatives, as in the reference (portrait pastes the face into original frames that
 * already show the real torso): asking for both is refused.
 *
 * <p>Frames leave as 8-bit RGB. On a GPU they are pipelined ({@link CudaFrameRenderer}, {@value #GPU_SLOTS} slots):
 * frame N + 1 is queued on the device before the stage waits for frame N, the frame is composed and rounded to
 * bytes on the device and comes back into pinned memory, so a frame is emitted one call after it was started
 * (the last ones when the input ends). On the CPU ({@link HostFrameRenderer}) a frame is emitted as soon as it is
 * rendered. The stage reports its frames in progress and its steady-state rate ({@link SteadyRate}, the first
 * {@value #STARTUP_FRAMES} frames left out) as the curve {@code frames_per_s} and in its last log line.
 */
public final class HeadRenderStage implements Stage {

    public record Config(
            @Param(doc = "trained head (head.ckpt; model.json beside it)") Path model,
            @Param(doc = "dataset whose poses, expressions and backgrounds are replayed") Path dataset,
            @Param(defaultValue = "val", doc = "which frames are replayed: train, val or all") DatasetSequence.Selection split,
            @Param(defaultValue = "false", doc = "merge the render into the original frames (Portrait-Sync)") boolean portrait,
            @Param(defaultValue = Param.NONE, doc = "trained torso (torso.ckpt; torso.json beside it): head over torso"
                    + " over the background; not with portrait") Path torso,
            @Param(defaultValue = Param.NONE, doc = "audio-visual encoder of a model trained on ave features; default"
                    + " ave_encoder.stnt next to the model (head-train puts it there)") Path aveEncoder,
            @Param(defaultValue = "0", doc = "CPU threads; 0 = all processors", min = 0, max = 1024) int threads) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("head-render", "log-mel windows -> rendered head frames over the background (or merged into the portrait)",
                    Config.class,
                    List.of(PortSpec.of("windows", MelWindow.class, "one log-mel window per video frame")),
                    List.of(PortSpec.of("frames", RenderedFrame.class, "rendered frames")));
        }

        @Override
        public int lookbackFrames() {
            return HeadModelSpec.WINDOW / 2;
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new HeadRenderStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final Backend backend;
    private final HeadModelSpec spec;
    private final CudaHeadRenderer deviceRenderer;
    private final CudaTorsoRenderer deviceTorso;
    private final CudaFrameRenderer deviceFrames;
    private final FramePipeline<FrameJob, byte[]> frames;
    private final FrameComposition composition;
    private final SteadyRate rate = new SteadyRate(STARTUP_FRAMES, System::nanoTime);
    private final SyncTalkDataset dataset;
    private final DatasetSequence sequence;
    private final CameraRays camera;
    private final Tensor background;
    private final TreeMap<Long, float[]> windows = new TreeMap<>();
    private final dev.synctalk.nerf.audio.AudioVisualEncoder aveEncoder;
    private dev.synctalk.sync.FaceSyncCompute aveCompute;
    /** Portrait mode: originals and face masks of the next frames, decoded ahead on worker threads. */
    private final ExecutorService decoders;
    private final Map<Long, Future<FrameJob.Portrait>> decoded = new HashMap<>();
    private long firstWindow = -1;
    private long nextFrame = -1;

    private HeadRenderStage(Config config, StageContext context) throws IOException {
        String name = "head-render '" + context.stageName() + "'";
        if (config.portrait() && config.torso() != null) {
            throw new IllegalArgumentException(name + ": portrait and torso " + config.torso() + " are alternatives"
                    + " (the portrait merge keeps the original frame's torso); set only one");
        }
        this.config = config;
        this.context = context;
        this.spec = HeadModelSpec.read(config.model().resolveSibling(HeadModelSpec.FILE_NAME));
        if (spec.audioFeatures() == AudioFeatureKind.AVE) {
            // new speech goes through the model's audio-visual encoder, on cuDNN when this stage is on a GPU
            Path encoderFile = config.aveEncoder() != null ? config.aveEncoder()
                    : config.model().resolveSibling(dev.synctalk.sync.HeadAve.ENCODER_FILE);
            this.aveEncoder = dev.synctalk.sync.HeadAve.loadEncoder(encoderFile, name + " (" + config.model()
                    + " was trained on ave features)");
            if (aveEncoder.featureDim() != spec.featureShape()[0]) {
                throw new IllegalArgumentException(name + ": the audio-visual encoder " + encoderFile + " gives "
                        + aveEncoder.featureDim() + " features, " + config.model() + " was trained on "
                        + spec.featureShape()[0]);
            }
            context.log().info("{}: AVE features of the speech from {}", name, encoderFile);
        } else {
            this.aveEncoder = null;
        }
        try {
            this.dataset = DatasetReader.read(config.dataset());
        } catch (DatasetException e) {
            throw new DatasetException(name + ": " + e.getMessage(), e);
        }
        this.sequence = new DatasetSequence(dataset, config.split(), Long.MAX_VALUE);
        this.decoders = config.portrait() ? Executors.newFixedThreadPool(DECODE_THREADS, r -> {
            Thread t = new Thread(r, "portrait-decode-" + context.stageName());
            t.setDaemon(true);
            return t;
        }) : null;
        this.camera = TrainingSet.camera(dataset);
        this.background = Tensor.wrap(TrainingSet.background(dataset), camera.width() * camera.height(), 3);
        if (!Files.isRegularFile(config.model())) {
            throw new IOException(name + ": model " + config.model() + " is missing (train.conf writes head.ckpt)");
        }
        this.backend = StageBackends.open(context, config.threads());
        this.composition = config.portrait() ? FrameComposition.PORTRAIT : config.torso() != null
                ? FrameComposition.HEAD_OVER_TORSO : FrameComposition.HEAD_OVER_BACKGROUND;
        CudaHeadRenderer onDevice = null;
        CudaTorsoRenderer torsoOnDevice = null;
        CudaFrameRenderer framesOnDevice = null;
        try {
            // placed on a GPU: the checkpoint is read on the host and the head renders on the device
            HeadTrainer trainer = spec.newTrainer(backend instanceof CudaBackend ? new CpuBackend(1) : backend);
            Checkpoint.restore(trainer, config.model());
            TorsoModel torso = config.torso() == null ? null : loadTorso(name);
            if (backend instanceof CudaBackend cuda) {
                onDevice = new CudaHeadRenderer(cuda.device(), trainer);
                // the torso layer and the compositing stay on the device too (one 8-bit download per frame)
                torsoOnDevice = torso == null ? null
                        : CudaTorsoRenderer.of(cuda.device(), torso, camera.width(), camera.height(), background.data());
                framesOnDevice = new CudaFrameRenderer(onDevice, torsoOnDevice, camera, background.data(), composition);
                this.frames = framesOnDevice.pipeline(GPU_SLOTS);
            } else {
                HeadRendering head = trainer.renderer();
                this.frames = new HostFrameRenderer(head, torso == null ? null : new FrameCompositor(backend, head, torso),
                        camera, background, composition).pipeline(1);
            }
            this.deviceRenderer = onDevice;
            this.deviceTorso = torsoOnDevice;
            this.deviceFrames = framesOnDevice;
            if (aveEncoder != null) {
                this.aveCompute = dev.synctalk.sync.FaceSyncCompute.open(context, config.threads());
            }
        } catch (IOException | RuntimeException e) {
            if (framesOnDevice != null) {
                framesOnDevice.close();
            }
            if (torsoOnDevice != null) {
                torsoOnDevice.close();
            }
            if (onDevice != null) {
                onDevice.close();
            }
            if (decoders != null) {
                decoders.shutdownNow();
            }
            backend.close();
            throw e;
        }
        context.progress().total(0, "frames");
    }

    private TorsoModel loadTorso(String name) throws IOException {
        TorsoModelSpec torsoSpec = TorsoModelSpec.read(config.torso().resolveSibling(TorsoModelSpec.FILE_NAME));
        if (!Files.isRegularFile(config.torso())) {
            throw new IOException(name + ": torso " + config.torso() + " is missing (train-torso.conf writes torso.ckpt)");
        }
        TorsoModel torso = torsoSpec.newModel();
        TorsoCheckpoint.restoreModel(torso, config.torso());
        return torso;
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        long started = System.nanoTime();
        MelWindow window = (MelWindow) in.only();
        int[] shape = aveEncoder != null ? new int[] {MelWindow.AVE_MEL_BANDS, MelWindow.AVE_WINDOW_FRAMES}
                : spec.featureShape();
        if (window.melBands() != shape[0] || window.windowFrames() != shape[1]) {
            throw new IllegalArgumentException("head-render '" + context.stageName() + "': mel window " + window.frameIndex()
                    + " is " + window.melBands() + "x" + window.windowFrames() + ", the model takes " + shape[0] + "x"
                    + shape[1]);
        }
        if (firstWindow < 0) {
            firstWindow = window.frameIndex();
            // after a resume the first frames lack their left context: render from where it is complete
            nextFrame = firstWindow == 0 ? 0 : firstWindow + HeadModelSpec.WINDOW / 2;
        }
        windows.put(window.frameIndex(), aveEncoder == null ? window.data()
                : aveCompute.encode(aveEncoder, window.data(), 1));
        long last = window.frameIndex();
        while (nextFrame + HeadModelSpec.WINDOW / 2 - 1 <= last) {
            emit(out, frames.submit(nextFrame, job(nextFrame)));
            nextFrame++;
        }
        windows.headMap(nextFrame - HeadModelSpec.WINDOW / 2).clear();
        rate.busy(System.nanoTime() - started);
    }

    @Override
    public void finish(Emitter out) throws IOException {
        long started = System.nanoTime();
        if (firstWindow >= 0) {
            long last = windows.lastKey();
            while (nextFrame <= last) {
                emit(out, frames.submit(nextFrame, job(nextFrame)));
                nextFrame++;
            }
            emit(out, frames.drain());
        }
        rate.busy(System.nanoTime() - started);
        context.log().info("head-render '{}': {} frames of {}x{} ({}) on {}; {}", context.stageName(), rate.completed(),
                camera.width(), camera.height(), composition.name().toLowerCase(Locale.ROOT).replace('_', ' '),
                deviceFrames != null ? "the GPU, " + GPU_SLOTS + " frames in flight" : "the CPU",
                rate.summary("frames"));
    }

    /** Emits finished frames (in order), counting them in progress and in the steady-state rate. */
    private void emit(Emitter out, List<FramePipeline.Done<byte[]>> done) {
        for (FramePipeline.Done<byte[]> d : done) {
            out.emit("frames", new RenderedFrame(d.frameIndex(), camera.width(), camera.height(), d.frame()));
            rate.completed(1);
            context.progress().advance(1);
            if (rate.steadyUnits() > 0 && rate.steadyUnits() % RATE_EVERY == 0) {
                context.curve("frames_per_s", d.frameIndex(), rate.perSecond());
            }
        }
    }

    /** What frame {@code frame} needs: its audio window, the replayed pose and expression, the portrait layer. */
    private FrameJob job(long frame) throws IOException {
        int w = spec.window();
        int[] shape = spec.featureShape();
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        float[] data = new float[w * size];
        for (int k = 0; k < w; k++) {
            float[] row = windows.get(frame - w / 2 + k);
            if (row != null) {
                System.arraycopy(row, 0, data, k * size, size);
            }
        }
        DatasetFrame f = sequence.frame(frame);
        int[] windowShape = new int[shape.length + 1];
        windowShape[0] = w;
        System.arraycopy(shape, 0, windowShape, 1, shape.length);
        FrameConditioning conditioning = new FrameConditioning(Tensor.wrap(data, windowShape),
                Tensor.wrap(f.expression().clone(), f.expression().length), 0);
        Tensor pose = Tensor.wrap(NerfPoses.toTrainer(f.transformMatrix()), 4, 4);
        return new FrameJob(pose, conditioning, config.portrait() ? portraitInputs(frame) : null);
    }

    /** Frames in flight on a GPU: one rendering while the stage waits for the one before it. */
    static final int GPU_SLOTS = HeadTrainingBenchmark.STAGE_DEPTH;
    /** Frames left out of the steady-state rate: one second of 25 fps video (JIT, kernel loading, the pipeline filling). */
    static final int STARTUP_FRAMES = 25;
    /** The rate goes into the metrics every this many frames. */
    static final int RATE_EVERY = 25;

    /** Frames decoded ahead of the render in portrait mode (JPEG and PNG decoding would otherwise bound the rate). */
    private static final int DECODE_AHEAD = 16;
    private static final int DECODE_THREADS = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors() / 2));

    private FrameJob.Portrait portraitInputs(long frame) throws IOException {
        for (long k = frame; k < frame + DECODE_AHEAD; k++) {
            long index = k;
            decoded.computeIfAbsent(index, i -> decoders.submit(() -> decode(index)));
        }
        Future<FrameJob.Portrait> future = decoded.remove(frame);
        decoded.keySet().removeIf(k -> k < frame);
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding the original of frame " + frame, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("decoding the original of frame " + frame + ": " + e.getCause(), e.getCause());
        }
    }

    /** The original frame and face mask portrait mode pastes into, as the bytes the files hold. */
    private FrameJob.Portrait decode(long frame) throws IOException {
        DatasetFrame f = sequence.frame(frame);
        var layout = dataset.layout();
        ByteImage original = ImageFiles.readBytes(layout.original(f.imageId()));
        byte[] green = FaceMask.readGreen(layout.faceMask(f.imageId()));
        if (original.width() != camera.width() || original.height() != camera.height()
                || green.length != camera.width() * camera.height()) {
            throw new IOException("head-render '" + context.stageName() + "': frame " + frame + " (img_id " + f.imageId()
                    + "): the original " + layout.original(f.imageId()) + " is " + original.width() + "x"
                    + original.height() + " with a face mask of " + green.length + " pixels, the renders are "
                    + camera.width() + "x" + camera.height());
        }
        return new FrameJob.Portrait(original.rgb(), green);
    }

    @Override
    public void close() {
        if (aveCompute != null) {
            aveCompute.close();
        }
        if (decoders != null) {
            decoders.shutdownNow();
        }
        // frames still in flight are waited for before their pinned memory is freed
        frames.close();
        if (deviceFrames != null) {
            deviceFrames.close();
        }
        if (deviceTorso != null) {
            deviceTorso.close();
        }
        if (deviceRenderer != null) {
            deviceRenderer.close();
        }
        backend.close();
    }
}
