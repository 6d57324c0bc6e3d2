package dev.synctalk.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunHandle;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.graph.GraphLoader;
import dev.synctalk.engine.graph.GraphValidationException;
import dev.synctalk.gpu.cuda.CudaRuntime;
import dev.synctalk.monitoring.ConsoleProgress;
import dev.synctalk.preview.ContactSheet;
import dev.synctalk.samples.SampleData;
import dev.synctalk.video.MediaLogging;
import dev.synctalk.video.VideoFrame;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Make a talking head from the bundled sample: preprocess the clip (" + SampleData.VIDEO
                + "), train a head on it, render it speaking " + SampleData.SPEECH + " -> video.mp4 and a contact sheet.",
                "With an NVIDIA GPU it runs at full size on gpu:0; without one (or with --cpu) a small preset "
                        + "and 128x128 frames that finish in a few minutes on 2 cores.",
                "It runs the shipped graph files preprocess.conf, train.conf and infer.conf; each phase is a run "
                        + "under --runs-dir (resume a phase with `synctalk resume RUN_ID`)."})
final class DemoCommand implements Callable<Integer> {
    static final String CONTACT_SHEET = "video_contact_sheet.png";
    private static final int CONTACT_SHEET_FRAMES = 6;
    private static final int CONTACT_SHEET_TILE_PX = 256;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    @Option(names = "--cpu", description = "Run the small CPU demo even when a GPU is there.")
    boolean forceCpu;

    @Option(names = "--graphs", paramLabel = "DIR",
            description = "Folder with preprocess.conf, train.conf and infer.conf (default: graph-definitions of the installation).")
    Path graphsDir;

    @Option(names = "--run-id", paramLabel = "PREFIX", description = "Prefix of the three runs' ids (default: demo-<utc time>).")
    String runIdPrefix;

    @Mixin
    EngineOptions options;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        SampleData samples = SampleData.locate();
        List<Path> inputs = new ArrayList<>();
        for (String file : List.of(SampleData.VIDEO, SampleData.SPEECH, SampleData.FACE_LANDMARKER)) {
            var found = samples.find(file);
            if (found.isEmpty()) {
                System.err.println("synctalk demo: needs " + samples.missing(file));
                return ExitCodes.USAGE;
            }
            inputs.add(found.get());
        }
        Path graphs = graphsDir != null ? graphsDir : defaultGraphsDir();
        for (String graph : List.of("preprocess.conf", "train.conf", "infer.conf")) {
            if (!Files.isRegularFile(graphs.resolve(graph))) {
                System.err.println("synctalk demo: " + graph + " not found in " + graphs.toAbsolutePath() + " (use --graphs DIR)");
                return ExitCodes.USAGE;
            }
        }

        DemoPlan plan;
        if (!forceCpu && CudaRuntime.available()) {
            plan = DemoPlan.fullSizeOnGpu();
            out.println("demo on the GPU, full size: " + plan.description());
        } else {
            plan = DemoPlan.smallOnCpu();
            out.println((forceCpu ? "demo on the CPU (--cpu)" : "no NVIDIA GPU here (" + CudaRuntime.unavailableReason() + ")")
                    + ", so the demo runs small on the CPU: " + plan.description() + ".");
            out.println("With a GPU it runs the whole clip at 512x512 with SyncTalk's preset.");
        }
        String prefix = runIdPrefix != null ? runIdPrefix : "demo-" + STAMP.format(Instant.now());
        if (!SyncTalkCli.debug()) {
            consoleWarningsOnly();
        }

