package dev.synctalk.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.face.FaceLandmarksStage;
import dev.synctalk.face.FaceMeshStage;
import dev.synctalk.face.FrameFaces;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.SyntheticMedia;
import dev.synctalk.testing.TestStageContext;
import dev.synctalk.video.MediaLogging;
import dev.synctalk.video.VideoFrame;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acceptance on the real sample: the stabilizer's poses are steadier than the landmark poses. */
class RealSamplePoseStabilityTest {
    private static final int FRAMES = 80;

    @TempDir
    Path runDir;

    private static List<VideoFrame> firstFrames(Path video, int count) throws Exception {
        MediaLogging.quietFfmpeg();
        List<VideoFrame> out = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
            grabber.start();
            for (int index = 0; index < count; index++) {
                Frame frame = grabber.grabImage();
                assertTrue(frame != null, video + " ended before frame " + index);
                int rowBytes = frame.imageWidth * 3;
                byte[] rgb = new byte[rowBytes * frame.imageHeight];
                ByteBuffer buffer = (ByteBuffer) frame.image[0];
                for (int y = 0; y < frame.imageHeight; y++) {
                    buffer.position(y * frame.imageStride);
                    buffer.get(rgb, y * rowBytes, rowBytes);
                }
                out.add(new VideoFrame(index, index * 40_000L, frame.imageWidth, frame.imageHeight, rgb));
            }
            grabber.stop();
        }
        return out;
    }

    private static double metric(String report, String block, String key) {
        Matcher m = Pattern.compile("\"" + block + "\": \\{[^}]*\"" + key + "\": ([0-9.eE+-]+)").matcher(report);
        assertTrue(m.find(), block + "." + key + " missing in " + report);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void jitterAndStepsAreLowerAfterBundleAdjustmentOnTheRealSample() throws Exception {
        Path video = SyntheticMedia.sharedData("hdtf_aoc.mp4");
        Path model = SyntheticMedia.sharedData("models/face_landmarker.task");
        List<VideoFrame> frames = firstFrames(video, FRAMES);
        List<FrameFaces> faces;
        try (Stage mesh = new FaceMeshStage.Type().create(Configs.of(FaceMeshStage.Config.class,
                Map.of("model", model)), new TestStageContext("mesh", runDir))) {
            faces = Collected.run(mesh, "frames", frames, "faces", FrameFaces.class);
        }
        List<FaceLandmarks> landmarks;
        try (Stage face = new FaceLandmarksStage.Type().create(Configs.of(FaceLandmarksStage.Config.class,
                Map.of("source", video.toString())), new TestStageContext("landmarks", runDir))) {
            landmarks = Collected.run(face, "faces", faces, "landmarks", FaceLandmarks.class);
        }
        assertEquals(FRAMES, landmarks.size());

        TestStageContext context = new TestStageContext("pose", runDir);
        Collected<HeadPose> poses = new Collected<>("poses", HeadPose.class);
        try (Stage stage = new HeadSyncStabilizerStage.Type().create(
                Configs.of(HeadSyncStabilizerStage.Config.class, Map.of("model", model)), context)) {
            for (int i = 0; i < FRAMES; i++) {
                stage.process(new Inputs(i, Map.of("frames", frames.get(i), "landmarks", landmarks.get(i))), poses);
            }
            stage.finish(poses);
        }
        assertEquals(FRAMES, poses.messages.size());

        String report = Files.readString(runDir.resolve("outputs/head_pose/report.json"));
        System.out.println("real sample, first " + FRAMES + " frames: " + report.lines()
                .filter(l -> l.contains("BundleAdjustment\": {\"mean") || l.contains("rejectedTracks"))
                .map(String::strip).toList());
        for (String key : List.of("meanRotationStepDeg", "meanTranslationStepMm", "meanRotationJitterDeg",
                "meanTranslationJitterMm")) {
            double before = metric(report, "beforeBundleAdjustment", key);
            double after = metric(report, "afterBundleAdjustment", key);
            assertTrue(after < before, key + " " + before + " before bundle adjustment, " + after + " after");
        }
        // the pose guard: rigid landmarks reproject far better with the poses than with the head's rotation frozen
        double guard = metric(report, "poseGuard", "reprojectionRmsPx");
        double control = metric(report, "poseGuard", "controlFirstRotationRmsPx");
        System.out.printf("pose guard: %.3f px with the poses, %.3f px with every rotation = the first (rough poses %.3f"
                + " px)%n", guard, control, metric(report, "poseGuard", "roughPosesRmsPx"));
        assertTrue(control > 3 * guard, "pose guard " + guard + " px, control " + control + " px");
    }
}
