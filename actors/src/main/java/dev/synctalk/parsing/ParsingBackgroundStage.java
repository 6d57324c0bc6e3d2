package dev.synctalk.parsing;

import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bytedeco.opencv.global.opencv_imgcodecs;

/**
 * The static background of the video (SyncTalk's bc.jpg) from a subsample of the parsed frames, then every
 * frame passed on with it to {@link TorsoImagesStage}; plus parsing_contact_sheet.png (first, middle and last
 * frame) for a person to look at.
 *
 * <p>The subsample takes every {@code background-stride}-th frame and, when more than
 * {@code background-max-samples} are taken, drops every other one and doubles the stride, so it stays evenly
 * spread over a video of any length; at the end it is thinned further to fit {@code background-memory-mb} of
 * decoded pixels. Only the small {@link FrameParsing} records are held (the frames wait on disk). With the
 * parsing images of the learned segmentation the background is the per-pixel median of the samples away from
 * the person ({@link BackgroundEstimator#fromPersonMasks}); on the classical path (no parsing images yet) it is
 * estimated with {@code background-passes} passes of GrabCut ({@link BackgroundEstimator#estimate}).
 *
 * <p>The background needs the whole video, so nothing is emitted before the last frame. The folders where the
 * frames wait are removed when the run ends, whatever way it ends.
 */