        DemoProgress progress = new DemoProgress(out, ConsoleProgress.ansiSupported(), !options.noProgress,
                DemoPlan.PHASES, plan.phaseShares(), System::nanoTime);
        long start = System.nanoTime();
        try (Engine engine = Engine.builder().runsDir(options.runsDir).metricsPort(options.metricsPort).build()) {
            RunResult pre = phase(engine, progress, 0, graphs.resolve("preprocess.conf"), prefix + "-preprocess",
                    plan.preprocess(inputs.get(0), inputs.get(2)));
            if (!pre.succeeded()) {
                return failed(pre);
            }
            Path dataset = pre.outputs();
            RunResult train = phase(engine, progress, 1, graphs.resolve("train.conf"), prefix + "-train", plan.train(dataset));
            if (!train.succeeded()) {
                return failed(train);
            }
            RunResult infer = phase(engine, progress, 2, graphs.resolve("infer.conf"), prefix + "-infer",
                    plan.infer(dataset, train.outputs().resolve("head.ckpt"), inputs.get(1)));
            if (!infer.succeeded()) {
                return failed(infer);
            }
            Path video = infer.outputs().resolve("video.mp4").toAbsolutePath();
            Path sheet = infer.outputs().resolve(CONTACT_SHEET).toAbsolutePath();
            writeContactSheet(video, sheet);
            out.printf("demo done in %s (%s)%n", DemoProgress.clock(System.nanoTime() - start),
                    plan.gpu() ? "GPU, full size" : "CPU, small");
            out.println("video:         " + video);
            out.println("contact sheet: " + sheet);
            return ExitCodes.OK;
        }
    }

    private static RunResult phase(Engine engine, DemoProgress progress, int index, Path graph, String runId,
                                   Map<String, String> overrides) throws InterruptedException {
        RunHandle run;
        try {
            run = engine.start(GraphLoader.load(graph, overrides), runId, overrides);
        } catch (GraphValidationException e) {
            throw new IllegalStateException("the demo's " + DemoPlan.PHASES.get(index) + " graph is invalid: " + e.getMessage(), e);
        }
        progress.startPhase(index);
        run.onProgress(progress::update);
        RunResult result;
        try (RunLogFile log = RunLogFile.attach(run.runDir())) {
            result = run.await();
        }
        if (result.succeeded()) {
            progress.finishPhase();
        }
        return result;
    }

    private static int failed(RunResult r) {
        System.out.println();
        System.err.println("error: demo phase " + r.runId() + " failed: " + r.error());
        System.err.println("details: " + RunLogFile.path(r.runDir()).toAbsolutePath());
        System.err.println("resume it with: synctalk resume " + r.runId());
        return ExitCodes.RUN_FAILED;
    }

    /** graph-definitions/ of the installation the launcher runs from, else of the working directory. */
    private static Path defaultGraphsDir() {
        String home = System.getProperty(SampleData.HOME_PROPERTY);
        Path installed = home != null ? Path.of(home, "graph-definitions") : null;
        return installed != null && Files.isDirectory(installed) ? installed : Path.of("graph-definitions");
    }

    /** The stages' INFO lines would tear the progress bars apart; they still reach each run's run.log. */
    private static void consoleWarningsOnly() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            var console = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
            if (console != null) {
                ThresholdFilter warnings = new ThresholdFilter();
                warnings.setLevel(Level.WARN.toString());
                warnings.start();
                console.addFilter(warnings);
            }
        }
    }

    /** A strip of frames spread over the rendered video, for a person to look at without a player. */
    static void writeContactSheet(Path video, Path png) throws IOException {
        MediaLogging.quietFfmpeg();
        List<ContactSheet.Tile> tiles = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
            grabber.start();
            int frameCount = grabber.getLengthInVideoFrames();
            long[] wanted = ContactSheet.spacedFrameIndices(frameCount, CONTACT_SHEET_FRAMES);
            int next = 0;
            for (long index = 0; next < wanted.length; index++) {
                Frame frame = grabber.grabImage();
                if (frame == null) {
                    break;
                }
                if (index == wanted[next]) {
                    tiles.add(new ContactSheet.Tile(new VideoFrame(index, frame.timestamp, frame.imageWidth,
                            frame.imageHeight, packedRgb(frame)), null, List.of(speechTime(frame.timestamp))));
                    next++;
                }
            }
            grabber.stop();
        }
        if (tiles.isEmpty()) {
            throw new IOException(video + " holds no frames to put on a contact sheet");
        }
        ContactSheet.write(png, tiles, tiles.size(), CONTACT_SHEET_TILE_PX);
    }

    /** The time into the speech, at the bottom of the tile. */
    private static ContactSheet.Overlay speechTime(long timestampMicros) {
        String text = String.format(java.util.Locale.ROOT, "%.1f s", timestampMicros / 1e6);
        return (tile, transform) -> {
            Point at = new Point(6, tile.rows() - 8);
            int font = opencv_imgproc.FONT_HERSHEY_SIMPLEX;
            opencv_imgproc.putText(tile, text, at, font, 0.5, new Scalar(0, 0, 0, 0), 3, opencv_imgproc.LINE_AA, false);
            opencv_imgproc.putText(tile, text, at, font, 0.5, new Scalar(255, 255, 255, 0), 1, opencv_imgproc.LINE_AA, false);
        };
    }

    private static byte[] packedRgb(Frame frame) {
        ByteBuffer pixels = (ByteBuffer) frame.image[0];
        int rowBytes = frame.imageWidth * 3;
        byte[] rgb = new byte[rowBytes * frame.imageHeight];
        for (int y = 0; y < frame.imageHeight; y++) {
            pixels.position(y * frame.imageStride);
            pixels.get(rgb, y * rowBytes, rowBytes);
        }
        pixels.rewind();
        return rgb;
    }
}
