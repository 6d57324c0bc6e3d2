package dev.synctalk.parsing;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.output.AtomicFiles;
import dev.synctalk.video.VideoFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bytedeco.opencv.global.opencv_imgcodecs;

/**
 * Semantic parsing of every frame into head, neck, torso and background (SyncTalk's parsing/N.png colour
 * coding, see {@link Region}), the static background bc.jpg, and the reference's torso_imgs/N.png,
 * gt_imgs/N.jpg, face_mask/N.png and portrait parsing/N_face.png, all under the run's outputs; plus
 * parsing_contact_sheet.png (first, middle and last frame) for a person to look at.
 *
 * <p>The classical method (no pretrained parser weights are available): {@link BackgroundEstimator} from a
 * subsample of frames, {@link PersonSegmenter} (difference to the background + GrabCut seeded from the face
 * oval), {@link RegionSplitter} (jaw line and face contour), {@link TorsoImages}.
 *
 * <p>Every mask needs the background, and the background needs frames from the whole video, so nothing can be
 * written before the last frame. Memory stays bounded for long videos (7500 frames of a 5-minute clip):
 * {@code process} spills each frame losslessly as PNG to a temporary folder in the run's outputs and keeps only
 * the 36-point face oval per frame (under 300 bytes) and the indices of the background subsample; the
 * subsample takes every {@code background-stride}-th frame and, when more than {@code background-max-samples}
 * are taken, drops every other one and doubles the stride, so it stays evenly spread. {@code finish} loads the
 * subsample (further thinned to fit {@code background-memory-mb} of decoded pixels), estimates the background,
 * then makes one pass over the spilled frames, one frame in memory at a time, deleting each spilled file once
 * its outputs are written.
 */