public final class ParsingBackgroundStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"bc.jpg\"", doc = "the estimated static background image", output = true) Path background,
            @Param(defaultValue = "\"parsing_contact_sheet.png\"", doc = "masks over the first, middle and last frame", output = true) Path contactSheet,
            @Param(defaultValue = "20", doc = "background subsample: every n-th frame (the reference uses 20)", min = 1) int backgroundStride,
            @Param(defaultValue = "48", doc = "at most this many frames in the background subsample", min = 1) int backgroundMaxSamples,
            @Param(defaultValue = "256", doc = "memory for decoded background samples, MiB", min = 1) int backgroundMemoryMb,
            @Param(defaultValue = "2", doc = "classical path only: GrabCut passes (layout prior, then against the previous background)", min = 1) int backgroundPasses,
            @Param(defaultValue = "95", doc = "JPEG quality of bc.jpg (cv2.imwrite's default is 95)", min = 0, max = 100) int jpegQuality) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("parsing-background", "static background bc.jpg from a subsample of the parsed frames, parsing contact sheet",
                    Config.class,
                    List.of(PortSpec.of("parsed", FrameParsing.class, "parsed frames (face-parsing)")),
                    List.of(PortSpec.of("frames", FrameOverBackground.class, "every frame with the background (emitted at the end)")));
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new ParsingBackgroundStage(config, context);
        }
    }

    private static final double BACKGROUND_MARGIN_PIXELS = 5;
    private static final int CONTACT_SHEET_TILE_WIDTH = 256;

    private final Config config;
    private final StageContext context;
    private final ParsedFrameImages images = new ParsedFrameImages();
    /** Every frame in arrival (frame) order. */
    private final TreeMap<Long, FrameParsing> frames = new TreeMap<>();
    /** Background subsample: frame index by arrival position. */
    private final TreeMap<Long, Long> sampleByPosition = new TreeMap<>();
    private final Set<Path> keptFrameDirs = new LinkedHashSet<>();
    private long sampleStride;
    private long received;

    private ParsingBackgroundStage(Config config, StageContext context) {
        String name = "parsing-background '" + context.stageName() + "'";
        if (config.backgroundStride() < 1 || config.backgroundMaxSamples() < 2 || config.backgroundMemoryMb() < 1) {
            throw new IllegalArgumentException(name + ": background-stride must be >= 1, background-max-samples >= 2"
                    + " and background-memory-mb >= 1, got " + config.backgroundStride() + ", "
                    + config.backgroundMaxSamples() + ", " + config.backgroundMemoryMb());
        }
        if (config.jpegQuality() < 0 || config.jpegQuality() > 100) {
            throw new IllegalArgumentException(name + ": jpeg-quality must be in [0, 100], got " + config.jpegQuality());
        }
        this.config = config;
        this.context = context;
        this.sampleStride = config.backgroundStride();
    }

    @Override
    public void process(Inputs in, Emitter out) {
        FrameParsing p = in.get("parsed", FrameParsing.class);
        keptFrameDirs.add(p.frameFile().getParent());
        if (!frames.isEmpty()) {
            FrameParsing first = frames.firstEntry().getValue();
            if (p.width() != first.width() || p.height() != first.height()) {
                throw new IllegalArgumentException("parsing-background '" + context.stageName() + "': frame "
                        + p.frameIndex() + " is " + p.width() + "x" + p.height() + ", earlier frames are "
                        + first.width() + "x" + first.height());
            }
        }
        frames.put(p.frameIndex(), p);
        if (received % sampleStride == 0) {
            sampleByPosition.put(received, p.frameIndex());
            if (sampleByPosition.size() > config.backgroundMaxSamples()) {
                sampleStride *= 2;
                long stride = sampleStride;
                sampleByPosition.keySet().removeIf(position -> position % stride != 0);
            }
        }
        received++;
        context.progress().advance(1);
    }

    @Override
    public void finish(Emitter out) throws IOException {
        if (frames.isEmpty()) {
            throw new IllegalStateException("parsing-background '" + context.stageName() + "': no parsed frames"
                    + " arrived, nothing to estimate a background from");
        }
        FrameParsing first = frames.firstEntry().getValue();
        int w = first.width();
        int h = first.height();
        RgbImage background = estimateBackground(w, h);
        Path bc = context.output(config.background());
        AtomicFiles.write(bc, Pixels.encode(background.rgb(), w, h, 3, "jpg",
                new int[] {opencv_imgcodecs.IMWRITE_JPEG_QUALITY, config.jpegQuality()}));
        // What the torso images are made against: bc.jpg as written, as the reference reads it back.
        RgbImage written = ParsedFrameImages.read(bc, "background image");
        writeContactSheet(written);
        for (FrameParsing p : frames.values()) {
            out.emit("frames", new FrameOverBackground(p, bc));
        }
    }

    private RgbImage estimateBackground(int w, int h) throws IOException {
        List<Long> chosen = new ArrayList<>(sampleByPosition.values());
        // Per sample and pixel the estimator holds the decoded RGB (3 bytes), the person mask and the usable
        // mask (1 byte each); count 6 to leave room for the transient per-frame distance map.
        long bytesPerSample = 6L * w * h;
        int byMemory = (int) Math.max(2, config.backgroundMemoryMb() * (1L << 20) / bytesPerSample);
        if (chosen.size() > byMemory) {
            List<Long> thinned = new ArrayList<>();
            for (int i = 0; i < byMemory; i++) {
                thinned.add(chosen.get((int) ((long) i * chosen.size() / byMemory)));
            }
            chosen = thinned;
        }
        List<RgbImage> samples = new ArrayList<>();
        List<FaceOutline> faces = new ArrayList<>();
        List<byte[]> personMasks = new ArrayList<>();
        boolean learned = true;
        for (long index : chosen) {
            FrameParsing p = frames.get(index);
            samples.add(images.frame(p));
            faces.add(p.face());
            learned &= p.parsingFile() != null;
            if (p.parsingFile() != null) {
                RegionMap regions = images.regions(p, null, null);
                byte[] person = new byte[w * h];
                for (int q = 0; q < person.length; q++) {
                    person[q] = (byte) (regions.is(q, Region.BACKGROUND) ? 0 : 1);
                }
                personMasks.add(person);
            }
        }
        BackgroundEstimator.Estimate estimate = learned
                ? BackgroundEstimator.fromPersonMasks(samples, personMasks, BACKGROUND_MARGIN_PIXELS)
                : new BackgroundEstimator(new PersonSegmenter(PersonSegmenter.Settings.defaults()),
                        config.backgroundPasses(), BACKGROUND_MARGIN_PIXELS).estimate(samples, faces);
        context.log().info("parsing-background '{}': background seen in {}% of the image over {} frames ({}), the rest"
                + " filled from the nearest seen pixel", context.stageName(),
                String.format("%.1f", 100 * estimate.observedFraction()), samples.size(),
                learned ? "learned person masks" : "classical GrabCut masks");
        return estimate.background();
    }

    private void writeContactSheet(RgbImage background) throws IOException {
        List<Long> indices = new ArrayList<>(frames.keySet());
        Set<Long> rows = new TreeSet<>(List.of(indices.get(0), indices.get(indices.size() / 2),
                indices.get(indices.size() - 1)));
        ParsingContactSheet sheet = new ParsingContactSheet(CONTACT_SHEET_TILE_WIDTH);
        for (long index : rows) {
            FrameParsing p = frames.get(index);
            RgbImage frame = images.frame(p);
            RegionMap regions = images.regions(p, frame, background);
            RgbImage groundTruth = TorsoImages.groundTruth(frame, regions, background);
            sheet.add(new ParsingContactSheet.Row(frame, p.face(), regions,
                    TorsoImages.torso(groundTruth, regions, background), groundTruth));
        }
        AtomicFiles.write(context.output(config.contactSheet()), sheet.png());
    }

    /** For tests: the frame indices currently chosen for the background subsample. */
    List<Long> backgroundSampleIndices() {
        return List.copyOf(sampleByPosition.values());
    }

    /** The run is over (this stage closes only then): the frames kept for the torso images go. */
    @Override
    public void close() throws IOException {
        for (Path dir : keptFrameDirs) {
            if (!Files.exists(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
