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
import dev.synctalk.engine.stage.AbstractStageType;
import dev.synctalk.gpu.cuda.CudaBackend;
import dev.synctalk.gpu.cuda.torso.CudaTorsoRenderer;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.compute.StageBackends;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.nerf.Checkpoint;
import dev.synctalk.nerf.FrameCompositor;
import dev.synctalk.nerf.FrameConditioning;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.HeadRendering;
import dev.synctalk.nerf.Renderer;
import dev.synctalk.nerf.cuda.CudaHeadRenderer;
import dev.synctalk.gpu.cuda.CudaBackend;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.nerf.TorsoCheckpoint;
import dev.synctalk.nerf.TorsoModel;
import dev.synctalk.portrait.FaceMask;
import dev.synctalk.portrait.PortraitMerge;
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
import java.util.TreeMap;

/**
 * Renders the trained head for each audio frame: frame i is driven by the log-mel windows of frames
 * i-4 .. i+3 (zeros past the ends), and takes pose, expression and image id from the dataset's
 * sequence replayed back and forth as the reference does (frame i uses entry i mod N, mirrored on
 * every other pass: {@link DatasetSequence}). The head is composited over bc.jpg.
 *
 * <p>{@code portrait = true} is the reference's {@code --portrait}: the render is merged into the
 * original frame (ori_imgs) through the face mask (parsing/N_face.png) with
 * {@link PortraitMerge}, so outside the face region the output is the original frame. It is a param of
 * this stage rather than a separate stage because a graph file cannot switch a stage on and off.
 *
 * <p>{@code torso} (a torso.ckpt with torso.json beside it, from train-torso.conf) renders head over
 * torso over bc.jpg with {@link FrameCompositor}, torso code 0 as the reference does at test time; placed on
 * a GPU, the torso layer and the compositing run on the device ({@link CudaTorsoRenderer}). Torso
 * and portrait are alternatives, as in the reference (portrait pastes the face into original frames that
 * already show the real torso): asking for both is refused.
 */
public final class HeadRenderStage implements Stage {

    public record Config(
            @Param(doc = "trained head (head.ckpt; model.json beside it)") Path model,
            @Param(doc = "dataset whose poses, expressions and backgrounds are replayed") Path dataset,
            @Param(defaultValue = "val", doc = "which frames are replayed: train, val or all") DatasetSequence.Selection split,
            @Param(defaultValue = "false", doc = "merge the render into the original frames (Portrait-Sync)") boolean portrait,
            @Param(defaultValue = Param.NONE, doc = "trained torso (torso.ckpt; torso.json beside it): head over torso"
                    + " over the background; not with portrait") Path torso,
            @Param(defaultValue = "0", doc = "CPU threads; 0 = all processors") int threads) {
    }

    public static final class Type extends AbstractStageType<Config> {
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
    private final HeadRendering renderer;
    private final CudaHeadRenderer deviceRenderer;
    private final FrameCompositor compositor;
    private final CudaTorsoRenderer deviceTorso;
    private final SyncTalkDataset dataset;
    private final DatasetSequence sequence;
    private final CameraRays camera;
    private final Tensor background;
    private final TreeMap<Long, float[]> windows = new TreeMap<>();
    /** Portrait mode: originals and face masks of the next frames, decoded ahead on worker threads. */
    private final ExecutorService decoders;
    private final Map<Long, Future<PortraitInputs>> decoded = new HashMap<>();
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
        if (spec.audioFeatures() != AudioFeatureKind.MEL) {
            throw new IllegalArgumentException(name + ": " + config.model() + " was trained on " + spec.audioFeatures()
                    + " features, but this stage is driven by log-mel windows");
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
        CudaHeadRenderer onDevice = null;
        CudaTorsoRenderer torsoOnDevice = null;
        try {
            // placed on a GPU: the checkpoint is read on the host and the head renders on the device
            HeadTrainer trainer = spec.newTrainer(backend instanceof CudaBackend ? new CpuBackend(1) : backend);
            Checkpoint.restore(trainer, config.model());
            if (backend instanceof CudaBackend cuda) {
                onDevice = new CudaHeadRenderer(cuda.device(), trainer);
                this.renderer = onDevice;
            } else {
                this.renderer = trainer.renderer();
            }
            this.deviceRenderer = onDevice;
            TorsoModel torso = config.torso() == null ? null : loadTorso(name);
            // on a GPU the torso layer and the compositing stay on the device (one download of the frame)
            torsoOnDevice = torso != null && backend instanceof CudaBackend cuda
                    ? CudaTorsoRenderer.of(cuda.device(), torso, camera.width(), camera.height(), background.data()) : null;
            this.deviceTorso = torsoOnDevice;
            this.compositor = torso != null && deviceTorso == null ? new FrameCompositor(backend, renderer, torso) : null;
        } catch (IOException | RuntimeException e) {
            if (torsoOnDevice != null) {
                torsoOnDevice.close();
            }
            if (onDevice != null) {
                onDevice.close();
            }
            backend.close();
            throw e;
        }
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
        MelWindow window = (MelWindow) in.only();
        int[] shape = spec.featureShape();
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
        windows.put(window.frameIndex(), window.data());
        long last = window.frameIndex();
        while (nextFrame + HeadModelSpec.WINDOW / 2 - 1 <= last) {
            out.emit("frames", render(nextFrame));
            nextFrame++;
        }
        windows.headMap(nextFrame - HeadModelSpec.WINDOW / 2).clear();
    }