public final class FaceParsingStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"parsing\"", doc = "parsing images N.png and N_face.png, relative to the run's outputs", output = true) Path parsingDir,
            @Param(defaultValue = "\"torso_imgs\"", doc = "RGBA torso images N.png", output = true) Path torsoDir,
            @Param(defaultValue = "\"gt_imgs\"", doc = "ground-truth images N.jpg (background replaced by bc.jpg)", output = true) Path gtDir,
            @Param(defaultValue = "\"face_mask\"", doc = "head masks N.png (255 on head)", output = true) Path faceMaskDir,
            @Param(defaultValue = "\"bc.jpg\"", doc = "the estimated static background image", output = true) Path background,
            @Param(defaultValue = "\"parsing_contact_sheet.png\"", doc = "masks over the first, middle and last frame", output = true) Path contactSheet,
            @Param(defaultValue = "20", doc = "background subsample: every n-th frame (the reference uses 20)", min = 1) int backgroundStride,
            @Param(defaultValue = "48", doc = "at most this many frames in the background subsample", min = 1) int backgroundMaxSamples,
            @Param(defaultValue = "256", doc = "memory for decoded background samples, MiB", min = 1) int backgroundMemoryMb,
            @Param(defaultValue = "2", doc = "background passes: layout-prior masks, then masks against the previous background", min = 1) int backgroundPasses,
            @Param(defaultValue = "512", doc = "longest side of the image segmentation works on, pixels", min = 16, max = 8192) int workSize,
            @Param(defaultValue = "30", doc = "RGB distance to the background above which a pixel is probable person") double differenceThreshold,
            @Param(defaultValue = "3", doc = "GrabCut iterations per frame", min = 0, max = 100) int grabcutIterations,
            @Param(defaultValue = "true", doc = "write the portrait-mode face images parsing/N_face.png") boolean portraitFaceMasks,
            @Param(defaultValue = "95", doc = "JPEG quality of bc.jpg and gt_imgs (cv2.imwrite's default is 95)", min = 0, max = 100) int jpegQuality) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("face-parsing", "head/neck/torso/background parsing, background image, torso and ground-truth images",
                    Config.class,
                    List.of(PortSpec.of("frames", VideoFrame.class, "decoded video frames"), PortSpec.of("landmarks", FaceLandmarks.class, "478 face landmarks of the same frame")),
                    List.of(PortSpec.of("parsed", ParsedFrame.class, "one per frame once its parsing, gt and torso images are written (emitted at the end)")));
        }

        @Override
        public Stage create(Config config, StageContext context) throws IOException {
            return new FaceParsingStage(config, context);
        }
    }

    private static final double BACKGROUND_MARGIN_PIXELS = 5;
    private static final int CONTACT_SHEET_TILE_WIDTH = 256;

    private final Config config;
    private final StageContext context;
    private final Path spillDir;
    private final PersonSegmenter segmenter;
    private final RegionSplitter splitter = new RegionSplitter(RegionSplitter.Settings.defaults());
    /** Face oval per frame index, in frame pixels. */
    private final TreeMap<Long, FaceOutline> outlines = new TreeMap<>();
    /** Background subsample: frame index by arrival position. */
    private final TreeMap<Long, Long> sampleByPosition = new TreeMap<>();
    private long sampleStride;
    private long received;
    private int width;
    private int height;
    private int lastSampleCount;

    private FaceParsingStage(Config config, StageContext context) throws IOException {
        String name = "face-parsing '" + context.stageName() + "'";
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
        this.segmenter = new PersonSegmenter(new PersonSegmenter.Settings(config.workSize(),
                config.differenceThreshold(), config.grabcutIterations(), PersonSegmenter.Settings.defaults().maxHoleFraction()));
        this.sampleStride = config.backgroundStride();
        this.spillDir = context.outputDir().resolve(".face-parsing-spill-" + context.stageName());
        deleteSpill();
        Files.createDirectories(spillDir);
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        VideoFrame frame = in.get("frames", VideoFrame.class);
        FaceLandmarks landmarks = in.get("landmarks", FaceLandmarks.class);
        if (received == 0) {
            width = frame.width();
            height = frame.height();
        } else if (frame.width() != width || frame.height() != height) {
            throw new IllegalArgumentException("face-parsing '" + context.stageName() + "': frame " + frame.frameIndex()
                    + " is " + frame.width() + "x" + frame.height() + ", earlier frames are " + width + "x" + height);
        }
        outlines.put(frame.frameIndex(), FaceOutline.of(landmarks, width, height));
        AtomicFiles.write(spillFile(frame.frameIndex()), Pixels.encode(frame.rgb(), width, height, 3, "png",
                new int[] {opencv_imgcodecs.IMWRITE_PNG_COMPRESSION, 1}));
        if (received % sampleStride == 0) {
            sampleByPosition.put(received, frame.frameIndex());
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
        if (received == 0) {
            throw new IllegalStateException("face-parsing '" + context.stageName() + "': no frames with landmarks"
                    + " arrived, nothing to parse");
        }
        context.progress().total(2 * received, "frame passes");
        RgbImage background = estimateBackground();
        AtomicFiles.write(context.output(config.background()), Pixels.encode(background.rgb(), width, height, 3, "jpg",
                new int[] {opencv_imgcodecs.IMWRITE_JPEG_QUALITY, config.jpegQuality()}));

        List<Long> indices = new ArrayList<>(outlines.keySet());
        Set<Long> sheetFrames = new TreeSet<>(List.of(indices.get(0), indices.get(indices.size() / 2),
                indices.get(indices.size() - 1)));
        ParsingContactSheet sheet = new ParsingContactSheet(CONTACT_SHEET_TILE_WIDTH);
        for (long index : indices) {
            RgbImage frame = loadSpilled(index);
            FaceOutline face = outlines.get(index);
            RegionMap regions = splitter.split(segmenter.segment(frame, background, face), width, height, face);
            RgbImage groundTruth = TorsoImages.groundTruth(frame, regions, background);
            byte[] torso = TorsoImages.torso(groundTruth, regions, background);
            writeOutputs(index, face, regions, groundTruth, torso);
            if (sheetFrames.contains(index)) {
                sheet.add(new ParsingContactSheet.Row(frame, face, regions, torso, groundTruth));
            }
            Files.deleteIfExists(spillFile(index));
            out.emit("parsed", new ParsedFrame(index));
            context.progress().advance(1);
        }
        AtomicFiles.write(context.output(config.contactSheet()), sheet.png());
        deleteSpill();
        context.log().info("face-parsing '{}': parsed {} frames of {}x{}, background from {} sampled frames",
                context.stageName(), received, width, height, lastSampleCount);
    }

    private RgbImage estimateBackground() throws IOException {
        List<Long> chosen = new ArrayList<>(sampleByPosition.values());
        // Per sample and pixel the estimator holds the decoded RGB (3 bytes), the person mask and the usable
        // mask (1 byte each); count 6 to leave room for the transient per-frame distance map.
        long bytesPerSample = 6L * width * height;
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
        for (long index : chosen) {
            samples.add(loadSpilled(index));
            faces.add(outlines.get(index));
        }
        lastSampleCount = samples.size();
        BackgroundEstimator.Estimate estimate = new BackgroundEstimator(segmenter, config.backgroundPasses(),
                BACKGROUND_MARGIN_PIXELS).estimate(samples, faces);
        context.log().info("face-parsing '{}': background seen in {}% of the image over {} frames, the rest filled"
                + " from the nearest seen pixel", context.stageName(),
                String.format("%.1f", 100 * estimate.observedFraction()), samples.size());
        return estimate.background();
    }

    private void writeOutputs(long index, FaceOutline face, RegionMap regions, RgbImage groundTruth, byte[] torso)
            throws IOException {
        Path parsing = context.output(config.parsingDir());
        RgbImage colours = regions.toColourImage();
        AtomicFiles.write(parsing.resolve(index + ".png"), Pixels.encode(colours.rgb(), width, height, 3, "png", new int[0]));
        if (config.portraitFaceMasks()) {
            RgbImage faceImage = PortraitFaceMask.of(face, width, height);
            AtomicFiles.write(parsing.resolve(index + "_face.png"),
                    Pixels.encode(faceImage.rgb(), width, height, 3, "png", new int[0]));
        }
        RgbImage head = TorsoImages.headMask(regions);
        AtomicFiles.write(context.output(config.faceMaskDir()).resolve(index + ".png"),
                Pixels.encode(head.rgb(), width, height, 3, "png", new int[0]));
        AtomicFiles.write(context.output(config.gtDir()).resolve(index + ".jpg"), Pixels.encode(groundTruth.rgb(),
                width, height, 3, "jpg", new int[] {opencv_imgcodecs.IMWRITE_JPEG_QUALITY, config.jpegQuality()}));
        AtomicFiles.write(context.output(config.torsoDir()).resolve(index + ".png"),
                Pixels.encode(torso, width, height, 4, "png", new int[0]));
    }

    private Path spillFile(long index) {
        return spillDir.resolve(index + ".png");
    }

    private RgbImage loadSpilled(long index) throws IOException {
        Path file = spillFile(index);
        RgbImage image = Pixels.decodeRgb(Files.readAllBytes(file), file.toString());
        if (image.width() != width || image.height() != height) {
            throw new IllegalStateException("face-parsing '" + context.stageName() + "': spilled frame " + file
                    + " is " + image.width() + "x" + image.height() + ", expected " + width + "x" + height);
        }
        return image;
    }

    private void deleteSpill() throws IOException {
        if (!Files.exists(spillDir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(spillDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() throws IOException {
        deleteSpill();
    }

    /** For tests: the frame indices currently chosen for the background subsample. */
    List<Long> backgroundSampleIndices() {
        return List.copyOf(sampleByPosition.values());
    }
}
