package dev.synctalk.eval;

import dev.synctalk.dataset.CameraIntrinsics;
import dev.synctalk.dataset.DatasetException;
import dev.synctalk.dataset.DatasetLayout;
import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.DatasetSequence;
import dev.synctalk.dataset.FramePose;
import dev.synctalk.dataset.ParsingClass;
import dev.synctalk.dataset.ParsingMap;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.encode.Mp4Writer;
import dev.synctalk.encode.SpeechAudio;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.engine.stage.StageType;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.output.AtomicFiles;
import dev.synctalk.pose.PoseGuard;
import dev.synctalk.portrait.FaceMask;
import dev.synctalk.portrait.PortraitMerge;
import dev.synctalk.preview.ContactSheet;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.video.MediaLogging;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Measures rendered frames the way SyncTalk's paper does and writes the quality report.
 *
 * <p><b>Reconstruction</b> (no {@code driving-audio}): frame k is the render of position k of the split
 * (eval.conf renders every validation frame with its own audio, pose and expression through head-render).
 * Head mode compares the render (head over the background) with gt_imgs/N.jpg within the face mask (the
 * parsing's head class: PSNR) and over the head region (its bounding box: PSNR, SSIM, MS-SSIM, LPIPS).
 * Portrait mode merges the render into ori_imgs/N.jpg through parsing/N_face.png with
 * {@link PortraitMerge} (what head-render's portrait mode does) and compares whole frames. Landmarks come
 * from the face-landmarks stage's detector on the portrait frame and the original frame: LMD (mouth, all
 * 68), mouth-opening correlation, and the audio-visual offset of each against aud.wav's energy. Flicker
 * is measured outside the face on the head-mode render and on the ground truth.
 *
 * <p><b>Cross-driven</b> ({@code driving-audio} given, the speech head-render was driven by): no ground
 * truth; the render's mouth-opening statistics and audio-visual offset against the driving audio, next to
 * the same figures of the training video (all dataset frames with aud.wav).
 *
 * <p>Both modes add the Head-Sync Stabilizer's pose guard on the dataset ({@link DatasetPoseGuard}) and an
 * absent lip-sync confidence column. Outputs under {@code dir}: report.json, report.md, per_frame.csv,
 * plots.png, side_by_side.png and side_by_side.mp4.
 */
public final class QualityEvalStage implements Stage {
    public static final String PER_FRAME_FILE = "per_frame.csv";
    public static final String PLOTS_FILE = "plots.png";
    public static final String SHEET_FILE = "side_by_side.png";
    public static final String VIDEO_FILE = "side_by_side.mp4";
    static final int SAMPLE_RATE_HZ = 16000;

    public record Config(
            @Param(doc = "the dataset whose frames were rendered") Path dataset,
            @Param(defaultValue = "val", doc = "the split head-render replayed: train, val or all") DatasetSequence.Selection split,
            @Param(defaultValue = Param.NONE, doc = "cross-driven evaluation: the speech that drove head-render (no"
                    + " ground truth); absent: reconstruction of the split's own frames") Path drivingAudio,
            @Param(defaultValue = Param.NONE, doc = "the trained head evaluated, recorded in the report") Path model,
            @Param(defaultValue = Param.NONE, doc = "LPIPS AlexNet weights (named-tensor file); without them the LPIPS"
                    + " columns are absent") Path lpips,
            @Param(defaultValue = "\"../shared/data/models/face_landmarker.task\"", doc = "MediaPipe face_landmarker.task"
                    + " for LMD and mouth opening; without it those columns are absent") Path landmarks,
            @Param(defaultValue = "\"eval\"", doc = "report folder, relative to the run's outputs", output = true) Path dir,
            @Param(defaultValue = "8", doc = "audio-visual offsets searched: -max-lag-frames .. +max-lag-frames", min = 0, max = 250) int maxLagFrames,
            @Param(defaultValue = "25", doc = "video frame rate (frames per second of audio)", min = 1, max = 240) int fps,
            @Param(defaultValue = "4", doc = "frames shown in side_by_side.png", min = 1, max = 64) int sheetFrames,
            @Param(defaultValue = "true", doc = "write side_by_side.mp4 (ground truth | render, with the audio)") boolean video) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("quality-eval", "PSNR, SSIM, MS-SSIM, LPIPS, LMD, mouth opening, audio-visual offset, flicker and the"
                    + " pose guard of rendered frames -> report.json, report.md, plots, side-by-side picture and video",
                    Config.class,
                    List.of(PortSpec.of("frames", RenderedFrame.class, "frame k: the render of the split's frame k")),
                    List.of());
        }

        /** The report covers every frame: a resumed run feeds it all of them again (from the journal). */
        @Override
        public int lookbackFrames() {
            return StageType.ALL_HISTORY;
        }

        @Override
        public Stage create(Config config, StageContext context) throws IOException {
            return new QualityEvalStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final String name;
    private final SyncTalkDataset dataset;
    private final DatasetLayout layout;
    private final CameraIntrinsics camera;
    private final List<FramePose> splitFrames;
    private final DatasetSequence sequence;
    private final boolean cross;
    private final AudioEnvelope envelope;
    private final long expectedFrames;
    private final PerceptualDistance lpips;
    private final FaceLandmarkDetector detector;
    private final String landmarksAbsent;
    private final FaceLandmarkDetector.Sequence renderLandmarks;
    private final FaceLandmarkDetector.Sequence truthLandmarks;
    private final List<FrameScores> rows = new ArrayList<>();
    private final long[] sheetFrames;
    private final List<List<FloatImage>> sheetRows = new ArrayList<>();
    private final List<String> sheetLabels = new ArrayList<>();
    private final float[] videoAudio;
    private Mp4Writer video;
    private String videoAbsent;
    private FloatImage previousRender;
    private FloatImage previousTruth;
    private boolean[] previousHead;
    private int msssimScalesHead = Ssim.MS_SSIM_WEIGHTS.length;
    private int msssimScalesPortrait = Ssim.MS_SSIM_WEIGHTS.length;

    private QualityEvalStage(Config config, StageContext context) throws IOException {
        this.config = config;
        this.context = context;
        this.name = "quality-eval '" + context.stageName() + "'";
        MediaLogging.quietFfmpeg();
        if (config.maxLagFrames() < 0 || config.fps() <= 0 || config.sheetFrames() < 1) {
            throw new IllegalArgumentException(name + ": max-lag-frames must be >= 0, fps > 0 and sheet-frames >= 1; got "
                    + config.maxLagFrames() + ", " + config.fps() + ", " + config.sheetFrames());
        }
        try {
            this.dataset = DatasetReader.read(config.dataset());
        } catch (DatasetException e) {
            throw new DatasetException(name + ": " + e.getMessage(), e);
        }
        this.layout = dataset.layout();
        this.camera = dataset.camera();
        this.sequence = new DatasetSequence(dataset, config.split(), Long.MAX_VALUE);
        this.splitFrames = DatasetSequence.frames(dataset, config.split());
        this.cross = config.drivingAudio() != null;
        float[] speech = SpeechAudio.readMono(cross ? config.drivingAudio() : layout.audio(), SAMPLE_RATE_HZ);
        this.envelope = new AudioEnvelope(speech, SAMPLE_RATE_HZ, config.fps());
        this.expectedFrames = cross ? envelope.frames() : splitFrames.size();
        this.videoAudio = cross ? speech : splitAudio(speech);
        this.lpips = PerceptualDistance.load(config.lpips());
        this.landmarksAbsent = FaceLandmarkDetector.unavailableReason(config.landmarks()).orElse(null);
        if (landmarksAbsent == null) {
            this.detector = FaceLandmarkDetector.open(config.landmarks());
            this.renderLandmarks = detector.sequence();
            this.truthLandmarks = detector.sequence();
        } else {
            context.log().warn("{}: LMD, mouth opening and audio-visual offset are absent: {}", name, landmarksAbsent);
            this.detector = null;
            this.renderLandmarks = null;
            this.truthLandmarks = null;
        }
        if (!cross) {
            lpips.absentReason().ifPresent(r -> context.log().warn("{}: LPIPS is absent: {}", name, r));
        }
        this.sheetFrames = ContactSheet.spacedFrameIndices(expectedFrames, config.sheetFrames());
        context.progress().total(expectedFrames, "frames");
    }

    /** The audio of the split's frames in order (each frame's own 40 ms, by aud_id), for the report's video. */
    private float[] splitAudio(float[] speech) {
        AudioEnvelope byFrame = new AudioEnvelope(speech, SAMPLE_RATE_HZ, config.fps());
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (FramePose f : splitFrames) {
            float[] part = byFrame.samples(f.audioId());
            parts.add(part);
            total += part.length;
        }
        float[] out = new float[total];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        RenderedFrame frame = (RenderedFrame) in.only();
        long k = frame.frameIndex();
        if (k < rows.size()) {
            return; // replayed after a resume: already counted
        }
        if (k != rows.size()) {
            throw new IllegalStateException(name + ": frame " + rows.size() + " is missing (got frame " + k
                    + "); the report needs every frame in order");
        }
        if (!cross && k >= splitFrames.size()) {
            throw new IllegalArgumentException(name + ": got frame " + k + " but the " + config.split().name().toLowerCase()
                    + " split has " + splitFrames.size() + " frames; reconstruction evaluates one render per frame"
                    + " (cross-driven evaluation takes driving-audio)");
        }
        if (frame.width() != camera.width() || frame.height() != camera.height()) {
            throw new IllegalArgumentException(name + ": frame " + k + " is " + frame.width() + "x" + frame.height()
                    + " but the dataset's frames are " + camera.width() + "x" + camera.height());
        }
        FramePose pose = cross ? sequence.pose(k) : splitFrames.get((int) k);
        FrameScores scores = new FrameScores(k, pose.imageId(), cross ? (int) k : pose.audioId());
        scores.energyDb = envelope.energyDb(scores.audioId);
        FloatImage render = frame.image();
        FloatImage original = readRgb(layout.original(pose.imageId()));
        FloatImage portrait = PortraitMerge.merge(render, original, FaceMask.read(layout.faceMask(pose.imageId())));
        Optional<float[]> renderMarks = renderLandmarks == null ? Optional.empty() : renderLandmarks.landmarks(portrait);
        renderMarks.ifPresent(m -> scores.openingRender = MouthOpening.of(m));
        List<FloatImage> sheetRow;
        FloatImage left;
        if (cross) {
            sheetRow = List.of(original, render, portrait);
            left = original;
        } else {
            FloatImage truth = readRgb(layout.groundTruth(pose.imageId()));
            boolean[] head = ParsingMap.read(layout.parsing(pose.imageId())).mask(ParsingClass.HEAD);
            imageMetrics(scores, render, truth, head, portrait, original);
            Optional<float[]> truthMarks = truthLandmarks == null ? Optional.empty() : truthLandmarks.landmarks(original);
            truthMarks.ifPresent(m -> scores.openingTruth = MouthOpening.of(m));
            if (renderMarks.isPresent() && truthMarks.isPresent()) {
                scores.lmdMouth = LandmarkDistance.mouth(renderMarks.get(), truthMarks.get());
                scores.lmdAll = LandmarkDistance.all(renderMarks.get(), truthMarks.get());
            }
            if (previousRender != null) {
                scores.flickerRender = flicker(previousRender, render, previousHead, head);
                scores.flickerTruth = flicker(previousTruth, truth, previousHead, head);
            }
            previousRender = render;
            previousTruth = truth;
            previousHead = head;
            sheetRow = List.of(truth, render, ReportImages.heatMap(render, truth));
            left = truth;
        }
        for (long s : sheetFrames) {
            if (s == k) {
                sheetRows.add(sheetRow);
                sheetLabels.add(ReportImages.frameLabel(k, pose.imageId()));
            }
        }
        writeVideoFrame(left, render);
        rows.add(scores);
        context.progress().advance(1);
    }

    private void imageMetrics(FrameScores s, FloatImage render, FloatImage truth, boolean[] head, FloatImage portrait,
            FloatImage original) {
        Optional<HeadRegion> region = HeadRegion.of(head, render.width(), render.height());
        if (region.isPresent()) {
            s.psnrFace = Psnr.masked(render, truth, head);
            PairScores h = pair(region.get().crop(render), region.get().crop(truth));
            s.psnrHead = h.psnr();
            s.ssimHead = h.ssim();
            s.msssimHead = h.msssim();
            s.lpipsHead = h.lpips();
            msssimScalesHead = Math.min(msssimScalesHead, h.msssimScales());
        }
        PairScores p = pair(portrait, original);
        s.psnrPortrait = p.psnr();
        s.ssimPortrait = p.ssim();
        s.msssimPortrait = p.msssim();
        s.lpipsPortrait = p.lpips();
        msssimScalesPortrait = Math.min(msssimScalesPortrait, p.msssimScales());
    }

    /** The image figures of one pair; NaN where the images are too small for a figure or LPIPS is absent. */
    private record PairScores(double psnr, double ssim, double msssim, int msssimScales, double lpips) {
    }

    private PairScores pair(FloatImage render, FloatImage truth) {
        double ssim = Double.NaN;
        double msssim = Double.NaN;
        int scales = Ssim.MS_SSIM_WEIGHTS.length;
        if (render.width() >= Ssim.WINDOW && render.height() >= Ssim.WINDOW) {
            ssim = Ssim.of(render, truth);
            Ssim.MultiScale ms = Ssim.multiScale(render, truth);
            msssim = ms.value();
            scales = ms.scales();
        }
        double distance = lpips.available() ? lpips.distance(render, truth).orElse(Double.NaN) : Double.NaN;
        return new PairScores(Psnr.of(render, truth), ssim, msssim, scales, distance);
    }

    private static double flicker(FloatImage before, FloatImage after, boolean[] faceBefore, boolean[] faceAfter) {
        try {
            return TemporalFlicker.between(before, after, faceBefore, faceAfter);
        } catch (UndefinedMetricException e) {
            return Double.NaN;
        }
    }

    private FloatImage readRgb(Path file) throws IOException {
        FloatImage image = ImageFiles.read(file);
        if (image.width() != camera.width() || image.height() != camera.height()) {
            throw new DatasetException(name + ": " + file + " is " + image.width() + "x" + image.height()
                    + " but the dataset's frames are " + camera.width() + "x" + camera.height());
        }
        return image.channels() == 3 ? image : image.rgb();
    }

    private void writeVideoFrame(FloatImage left, FloatImage right) throws IOException {
        if (!config.video() || videoAbsent != null) {
            return;
        }
        if (video == null) {
            int w = 2 * left.width();
            int h = left.height();
            if (h % 2 != 0) {
                videoAbsent = "H.264 needs an even frame height, the frames are " + left.width() + "x" + h;
                context.log().warn("{}: no {}: {}", name, VIDEO_FILE, videoAbsent);
                return;
            }
            video = Mp4Writer.open(context.output(config.dir()).resolve(VIDEO_FILE), w, h, videoAudio, SAMPLE_RATE_HZ,
                    new Mp4Writer.Settings(config.fps(), 18, 0, 128_000, "veryfast"));
        }
        int w = left.width();
        float[] both = new float[2 * w * left.height() * 3];
        for (int y = 0; y < left.height(); y++) {
            System.arraycopy(left.data(), y * w * 3, both, y * 2 * w * 3, w * 3);
            System.arraycopy(right.data(), y * w * 3, both, (y * 2 * w + w) * 3, w * 3);
        }
        video.writeFrame(new FloatImage(2 * w, left.height(), 3, both));
    }

    @Override
    public void finish(Emitter out) throws IOException {
        if (rows.isEmpty()) {
            throw new IllegalStateException(name + ": no rendered frames arrived; nothing to evaluate");
        }
        if (!cross && rows.size() != splitFrames.size()) {
            throw new IllegalStateException(name + ": got " + rows.size() + " of the " + splitFrames.size() + " "
                    + config.split().name().toLowerCase() + " frames; the report needs every one");
        }
        QualityColumns.Context columnsContext = new QualityColumns.Context(landmarksAbsent,
                lpips.absentReason().orElse(null), msssimScalesHead, msssimScalesPortrait, config.maxLagFrames());
        List<MetricColumn> columns = new ArrayList<>();
        double[][] training = null;
        if (cross) {
            training = trainingVideoSeries();
            columns.addAll(QualityColumns.crossDriven(rows, training[0], training[1], columnsContext));
        } else {
            columns.addAll(QualityColumns.reconstruction(rows, columnsContext));
        }
        columns.add(QualityColumns.syncConfidence());
        PoseGuard.Result guard = null;
        String guardAbsent = null;
        try {
            guard = DatasetPoseGuard.measure(dataset);
        } catch (UndefinedMetricException e) {
            guardAbsent = e.getMessage();
        }
        columns.addAll(QualityColumns.poseGuard(guard, guardAbsent));
        QualityReport report = new QualityReport(cross ? "cross-driven" : "reconstruction", meta(), columns);
        Path dir = context.output(config.dir());
        report.write(dir);
        AtomicFiles.write(dir.resolve(PER_FRAME_FILE), FrameScores.csv(rows).getBytes(StandardCharsets.UTF_8));
        writePlots(dir.resolve(PLOTS_FILE), training);
        ReportImages.writeSheet(dir.resolve(SHEET_FILE), cross ? List.of("original (replayed)", "render", "portrait")
                : List.of("ground truth", "render", "|error| (white: 64/255)"), sheetLabels, sheetRows);
        if (video != null) {
            video.finish();
        }
        for (MetricColumn m : columns) {
            context.log().info("{}: {} = {} {}", name, m.label(), m.formatted(), m.present() ? m.unit() : "(" + m.absent() + ")");
        }
        context.log().info("{}: report in {}", name, dir.resolve(QualityReport.MARKDOWN_FILE));
    }

    /** Mouth opening and audio energy over the whole training video (all dataset frames, aud.wav). */
    private double[][] trainingVideoSeries() throws IOException {
        List<FramePose> all = dataset.allFrames();
        double[] opening = new double[all.size()];
        double[] energy = new double[all.size()];
        java.util.Arrays.fill(opening, Double.NaN);
        AudioEnvelope own = new AudioEnvelope(SpeechAudio.readMono(layout.audio(), SAMPLE_RATE_HZ), SAMPLE_RATE_HZ,
                config.fps());
        context.progress().total(expectedFrames + all.size(), "frames");
        FaceLandmarkDetector.Sequence marks = detector == null ? null : detector.sequence();
        for (int i = 0; i < all.size(); i++) {
            FramePose f = all.get(i);
            energy[i] = own.energyDb(f.audioId());
            if (marks != null) {
                Optional<float[]> m = marks.landmarks(readRgb(layout.original(f.imageId())));
                if (m.isPresent()) {
                    opening[i] = MouthOpening.of(m.get());
                }
            }
            context.progress().advance(1);
        }
        return new double[][] {opening, energy};
    }

    private Map<String, String> meta() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("dataset", config.dataset().toAbsolutePath().normalize().toString());
        meta.put("split", config.split().name().toLowerCase());
        meta.put("frames", Integer.toString(rows.size()));
        meta.put("size", camera.width() + "x" + camera.height());
        if (config.model() != null) {
            meta.put("model", config.model().toAbsolutePath().normalize().toString());
        }
        if (cross) {
            meta.put("drivingAudio", config.drivingAudio().toAbsolutePath().normalize().toString());
        }
        meta.put("run", context.runId());
        if (videoAbsent != null) {
            meta.put("video", "absent: " + videoAbsent);
        }
        return meta;
    }

    private void writePlots(Path png, double[][] training) throws IOException {
        List<ReportImages.Panel> panels = new ArrayList<>();
        Color red = new Color(200, 40, 40);
        Color blue = new Color(30, 60, 200);
        Color green = new Color(30, 130, 30);
        Color grey = new Color(120, 120, 120);
        double[] energy = FrameScores.series(rows, s -> s.energyDb);
        if (!cross) {
            panels.add(new ReportImages.Panel("PSNR, dB", List.of(
                    new ReportImages.Series("face mask", finiteOrNaN(FrameScores.series(rows, s -> s.psnrFace)), red),
                    new ReportImages.Series("head region", finiteOrNaN(FrameScores.series(rows, s -> s.psnrHead)), blue),
                    new ReportImages.Series("portrait", finiteOrNaN(FrameScores.series(rows, s -> s.psnrPortrait)), green))));
            panels.add(new ReportImages.Panel("SSIM / MS-SSIM", List.of(
                    new ReportImages.Series("SSIM head", FrameScores.series(rows, s -> s.ssimHead), blue),
                    new ReportImages.Series("MS-SSIM head", FrameScores.series(rows, s -> s.msssimHead), red),
                    new ReportImages.Series("SSIM portrait", FrameScores.series(rows, s -> s.ssimPortrait), green))));
            if (lpips.available()) {
                panels.add(new ReportImages.Panel("LPIPS", List.of(
                        new ReportImages.Series("head region", FrameScores.series(rows, s -> s.lpipsHead), blue),
                        new ReportImages.Series("portrait", FrameScores.series(rows, s -> s.lpipsPortrait), green))));
            }
            panels.add(new ReportImages.Panel("LMD, px", List.of(
                    new ReportImages.Series("mouth 48-67", FrameScores.series(rows, s -> s.lmdMouth), red),
                    new ReportImages.Series("all 68", FrameScores.series(rows, s -> s.lmdAll), blue))));
            panels.add(new ReportImages.Panel("mouth opening (and audio energy, rescaled)", List.of(
                    new ReportImages.Series("render", FrameScores.series(rows, s -> s.openingRender), red),
                    new ReportImages.Series("ground truth", FrameScores.series(rows, s -> s.openingTruth), blue),
                    new ReportImages.Series("energy", rescaled(energy, FrameScores.series(rows, s -> s.openingTruth)),
                            grey))));
            panels.add(new ReportImages.Panel("flicker outside the face, levels", List.of(
                    new ReportImages.Series("render", FrameScores.series(rows, s -> s.flickerRender), red),
                    new ReportImages.Series("ground truth", FrameScores.series(rows, s -> s.flickerTruth), blue))));
        } else {
            double[] opening = FrameScores.series(rows, s -> s.openingRender);
            panels.add(new ReportImages.Panel("render: mouth opening (and driving-audio energy, rescaled)", List.of(
                    new ReportImages.Series("render", opening, red),
                    new ReportImages.Series("energy", rescaled(energy, opening), grey))));
            panels.add(new ReportImages.Panel("training video: mouth opening (and its audio energy, rescaled)", List.of(
                    new ReportImages.Series("training video", training[0], blue),
                    new ReportImages.Series("energy", rescaled(training[1], training[0]), grey))));
        }
        ReportImages.writePlots(png, String.format(Locale.ROOT, "%s: per-frame figures (%s)", context.runId(),
                cross ? "cross-driven" : "reconstruction"), panels, rows.size());
    }

    /** Infinite values (exact frames) are left out of plots. */
    private static double[] finiteOrNaN(double[] values) {
        double[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            if (Double.isInfinite(out[i])) {
                out[i] = Double.NaN;
            }
        }
        return out;
    }

    /** {@code values} mapped linearly onto the finite range of {@code onto}, to share its panel. */
    private static double[] rescaled(double[] values, double[] onto) {
        double[] to = finiteRange(onto);
        double[] from = finiteRange(values);
        if (!(to[1] > to[0]) || !(from[1] > from[0])) {
            return values.clone();
        }
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = to[0] + (values[i] - from[0]) / (from[1] - from[0]) * (to[1] - to[0]);
        }
        return out;
    }

    /** {min, max} of the finite values; {+inf, -inf} when there are none. */
    private static double[] finiteRange(double[] values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return new double[] {lo, hi};
    }

    @Override
    public void close() throws IOException {
        if (video != null) {
            video.close();
        }
        if (detector != null) {
            detector.close();
        }
    }
}