    @Override
    public void finish(Emitter out) throws IOException {
        if (firstWindow < 0) {
            return;
        }
        long last = windows.lastKey();
        while (nextFrame <= last) {
            out.emit("frames", render(nextFrame));
            nextFrame++;
        }
    }

    private RenderedFrame render(long frame) throws IOException {
        int w = spec.window();
        int[] shape = spec.featureShape();
        int size = shape[0] * shape[1];
        float[] data = new float[w * size];
        for (int k = 0; k < w; k++) {
            float[] row = windows.get(frame - w / 2 + k);
            if (row != null) {
                System.arraycopy(row, 0, data, k * size, size);
            }
        }
        DatasetFrame f = sequence.frame(frame);
        FrameConditioning conditioning = new FrameConditioning(Tensor.wrap(data, w, shape[0], shape[1]),
                Tensor.wrap(f.expression().clone(), f.expression().length), 0);
        Tensor pose = Tensor.wrap(NerfPoses.toTrainer(f.transformMatrix()), 4, 4);
        float[] rgb;
        if (deviceTorso != null) {
            Renderer.Frame head = renderer.render(camera, pose, conditioning, null);
            rgb = deviceTorso.frame(pose.data(), 0, head.image().data(), head.opacity().data());
        } else {
            Tensor rendered = compositor != null ? compositor.render(camera, pose, conditioning, 0, background).image()
                    : renderer.render(camera, pose, conditioning, background).image();
            rgb = rendered.data().clone();
        }
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = Math.min(1f, Math.max(0f, rgb[i]));
        }
        FloatImage image = new FloatImage(camera.width(), camera.height(), 3, rgb);
        if (config.portrait()) {
            PortraitInputs inputs = portraitInputs(frame);
            image = PortraitMerge.merge(image, inputs.original(), inputs.mask());
        }
        return RenderedFrame.of(frame, image);
    }

    /** The original frame and face mask portrait mode merges into. */
    private record PortraitInputs(FloatImage original, FaceMask mask) {
    }

    /** Frames decoded ahead of the render in portrait mode (JPEG and PNG decoding would otherwise bound the rate). */
    private static final int DECODE_AHEAD = 16;
    private static final int DECODE_THREADS = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors() / 2));

    private PortraitInputs portraitInputs(long frame) throws IOException {
        for (long k = frame; k < frame + DECODE_AHEAD; k++) {
            long index = k;
            decoded.computeIfAbsent(index, i -> decoders.submit(() -> decode(index)));
        }
        Future<PortraitInputs> future = decoded.remove(frame);
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

    private PortraitInputs decode(long frame) throws IOException {
        DatasetFrame f = sequence.frame(frame);
        var layout = dataset.layout();
        FloatImage original = ImageFiles.read(layout.original(f.imageId()));
        return new PortraitInputs(original.channels() == 3 ? original : original.rgb(),
                FaceMask.read(layout.faceMask(f.imageId())));
    }

    @Override
    public void close() {
        if (decoders != null) {
            decoders.shutdownNow();
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
