package dev.synctalk.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.dataset.CameraIntrinsics;
import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.DatasetSequence;
import dev.synctalk.dataset.DatasetWriter;
import dev.synctalk.dataset.FramePose;
import dev.synctalk.dataset.NpyArray;
import dev.synctalk.dataset.ParsingClass;
import dev.synctalk.dataset.ParsingMap;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.encode.SpeechAudio;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.portrait.FaceMask;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.testing.SyntheticMedia;
import dev.synctalk.testing.TestStageContext;
import dev.synctalk.video.FrameResizer;
import dev.synctalk.video.MediaLogging;
import dev.synctalk.video.VideoFrame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LMD, mouth opening and the audio-visual offset with the project's own face landmarks, on the first 48
 * frames of the real sample (hdtf_aoc.mp4 at 160x160, its own speech) written as a dataset and evaluated
 * whole (split all): renders made from the ground truth give known answers. Skips without the sample data.
 */
class RealClipQualityEvalTest {
    static final int FRAMES = 48;
    static final int SIZE = 160;

    @TempDir
    static Path dir;
    private static Path dataset;
    private static Path model;

    @BeforeAll
    static void writeDataset() throws Exception {
        Path video = SyntheticMedia.sharedData("hdtf_aoc.mp4");
        model = SyntheticMedia.sharedData("models/face_landmarker.task");
        MediaLogging.quietFfmpeg();
        List<FloatImage> frames = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
            grabber.start();
            while (frames.size() < FRAMES) {
                Frame f = grabber.grabImage();
                byte[] rgb = new byte[f.imageWidth * f.imageHeight * 3];
                ByteBuffer b = ((ByteBuffer) f.image[0]).duplicate();
                for (int y = 0; y < f.imageHeight; y++) {
                    b.position(y * f.imageStride);
                    b.get(rgb, y * f.imageWidth * 3, f.imageWidth * 3);
                }
                VideoFrame small = FrameResizer.cropAndResize(new VideoFrame(frames.size(), 0, f.imageWidth,
                        f.imageHeight, rgb), SIZE, SIZE);
                frames.add(FloatImage.fromBytes(SIZE, SIZE, 3, small.rgb()));
            }
            grabber.stop();
        }
        float[] speech = SpeechAudio.readMono(video, 16000);
        Path wav = dir.resolve("speech.wav");
        Files.write(wav, wav(java.util.Arrays.copyOf(speech, FRAMES * 640)));
        dataset = dir.resolve("real");
        List<FramePose> poses = new ArrayList<>();
        try (DatasetWriter w = DatasetWriter.create(dataset); FaceLandmarkDetector detector = FaceLandmarkDetector.open(model)) {
            FaceLandmarkDetector.Sequence marks = detector.sequence();
            // the head class: a box over the face; the portrait mask: the whole frame (portrait = render)
            ParsingMap parsing = ParsingMap.filled(SIZE, SIZE, ParsingClass.BACKGROUND);
            for (int y = SIZE / 8; y < SIZE * 7 / 8; y++) {
                for (int x = SIZE / 4; x < SIZE * 3 / 4; x++) {
                    parsing.set(x, y, ParsingClass.HEAD);
                }
            }
            float[] ones = new float[SIZE * SIZE];
            java.util.Arrays.fill(ones, 1f);
            for (int i = 0; i < FRAMES; i++) {
                w.writeOriginal(i, frames.get(i));
                w.writeGroundTruth(i, frames.get(i));
                w.writeTorso(i, FloatImage.blank(SIZE, SIZE, 4));
                w.writeParsing(i, parsing);
                w.writeFaceMask(i, new FaceMask(SIZE, SIZE, ones).toMaskImage());
                float[] p = marks.landmarks(ImageFiles.read(w.staging().original(i))).orElseThrow();
                float[][] points = new float[68][];
                for (int k = 0; k < 68; k++) {
                    points[k] = new float[] {p[2 * k], p[2 * k + 1]};
                }
                w.writeLandmarks(i, points);
                poses.add(new FramePose(i, i, new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0.5, 0, 0, 0, 1}));
            }
            w.writeBackground(frames.get(0));
            w.writeBlendshapes(new NpyArray(NpyArray.Dtype.FLOAT64, new int[] {FRAMES, 52}, new double[FRAMES * 52]));
            w.copyAudio(wav);
            w.commit(CameraIntrinsics.centered(1.2 * SIZE, SIZE, SIZE), poses);
        }
    }

    static byte[] wav(float[] samples) {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * samples.length).put("WAVEfmt ".getBytes()).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(16000).putInt(32000).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(2 * samples.length);
        for (float s : samples) {
            b.putShort((short) Math.round(Math.max(-1, Math.min(1, s)) * 32767));
        }
        return b.array();
    }

    /** Evaluates renders made by {@code render} from the ground truth frames (all of them, in order). */
    static QualityReport evaluate(String name, IntFunction<FloatImage> render) throws Exception {
        Path run = dir.resolve(name);
        QualityEvalStage.Config config = new QualityEvalStage.Config(dataset, DatasetSequence.Selection.ALL, null, null,
                null, model, Path.of("eval"), 8, 25, 4, false);
        try (Stage stage = new QualityEvalStage.Type().create(config, new TestStageContext("quality", run))) {
            for (int k = 0; k < FRAMES; k++) {
                stage.process(Inputs.single("frames", RenderedFrame.of(k, render.apply(k))), (p, m) -> { });
            }
            stage.finish((p, m) -> { });
        }
        return QualityReport.read(run.resolve("outputs/eval").resolve(QualityReport.JSON_FILE));
    }

    static FloatImage truth(int k) {
        try {
            SyncTalkDataset d = DatasetReader.read(dataset);
            return ImageFiles.read(d.layout().groundTruth(k));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void anExactRenderHasZeroLmdPerfectMouthCorrelationAndTheGroundTruthsOffset() throws Exception {
        QualityReport r = evaluate("exact", RealClipQualityEvalTest::truth);
        assertEquals(0.0, r.metric("lmdMouth").value(), 0.0);
        assertEquals(0.0, r.metric("lmdAll").value(), 0.0);
        assertEquals(1.0, r.metric("mouthOpeningCorrelation").value(), 1e-12);
        assertEquals(r.metric("avOffsetTruth").value(), r.metric("avOffsetRender").value(), 0.0);
        assertEquals(0.0, r.metric("mouthLag").value(), 0.0);
        assertTrue(r.metric("mouthOpeningTruth").value() > 0.02, "the speaker opens her mouth");
        assertTrue(r.metric("poseGuardRms").absent().contains("parallax"), "the dataset's poses are all the same");
        System.out.printf("real clip, exact render: AV offset %s frames (r = %s)%n", r.metric("avOffsetTruth").formatted(),
                r.metric("avCorrelationTruth").formatted());
    }

    @Test
    void aShiftedRenderHasTheShiftAsLmdAndAFrameWithoutAFaceIsLeftOut() throws Exception {
        QualityReport r = evaluate("shifted", k -> k == 5 ? ImageMetricsTest.constant(SIZE, SIZE, 0.5f)
                : QualityEvalStageTest.shifted(truth(k), 3, 4));
        System.out.printf("real clip, render shifted by (3, 4) px: LMD mouth %s, all %s px%n",
                r.metric("lmdMouth").formatted(), r.metric("lmdAll").formatted());
        assertEquals(5.0, r.metric("lmdMouth").value(), 0.75);
        assertEquals(5.0, r.metric("lmdAll").value(), 0.75);
        assertTrue(r.metric("lmdMouth").note().contains("mean over " + (FRAMES - 1) + " of " + FRAMES),
                r.metric("lmdMouth").note());
    }

    @Test
    void aDelayedRenderLagsTheGroundTruthsMouthByTheDelay() throws Exception {
        QualityReport r = evaluate("delayed", k -> truth(Math.max(0, k - 2)));
        System.out.printf("real clip, render 2 frames late: mouth lag %s (r = %s), AV offset %s (ground truth %s)%n",
                r.metric("mouthLag").formatted(), r.metric("mouthLagCorrelation").formatted(),
                r.metric("avOffsetRender").formatted(), r.metric("avOffsetTruth").formatted());
        assertEquals(2.0, r.metric("mouthLag").value(), 0.0);
        assertTrue(r.metric("mouthLagCorrelation").value() > 0.95);
        assertTrue(r.metric("mouthOpeningCorrelation").value() < r.metric("mouthLagCorrelation").value());
    }
}
